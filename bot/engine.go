package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"consultbot/flows"
)

// Stepper advances a session by one event without I/O; *flows.Machine
// implements it.
type Stepper interface {
	Step(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply)
}

// ErrClosed is returned by Handle once Close has been called.
var ErrClosed = errors.New("engine closed")

// Engine applies inbound events one transaction each and delivers the
// replies that the transactions put in the outbox, under one delivery
// policy for every channel (see delivery.go): a failed Send is retried
// with a doubling wait, or after the wait a platform asked for; a reply
// the platform keeps refusing degrades (its file sent as text, its
// picture replaced by a note), and one that still cannot go within its
// attempt budget, or that is refused for good, leaves the outbox as an
// undeliverable record, so that the replies behind it are not held up.
type Engine struct {
	store   Store
	stepper Stepper
	log     *slog.Logger
	now     func() time.Time
	senders map[string]Sender

	retryMin, retryMax time.Duration
	budget             time.Duration
	nworkers           int

	// startMu keeps Start's outbox load apart from commits: a commit before
	// it is in the load, one after it is handed to delivery by Handle, so
	// no reply is queued twice or missed.
	startMu sync.RWMutex
	started bool

	mu       sync.Mutex // guards closed and lines
	closed   bool
	lines    map[string]*line // per participant, removed when idle
	handling sync.WaitGroup   // Handle calls in flight

	// Delivery: a fixed pool of workers takes addresses from ready, in
	// turn, and sends the head of each; an address is in ready, or held by
	// a worker or a retry timer, never two at once, so its replies go out
	// one at a time and in order, and a failing address holds no worker.
	qmu         sync.Mutex // guards queues, live, outstanding, drained
	queues      map[addrKey]*queue
	live        *turns        // the live lines ready for a worker
	outstanding int           // replies queued and not yet delivered
	drained     chan struct{} // closed when outstanding reaches zero during Close
	workers     sync.WaitGroup
	// again holds the sequences of replies not delivered yet that may
	// have reached the person already: found in the outbox by Start
	// (before a crash or a failover), or after an attempt whose answer
	// was lost (sentMaybe). shifted holds the lines where one of them
	// went out again as a new message (see inPlace).
	again map[uint64]struct{}
	// stepped holds the retry state of announcements that kept failing
	// ahead of a live reply and stepped behind it (stepAside), until
	// they are delivered or given up: their budget runs on.
	stepped map[uint64]failing
	shifted map[addrKey]struct{}

	// marks carries delivered sequences to one goroutine that marks them
	// sent together: one commit for many deliveries, taken while the
	// previous one syncs.
	marks      chan mark
	markerDone chan struct{}

	// flood holds back the events of participants who send too fast;
	// nil when SetFlood was not called.
	flood *floodControl

	// sendCtx ends when Close gives up draining.
	sendCtx  context.Context
	stopSend context.CancelFunc
	// lead, once no longer held, stops delivery at once (fence.go).
	lead *Lead

	// feed, when set, is where delivery learns of the outbox's replies
	// (follow.go): awaited holds the sequences of this engine's commits
	// not reported yet, fedMax the highest reported (both under qmu);
	// feedErr carries what ended the feed.
	feed    OutboxFeed
	awaited map[uint64]struct{}
	fedMax  uint64
	feedErr chan error

	// obs learns what the engine does (observe.go); nil: nothing.
	obs Observer

	// lane is the low-priority lane of reminders and announcements
	// (campaign.go).
	lane lane
}

// line orders the events of one participant: every Handle call waits for
// the previous caller's channel to close, in arrival order.
type line struct {
	tail    chan struct{}
	waiting int
}

// addrKey names a delivery line: replies in one line go out one at a time,
// in sequence order. It is the reply's address, unless the channel's
// Sender is a LineSender.
type addrKey struct {
	channel, address string
	low              bool // the low-priority lane (Outgoing.Low)
}

// LineSender is a Sender whose replies to one person go to several
// addresses (Discord: one per interaction token, and a direct-message
// channel once a token has expired). Line names the line a reply is
// delivered in, so that one person's replies keep their commit order
// whatever address each goes to, across failed attempts and restarts.
// Replies of one address must share a line.
type LineSender interface {
	Sender
	Line(out Outgoing) string
}

// lineOf returns the delivery line of out.
func (e *Engine) lineOf(out Outgoing) addrKey {
	if ls, ok := e.senders[out.Channel].(LineSender); ok {
		return addrKey{out.Channel, ls.Line(out), out.Low}
	}
	return addrKey{out.Channel, out.Address, out.Low}
}

// queue holds one line's replies in sequence order. It is removed once
// empty, so that idle lines cost nothing. The fields after items describe
// the delivery of items[0], its head.
type queue struct {
	items []Outgoing
	// busy: a worker is sending items[0] or a retry of it is scheduled.
	busy   bool
	queued bool          // in its turns (Engine.live, lane.turns)
	wait   time.Duration // next wait after a failure
	tries  int           // failed attempts at items[0]
	// since is the head's first failure (zero: none yet) and deadline
	// when the policy gives up on it: since plus the budget, plus the
	// waits a platform asked for (they are not the reply's fault).
	since, deadline time.Time
	// fileFails counts the head's failures on a file or a picture.
	fileFails int
	// holds: the other line of the address waits for this one's head
	// to move on (Engine.behind).
	holds bool
}

// New returns an engine that applies events to store with stepper. A nil
// logger discards logs.
func New(store Store, stepper Stepper, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		store:    store,
		stepper:  stepper,
		log:      logger,
		now:      time.Now,
		senders:  make(map[string]Sender),
		retryMin: DefaultRetryMin,
		retryMax: DefaultRetryMax,
		budget:   DefaultBudget,
		nworkers: DefaultSenders,
		live:     newTurns(),
		marks:    make(chan mark, 1024),
		lines:    make(map[string]*line),
		queues:   make(map[addrKey]*queue),
		again:    make(map[uint64]struct{}),
		stepped:  make(map[uint64]failing),
		shifted:  make(map[addrKey]struct{}),
		sendCtx:  ctx,
		stopSend: cancel,
		lane:     lane{turns: map[string]*turns{}, held: map[string]int{}, more: make(chan struct{}, 1)},
	}
}

// SetClock replaces the clock passed to the stepper; for tests.
func (e *Engine) SetClock(now func() time.Time) { e.now = now }

// SetRetry sets the first and the longest wait between attempts to send a
// reply; call it before Start.
func (e *Engine) SetRetry(first, longest time.Duration) {
	e.retryMin, e.retryMax = first, max(first, longest)
}

// AddSender registers the Sender of a channel; call it before Start. Replies
// of a channel without a Sender stay in the outbox.
func (e *Engine) AddSender(channel string, s Sender) { e.senders[channel] = s }

// Start hands everything the outbox still holds (replies committed before a
// crash or a stop) to delivery, in order, and from then on delivers the
// replies of each event after its commit.
func (e *Engine) Start(ctx context.Context) error {
	e.startMu.Lock()
	defer e.startMu.Unlock()
	if e.started {
		return errors.New("start engine: already started")
	}
	channels := make([]string, 0, len(e.senders))
	for ch := range e.senders {
		channels = append(channels, ch)
	}
	slices.Sort(channels)
	var pending []Outgoing
	for _, ch := range channels {
		if e.feed != nil {
			break // the feed lists them (follow)
		}
		list, err := e.store.Pending(ctx, ch, 0)
		if err != nil {
			return fmt.Errorf("start engine: %w", err)
		}
		list = e.setAsideClaimed(list)
		if len(list) > 0 {
			e.log.Info("resending replies left in the outbox", "platform", ch, "count", len(list))
		}
		pending = append(pending, list...)
	}
	for _, out := range pending {
		e.again[out.Seq] = struct{}{}
	}
	e.markerDone = make(chan struct{})
	go e.mark()
	go e.watchFence()
	for range e.nworkers {
		e.workers.Add(1)
		go e.work(e.live)
	}
	for _, ch := range channels {
		e.lane.turns[ch] = newTurns()
		for range LowWorkers {
			e.workers.Add(1)
			go e.work(e.lane.turns[ch])
		}
	}
	if e.feed != nil {
		if err := e.follow(channels); err != nil {
			return err
		}
	}
	e.enqueue(pending)
	e.started = true
	if err := e.startFlood(ctx); err != nil {
		return err
	}
	e.startCampaigns()
	return nil
}

// setAsideClaimed returns list, replies found in the outbox by Start or
// listed by the outbox feed, without the reminders that were being sent
// when their engine stopped (a restart, or the leader a failover
// replaced): the platform may have them, and a reminder goes at most
// once, so they move to the undeliverable records instead. One that
// cannot be moved stays claimed in the outbox, unsent, for the next start
// to try again. Announcements that were being sent stay, to be settled by
// their Sender (unsettle).
func (e *Engine) setAsideClaimed(list []Outgoing) []Outgoing {
	kept := list[:0:0]
	dropped, uncertain := map[string]int{}, map[string]int{}
	for _, out := range list {
		if !out.Claimed || !out.Once {
			if out.Claimed {
				uncertain[out.Channel]++
				e.unsettle(out)
			}
			kept = append(kept, out)
			continue
		}
		dropped[out.Channel]++
		if err := e.setAside(out, "interrupted while being sent: the platform may have it, and a reminder goes at most once"); err != nil {
			e.log.Error("set aside an interrupted reminder", "platform", out.Channel, "participant", out.Participant, "seq", out.Seq, "err", err)
			continue
		}
		e.observer().Delivered(out.Channel, false)
	}
	for _, ch := range slices.Sorted(maps.Keys(dropped)) {
		e.log.Warn("reminders interrupted while being sent are not sent again", "platform", ch, "count", dropped[ch])
	}
	for _, ch := range slices.Sorted(maps.Keys(uncertain)) {
		e.log.Info("announcements interrupted while being sent are checked before anything else goes to their people", "platform", ch, "count", uncertain[ch])
	}
	return kept
}

// unsettle tells out's Sender that out, an announcement, was claimed and
// not marked sent (see Settler).
func (e *Engine) unsettle(out Outgoing) {
	if s, ok := e.senders[out.Channel].(Settler); ok && out.Claimed && out.Low && !out.Once {
		s.Unsettled(out)
	}
}

// Handle applies one inbound event in one transaction and returns once it
// is committed; only then may the adapter confirm the event to its
// platform. Events of one participant are applied in the order Handle is
// called; those of different participants run concurrently and share
// commits. The replies are delivered after the commit, in the background.
func (e *Engine) Handle(ctx context.Context, in Inbound) (Applied, error) {
	leave, err := e.join(ctx, in.Participant)
	if errors.Is(err, ErrClosed) {
		return Applied{}, ErrClosed
	}
	if err != nil {
		return Applied{}, fmt.Errorf("handle %q: %w", in.ID, err)
	}
	defer leave()

	e.startMu.RLock()
	defer e.startMu.RUnlock()
	now := e.now()
	in = e.reach(in)
	if applied, held, err := e.holdIfFlooding(ctx, in, now); held || err != nil {
		return applied, err
	}
	var t tally
	applied, err := e.store.Apply(ctx, in, now, t.wrap(func(s flows.Session) (flows.Session, []flows.Reply) {
		return e.stepper.Step(s, in.Event, now)
	}))
	if err != nil {
		e.log.Error("apply event", "platform", in.Channel, "participant", in.Participant, "err", err)
		return Applied{}, err
	}
	e.observeApplied(in.Channel, applied, &t)
	if applied.Held && e.flood != nil && e.flood.added(in.Participant, 1) {
		go e.drainHeld(in.Participant)
	}
	// Queued before our turn ends, so that the next event's replies of
	// this participant queue behind ours.
	e.committed(applied.Outbox)
	return applied, nil
}

// Sessions reads participants' stored sessions, for what an adapter
// says on its own (Lang, the web page, the terminal's goodbye);
// storage.DB implements it.
type Sessions interface {
	// Session returns a participant's session, and false when they
	// never wrote.
	Session(participant string) (flows.Session, bool, error)
}

// Lang returns the language participant's conversation speaks (the one
// they chose with /langue, or started in), for the notices an adapter
// writes on its own, as the flood notice is; "" when the store keeps no
// such session or cannot be read (the adapter then falls back to the
// person's app).
func (e *Engine) Lang(participant string) string {
	ss, ok := e.store.(Sessions)
	if !ok {
		return ""
	}
	s, found, err := ss.Session(participant)
	if err != nil {
		e.log.Warn("read session language", "participant", participant, "err", err)
		return ""
	}
	if !found {
		return ""
	}
	return s.Lang
}

// join waits for the participant's turn, behind the events already in
// line, and returns the function that passes the turn on. It fails with
// ErrClosed after Close, or with ctx's error.
func (e *Engine) join(ctx context.Context, participant string) (leave func(), err error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	e.handling.Add(1)
	l := e.lines[participant]
	if l == nil {
		l = &line{}
		e.lines[participant] = l
	}
	prev, mine := l.tail, make(chan struct{})
	l.tail = mine
	l.waiting++
	e.mu.Unlock()

	if prev != nil {
		select {
		case <-prev:
		case <-ctx.Done():
			// Keep the line intact for those behind: our turn passes as
			// soon as the one before us is done.
			go func() {
				<-prev
				e.leave(participant, mine)
			}()
			e.handling.Done()
			return nil, ctx.Err()
		}
	}
	return func() {
		e.leave(participant, mine)
		e.handling.Done()
	}, nil
}

func (e *Engine) leave(participant string, mine chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	close(mine)
	l := e.lines[participant]
	l.waiting--
	if l.waiting == 0 {
		delete(e.lines, participant)
	}
}

// Close stops accepting events, waits for the events in flight and for the
// delivery of every queued reply, until ctx ends. What is not delivered by
// then stays in the outbox for the next Start: that is no error, only said
// in the log.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	// Held events stay in their backlog for the next Start; the due
	// reminders and announcements in the store.
	e.stopFlood(ctx)
	e.stopCampaigns()

	done := make(chan struct{})
	go func() {
		// Once no Handle is in flight, nothing new is queued.
		e.handling.Wait()
		e.qmu.Lock()
		defer e.qmu.Unlock()
		if e.outstanding == 0 {
			close(done)
		} else {
			e.drained = done
		}
	}()
	select {
	case <-done:
	case <-e.sendCtx.Done():
		// Fenced: nothing more may be sent from here.
	case <-ctx.Done():
		e.qmu.Lock()
		left := e.outstanding
		e.qmu.Unlock()
		e.log.Info(fmt.Sprintf("%d replies left in the outbox; they will be sent at the next start", left), "count", left)
	}
	e.stopSend()
	e.workers.Wait()
	if e.markerDone != nil {
		close(e.marks)
		<-e.markerDone
		e.markerDone = nil
	}
	return nil
}
