package organiser

import (
	"context"
	"sync"
)

// pool runs organiser commands in the background: at most workers at
// once over every chat, one at a time per lane (a chat or channel), in
// the order they came, so that "/masquer 12" then "/synthese" shows the
// answer gone. Its queue is bounded in all and per lane, since a digest
// over a large store takes a core for a while: past the bound a command
// is refused at once (Busy), never queued. Only organisers' commands take
// a place; refusals and usage notes are answered without one.
type pool struct {
	workers, maxQueued, maxPerLane int

	mu     sync.Mutex
	lanes  map[string]*lane
	ready  []string // lanes with work waiting and none running, in turn
	queued int      // jobs waiting or running
	kick   chan struct{}
	closed bool
}

// job is one command; run is called with the pool's context (cancelled
// when Run ends) or, for a job the pool drops at shutdown, not at all:
// drop is called instead.
type job struct {
	run  func(ctx context.Context)
	drop func()
}

type lane struct {
	jobs    []job
	running bool
}

func newPool(workers, maxQueued, maxPerLane int) *pool {
	return &pool{
		workers: max(workers, 1), maxQueued: max(maxQueued, 1), maxPerLane: max(maxPerLane, 1),
		lanes: map[string]*lane{}, kick: make(chan struct{}, 1),
	}
}

// add queues j behind the lane's earlier jobs; false when the queue is
// full or the pool stopped.
func (p *pool) add(key string, j job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lanes[key]
	if p.closed || p.queued >= p.maxQueued || (l != nil && len(l.jobs) >= p.maxPerLane) {
		return false
	}
	if l == nil {
		l = &lane{}
		p.lanes[key] = l
	}
	l.jobs = append(l.jobs, j)
	p.queued++
	if !l.running && len(l.jobs) == 1 {
		p.ready = append(p.ready, key)
		p.wake()
	}
	return true
}

// wake nudges one idle worker; p.mu is held.
func (p *pool) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// run runs the workers until ctx ends, then drops what is still waiting
// and returns once every worker has returned: a job running then has its
// context cancelled and is waited for.
func (p *pool) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range p.workers {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Wait()
	p.mu.Lock()
	p.closed = true
	var dropped []job
	for key, l := range p.lanes {
		dropped = append(dropped, l.jobs...)
		delete(p.lanes, key)
	}
	p.ready, p.queued = nil, 0
	p.mu.Unlock()
	for _, j := range dropped {
		if j.drop != nil {
			j.drop()
		}
	}
}

func (p *pool) work(ctx context.Context) {
	for {
		key, j, ok := p.next()
		if !ok {
			select {
			case <-p.kick:
				continue
			case <-ctx.Done():
				return
			}
		}
		if ctx.Err() != nil {
			p.putBack(key, j)
			return
		}
		j.run(ctx)
		p.done(key)
	}
}

// next takes the head job of the lane whose turn it is.
func (p *pool) next() (string, job, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ready) == 0 {
		return "", job{}, false
	}
	key := p.ready[0]
	p.ready = p.ready[1:]
	if len(p.ready) > 0 {
		p.wake() // one kick may stand for several lanes
	}
	l := p.lanes[key]
	j := l.jobs[0]
	l.jobs[0] = job{}
	l.jobs = l.jobs[1:]
	l.running = true
	return key, j, true
}

// putBack returns a job taken as the pool stops, for run to drop it.
func (p *pool) putBack(key string, j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lanes[key]
	l.jobs = append([]job{j}, l.jobs...)
	l.running = false
}

// done ends the lane's running job and gives the lane its next turn.
func (p *pool) done(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queued--
	l := p.lanes[key]
	l.running = false
	if len(l.jobs) == 0 {
		delete(p.lanes, key)
		return
	}
	p.ready = append(p.ready, key) // behind the other lanes: lanes take turns
	p.wake()
}
