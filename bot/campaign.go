package bot

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"consultbot/flows"
	"consultbot/text"
)

// The low-priority lane carries reminders and announcements. Its replies
// (Outgoing.Low) have delivery lines of their own, served by LowWorkers
// workers per channel apart from the live ones, so a campaign never takes
// a worker a person's reply needs; each Sender admits them only with the
// sending rate live replies leave (LowSender). The lane pulls its work
// from the store only as it empties: at most CampaignOptions.Window
// replies wait in it, shared equally by the channels people can be
// written to later (Reachable), so that a campaign starts at once on
// every channel and each goes at its platform's pace, a slow one never
// holding a fast one's places or workers. A due reminder becomes an
// outbox entry (one transaction through the conversation, which clears
// it) just before it can go, so a person who comes back meanwhile gets
// none.

// LowWorkers is how many low-priority deliveries run at once on each
// channel.
const LowWorkers = 4

// Campaign defaults.
const (
	// DefaultCampaignWindow is how many reminders and announcements wait
	// in the lane at most.
	DefaultCampaignWindow = 16
	// DefaultCampaignPoll is how often the store is asked for reminders
	// that fell due, besides each time the lane empties.
	DefaultCampaignPoll = 10 * time.Second
)

// Reachable is a Sender that can write to a person later, unprompted:
// Telegram's private chats, Discord's direct messages. LaterAddress turns
// the address of a person's event into the address to use then, false
// when there is none (a group chat).
type Reachable interface {
	LaterAddress(address string) (string, bool)
}

// LowSender documents what a Sender does with Outgoing.Low: it sends a
// low-priority reply only with the rate its platform's limits leave once
// live replies are served, waiting in Send meanwhile, and calls Claim
// once they admitted it, just before its request leaves. The Telegram and
// Discord adapters do.
type LowSender interface {
	Sender
	SendsLow()
}

// CampaignOptions tune the low-priority lane.
type CampaignOptions struct {
	// Window is how many reminders and announcements wait in the lane at
	// most, all channels together, each channel having an equal share
	// (at least one); zero: DefaultCampaignWindow.
	Window int
	// Poll is how often the store is asked for due reminders; zero:
	// DefaultCampaignPoll.
	Poll time.Duration
}

// lane is the engine's low-priority lane; turns and held are guarded by
// Engine.qmu.
type lane struct {
	turns    map[string]*turns // per channel, set by Start
	held     map[string]int    // per channel: low replies queued and not yet delivered, less those waiting in retryWhen
	more     chan struct{}     // wakes the dispatcher: the lane has room
	store    Campaigns         // nil: no campaigns
	opts     CampaignOptions
	channels []string // the channels campaigns reach, each with its share
	stop     context.CancelFunc
	done     chan struct{}
}

// turns are the lines ready for a set of workers, in turn.
type turns struct {
	keys []addrKey
	kick chan struct{} // wakes an idle worker
}

func newTurns() *turns { return &turns{kick: make(chan struct{}, 1)} }

func (l *lane) wake() {
	select {
	case l.more <- struct{}{}:
	default:
	}
}

// SetCampaigns turns reminders and announcements on: people on a
// Reachable channel are offered reminders, due ones are sent, and
// announcements confirmed by organisers go out, all in the low-priority
// lane. Call it before Start.
func (e *Engine) SetCampaigns(store Campaigns, opts CampaignOptions) {
	if opts.Window <= 0 {
		opts.Window = DefaultCampaignWindow
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultCampaignPoll
	}
	e.lane.store, e.lane.opts = store, opts
}

// reach sets where in's person can be written to later, when campaigns
// are on and the channel can.
func (e *Engine) reach(in Inbound) Inbound {
	if e.lane.store == nil {
		return in
	}
	if r, ok := e.senders[in.Channel].(Reachable); ok {
		if a, ok := r.LaterAddress(in.Address); ok {
			in.Later, in.Event.Later = a, true
		}
	}
	return in
}

func (e *Engine) startCampaigns() {
	if e.lane.store == nil {
		return
	}
	for _, ch := range slices.Sorted(maps.Keys(e.senders)) {
		if _, ok := e.senders[ch].(Reachable); ok {
			e.lane.channels = append(e.lane.channels, ch)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.lane.stop, e.lane.done = cancel, make(chan struct{})
	go e.runCampaigns(ctx)
}

func (e *Engine) stopCampaigns() {
	if e.lane.stop == nil {
		return
	}
	e.lane.stop()
	<-e.lane.done
	e.lane.stop = nil
}

// StartCampaign runs start, a transaction of the caller's that confirms a
// campaign (an organisers' announcement), then wakes the low-priority
// lane, which moves its first deliveries into the outbox at once instead
// of at its next poll. It fails with ErrClosed after Close, and with
// start's error, which it wraps.
func (e *Engine) StartCampaign(ctx context.Context, start func(context.Context) error) error {
	err := e.Commit(ctx, func(ctx context.Context) ([]Outgoing, error) { return nil, start(ctx) })
	if err != nil {
		return err
	}
	e.lane.wake()
	return nil
}

// runCampaigns fills the lane from the store whenever it has room, until
// ctx ends.
func (e *Engine) runCampaigns(ctx context.Context) {
	defer close(e.lane.done)
	t := time.NewTicker(e.lane.opts.Poll)
	defer t.Stop()
	for {
		e.fillLane(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.lane.more:
		}
	}
}

// room returns how many more replies each campaign channel's share of
// the lane takes now, and their sum.
func (e *Engine) room() (Room, int) {
	share := max(1, e.lane.opts.Window/max(1, len(e.lane.channels)))
	e.qmu.Lock()
	defer e.qmu.Unlock()
	room, total := Room{}, 0
	for _, ch := range e.lane.channels {
		room[ch] = max(0, share-e.lane.held[ch])
		total += room[ch]
	}
	return room, total
}

// fillLane moves due reminders, then announcement deliveries, into the
// lane while it has room and there is work.
func (e *Engine) fillLane(ctx context.Context) {
	store := e.lane.store
	for ctx.Err() == nil {
		room, total := e.room()
		if total <= 0 {
			return
		}
		now := e.now()
		dues, err := store.DueReminders(ctx, now, room)
		if err != nil {
			e.log.Error("read due reminders", "err", err)
			return
		}
		progress := 0
		for _, d := range dues {
			if room[d.Channel] > 0 {
				room[d.Channel]--
				total--
			}
			ok, err := e.remind(ctx, d, now)
			if err != nil {
				e.log.Error("apply due reminder; will retry", "participant", d.Participant, "err", err)
				return
			}
			if ok {
				progress++
			}
		}
		if total > 0 {
			err := e.Commit(ctx, func(ctx context.Context) ([]Outgoing, error) {
				outs, err := store.NextAnnouncements(ctx, now, room, announcement)
				progress += len(outs)
				return outs, err
			})
			if err != nil {
				if ctx.Err() == nil {
					e.log.Error("move announcements to the outbox; will retry", "err", err)
				}
				return
			}
		}
		if progress == 0 {
			return
		}
	}
}

// remind applies the reminder d in its person's turn, through the
// conversation, which decides whether it still goes. It reports whether
// the store changed.
func (e *Engine) remind(ctx context.Context, d DueReminder, now time.Time) (bool, error) {
	leave, err := e.join(ctx, d.Participant)
	if err != nil {
		return false, err
	}
	defer leave()
	e.startMu.RLock()
	defer e.startMu.RUnlock()
	in := Inbound{
		ID:      d.Participant + ":reminder:" + strconv.FormatInt(d.Due.UnixNano(), 10),
		Channel: d.Channel, Participant: d.Participant, Address: d.Address, Later: d.Address, Low: true,
		Event: flows.Event{Kind: flows.EventReminder, Later: true},
	}
	applied, err := e.store.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		return e.stepper.Step(s, in.Event, now)
	})
	if err != nil {
		return false, err
	}
	e.committed(applied.Outbox)
	return !applied.Duplicate, nil
}

// unreachable tells the conversation that out's person cannot be written
// to any more (they blocked the bot): their reminders stop, in one
// transaction like any event.
func (e *Engine) unreachable(out Outgoing) {
	if e.lane.store == nil || out.Participant == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	leave, err := e.join(ctx, out.Participant)
	if err != nil {
		return
	}
	defer leave()
	in := Inbound{
		ID:      out.Participant + ":unreachable:" + strconv.FormatUint(out.Seq, 10),
		Channel: out.Channel, Participant: out.Participant, Address: out.Address,
		Event: flows.Event{Kind: flows.EventUnreachable},
	}
	now := e.now()
	if _, err := e.store.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		return e.stepper.Step(s, in.Event, now)
	}); err != nil {
		e.log.Error("stop the reminders of an unreachable person", "platform", out.Channel, "participant", out.Participant, "err", err)
	}
}

// announcement lays an organisers' announcement out in lang.
func announcement(lang, body string) flows.Reply {
	t := text.For(lang).Reminders
	return flows.Reply{Title: t.AnnounceTitle, Text: body + "\n\n" + t.AnnounceFooter}
}
