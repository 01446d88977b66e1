package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// Delivery defaults.
const (
	// DefaultRetryMin is the first wait after a failed Send.
	DefaultRetryMin = 500 * time.Millisecond
	// DefaultRetryMax caps the doubling wait between attempts: a reply is
	// never dropped, so a chat that keeps failing is tried this often.
	DefaultRetryMax = 2 * time.Minute
	// DefaultSenders is how many deliveries run at once, across
	// addresses: the number of delivery goroutines.
	DefaultSenders = 64
)

// Engine applies inbound events one transaction each and delivers the
// replies that the transactions put in the outbox. A reply is never dropped:
// a failed Send is retried with a doubling wait, or after the wait that the
// error's RetryAfter() time.Duration method gives, if it has one (a
// platform's 429).
type Engine struct {
	store   Store
	stepper Stepper
	log     *slog.Logger
	now     func() time.Time
	senders map[string]Sender

	retryMin, retryMax time.Duration
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
	qmu         sync.Mutex // guards queues, ready, outstanding, drained
	queues      map[addrKey]*queue
	ready       []addrKey
	outstanding int           // replies queued and not yet delivered
	drained     chan struct{} // closed when outstanding reaches zero during Close
	kick        chan struct{} // wakes an idle worker
	workers     sync.WaitGroup

	// marks carries delivered sequences to one goroutine that marks them
	// sent together: one commit for many deliveries, taken while the
	// previous one syncs.
	marks      chan uint64
	markerDone chan struct{}

	// flood holds back the events of participants who send too fast;
	// nil when SetFlood was not called.
	flood *floodControl

	// sendCtx ends when Close gives up draining.
	sendCtx  context.Context
	stopSend context.CancelFunc
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
type addrKey struct{ channel, address string }

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
		return addrKey{out.Channel, ls.Line(out)}
	}
	return addrKey{out.Channel, out.Address}
}

// queue holds one address's replies in sequence order. It is removed once
// empty, so that idle addresses cost nothing.
type queue struct {
	items []Outgoing
	// busy: a worker is sending items[0] or a retry of it is scheduled.
	busy   bool
	queued bool          // in Engine.ready
	wait   time.Duration // next wait after a failure
	tries  int           // failed attempts at items[0]
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
		nworkers: DefaultSenders,
		kick:     make(chan struct{}, 1),
		marks:    make(chan uint64, 1024),
		lines:    make(map[string]*line),
		queues:   make(map[addrKey]*queue),
		sendCtx:  ctx,
		stopSend: cancel,
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
		list, err := e.store.Pending(ctx, ch, 0)
		if err != nil {
			return fmt.Errorf("start engine: %w", err)
		}
		if len(list) > 0 {
			e.log.Info("resending replies left in the outbox", "platform", ch, "count", len(list))
		}
		pending = append(pending, list...)
	}
	e.markerDone = make(chan struct{})
	go e.mark()
	for range e.nworkers {
		e.workers.Add(1)
		go e.work()
	}
	e.enqueue(pending)
	e.started = true
	return e.startFlood(ctx)
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
	if applied, held, err := e.holdIfFlooding(ctx, in, now); held || err != nil {
		return applied, err
	}
	applied, err := e.store.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		return e.stepper.Step(s, in.Event, now)
	})
	if err != nil {
		e.log.Error("apply event", "platform", in.Channel, "participant", in.Participant, "err", err)
		return Applied{}, err
	}
	// Queued before our turn ends, so that the next event's replies of
	// this participant queue behind ours.
	if e.started {
		e.enqueue(applied.Outbox)
	}
	return applied, nil
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
// then stays in the outbox for the next Start.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	// Held events stay in their backlog for the next Start.
	e.stopFlood()

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
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		e.qmu.Lock()
		err = fmt.Errorf("close engine: %d replies left in the outbox: %w", e.outstanding, ctx.Err())
		e.qmu.Unlock()
	}
	e.stopSend()
	e.workers.Wait()
	if e.markerDone != nil {
		close(e.marks)
		<-e.markerDone
		e.markerDone = nil
	}
	return err
}

// enqueue hands replies to delivery.
func (e *Engine) enqueue(outs []Outgoing) {
	if len(outs) == 0 {
		return
	}
	e.qmu.Lock()
	defer e.qmu.Unlock()
	for _, out := range outs {
		if e.senders[out.Channel] == nil {
			e.log.Warn("no sender for channel; reply stays in the outbox", "platform", out.Channel, "participant", out.Participant)
			continue
		}
		k := e.lineOf(out)
		q := e.queues[k]
		if q == nil {
			q = &queue{wait: e.retryMin}
			e.queues[k] = q
		}
		// Commits of different participants sharing an address may hand
		// their replies over out of order; the sequence is the commit
		// order. The head is never displaced while it is being sent.
		i, _ := slices.BinarySearchFunc(q.items, out.Seq, func(o Outgoing, seq uint64) int { return cmp.Compare(o.Seq, seq) })
		if q.busy {
			i = max(i, 1)
		}
		q.items = slices.Insert(q.items, i, out)
		e.outstanding++
		if !q.busy && !q.queued {
			e.makeReady(k, q)
		}
	}
}

// makeReady puts an address in line for a worker; qmu must be held.
func (e *Engine) makeReady(k addrKey, q *queue) {
	q.queued = true
	e.ready = append(e.ready, k)
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// work delivers the head of one ready address at a time until Close.
func (e *Engine) work() {
	defer e.workers.Done()
	for e.sendCtx.Err() == nil {
		e.qmu.Lock()
		if len(e.ready) == 0 {
			e.qmu.Unlock()
			select {
			case <-e.kick:
			case <-e.sendCtx.Done():
			}
			continue
		}
		k := e.ready[0]
		e.ready[0] = addrKey{}
		e.ready = e.ready[1:]
		if len(e.ready) > 0 {
			// Pass the wake-up on: one kick may stand for many addresses.
			select {
			case e.kick <- struct{}{}:
			default:
			}
		}
		q := e.queues[k]
		q.queued, q.busy = false, true
		out := q.items[0]
		e.qmu.Unlock()

		err := e.senders[k.channel].Send(e.sendCtx, out)
		if err == nil {
			e.marks <- out.Seq
		} else if e.sendCtx.Err() == nil && e.undeliverable(out, err) {
			err = nil // out of the outbox: the next reply's turn
		}
		e.qmu.Lock()
		switch {
		case err == nil:
			q.busy, q.wait, q.tries = false, e.retryMin, 0
			q.items[0] = Outgoing{}
			q.items = q.items[1:]
			e.outstanding--
			if len(q.items) > 0 {
				e.makeReady(k, q) // behind the others: addresses take turns
			} else {
				delete(e.queues, k)
			}
			if e.outstanding == 0 && e.drained != nil {
				close(e.drained)
				e.drained = nil
			}
		case e.sendCtx.Err() != nil:
			// Closing: the reply stays in the outbox.
		default:
			q.tries++
			delay := q.wait
			var ra interface{ RetryAfter() time.Duration }
			if errors.As(err, &ra) && ra.RetryAfter() > 0 {
				delay = ra.RetryAfter()
			}
			q.wait = min(q.wait*2, e.retryMax)
			e.log.Warn("send reply; will retry", "platform", k.channel, "participant", out.Participant, "seq", out.Seq, "attempt", q.tries, "retry_in", delay, "err", err)
			// q stays busy until the timer puts it back in line, so no
			// worker waits on it.
			time.AfterFunc(delay, func() {
				e.qmu.Lock()
				defer e.qmu.Unlock()
				q.busy = false
				e.makeReady(k, q)
			})
		}
		e.qmu.Unlock()
	}
}

// mark marks delivered replies sent, as many per commit as have arrived
// meanwhile, until Close closes marks.
func (e *Engine) mark() {
	defer close(e.markerDone)
	for seq := range e.marks {
		seqs := []uint64{seq}
	more:
		for len(seqs) < 4096 {
			select {
			case seq, ok := <-e.marks:
				if !ok {
					break more
				}
				seqs = append(seqs, seq)
			default:
				break more
			}
		}
		// Not cancelled with Close: once the platform has the messages,
		// recording it is worth the few milliseconds.
		if err := e.store.MarkSent(context.Background(), seqs...); err != nil {
			e.log.Error("mark replies sent; they will be sent again after a restart", "count", len(seqs), "err", err)
		}
	}
}
