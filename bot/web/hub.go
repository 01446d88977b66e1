package web

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/flows"
)

// entry is one reply kept for a page: what the engine delivered, with the
// person's own message that produced it when it is the first reply of
// that message.
type entry struct {
	Seq     uint64
	EventID string
	Echo    string
	Reply   flows.Reply
}

// isPrompt reports whether a reply asks something: its buttons and text
// box become the page's answer area.
func isPrompt(r flows.Reply) bool {
	return len(r.Options) > 0 || r.Expect != flows.ExpectNothing
}

// maxEchoes bounds the messages of one person waiting for their first
// reply.
const maxEchoes = 16

// person is what the page of one participant needs in memory: the recent
// replies (a bounded ring, oldest first), the prompt they answer, and who
// waits for news.
type person struct {
	entries []entry
	// floor: replies with a sequence up to floor may be missing from
	// entries (dropped from the ring, or delivered before this record
	// existed).
	floor  uint64
	last   uint64       // highest sequence delivered
	prompt *flows.Reply // the last reply that asked something
	echoes []echo       // messages sent, waiting for their first reply
	notify chan struct{}
	gone   chan struct{} // closed when the record is dropped (erasure)
	seen   time.Time
	// streams counts the open event streams of this person's pages.
	streams int
}

type echo struct{ eventID, text string }

// hub holds the person records of every participant who has a page open
// or was delivered a reply recently. It is the web channel's outbox
// reader: the engine hands it replies (Adapter.Send), pages read them.
type hub struct {
	mu     sync.Mutex
	people map[string]*person
	maxSeq uint64 // highest sequence delivered, all participants
	size   int    // entries kept per person
	now    func() time.Time
}

func newHub(size int, now func() time.Time) *hub {
	return &hub{people: make(map[string]*person), size: size, now: now}
}

// get returns the record of participant, creating it; h.mu must be held.
// A new record knows nothing delivered before it.
func (h *hub) get(participant string) *person {
	p := h.people[participant]
	if p == nil {
		p = &person{floor: h.maxSeq, notify: make(chan struct{}), gone: make(chan struct{})}
		h.people[participant] = p
	}
	p.seen = h.now()
	return p
}

// expect records the message a person sent as event id, shown before the
// first reply it produces.
func (h *hub) expect(participant, eventID, text string) {
	if text == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.get(participant)
	if len(p.echoes) == maxEchoes {
		p.echoes = slices.Delete(p.echoes, 0, 1)
	}
	p.echoes = append(p.echoes, echo{eventID, text})
}

// unexpect forgets the message of event id (it was not applied, or it
// was a duplicate).
func (h *hub) unexpect(participant, eventID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.people[participant]; p != nil {
		p.echoes = slices.DeleteFunc(p.echoes, func(e echo) bool { return e.eventID == eventID })
	}
}

// deliver keeps a reply for the participant's pages and wakes them.
func (h *hub) deliver(out bot.Outgoing) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.get(out.Participant)
	if out.Seq <= p.last {
		return // already here (sent again after a failed mark)
	}
	e := entry{Seq: out.Seq, EventID: out.EventID, Reply: out.Reply}
	if i := slices.IndexFunc(p.echoes, func(x echo) bool { return x.eventID == out.EventID }); i >= 0 {
		e.Echo = p.echoes[i].text
		p.echoes = slices.Delete(p.echoes, i, i+1)
	}
	if len(p.entries) == h.size {
		p.floor = max(p.floor, p.entries[0].Seq)
		p.entries[0] = entry{}
		p.entries = p.entries[1:]
	}
	p.entries = append(p.entries, e)
	p.last = out.Seq
	h.maxSeq = max(h.maxSeq, out.Seq)
	if isPrompt(out.Reply) {
		r := out.Reply
		p.prompt = &r
	}
	close(p.notify)
	p.notify = make(chan struct{})
}

// view is a copy of what a page shows of one participant.
type view struct {
	entries []entry
	prompt  *flows.Reply
	floor   uint64
	last    uint64
	notify  <-chan struct{}
	gone    <-chan struct{}
}

// view returns the participant's replies after seq, with what the page
// needs to wait for more.
func (h *hub) view(participant string, after uint64) view {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.read(h.get(participant), after)
}

// read is view for a record already held (an event stream's); h.mu must
// be held. It works on a record erasure dropped, so that a stream can
// show the last replies before it ends.
func (h *hub) read(p *person, after uint64) view {
	i, _ := slices.BinarySearchFunc(p.entries, after+1, func(e entry, seq uint64) int {
		return cmp.Compare(e.Seq, seq)
	})
	return view{
		entries: slices.Clone(p.entries[i:]),
		prompt:  p.prompt,
		floor:   p.floor,
		last:    p.last,
		notify:  p.notify,
		gone:    p.gone,
	}
}

// readHeld is read for a caller that does not hold h.mu.
func (h *hub) readHeld(p *person, after uint64) view {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.read(p, after)
}

// prompt returns the reply the participant answers, if known.
func (h *hub) promptOf(participant string) *flows.Reply {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.people[participant]; p != nil {
		return p.prompt
	}
	return nil
}

// wait returns once a reply with sequence seq or later was delivered to
// the participant, or ctx ends.
func (h *hub) wait(ctx context.Context, participant string, seq uint64) error {
	for {
		h.mu.Lock()
		p := h.get(participant)
		last, ch := p.last, p.notify
		h.mu.Unlock()
		if last >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// document returns the file of the reply seq, if it is still kept.
func (h *hub) document(participant string, seq uint64) (*flows.Document, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.people[participant]
	if p == nil {
		return nil, false
	}
	for _, e := range p.entries {
		if e.Seq == seq && e.Reply.Document != nil {
			return e.Reply.Document, true
		}
	}
	return nil, false
}

// attach opens an event stream of the participant and returns their
// record; it reports false, opening nothing, when limit streams are open
// already.
func (h *hub) attach(participant string, limit int) (*person, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.get(participant)
	if p.streams >= limit {
		return nil, false
	}
	p.streams++
	return p, true
}

// detach closes a stream attach opened.
func (h *hub) detach(p *person) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p.streams--
	p.seen = h.now()
}

// forget drops everything kept about the participant (erasure) and ends
// their streams.
func (h *hub) forget(participant string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.people[participant]; p != nil {
		close(p.gone)
		delete(h.people, participant)
	}
}

// sweep drops the records of people with no page open who have been
// idle since before cutoff; their pages show the current prompt again
// when they come back.
func (h *hub) sweep(cutoff time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for id, p := range h.people {
		if p.streams == 0 && p.seen.Before(cutoff) {
			delete(h.people, id)
			n++
		}
	}
	return n
}
