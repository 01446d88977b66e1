package bot

import "sync"

// Progress remembers how many messages of each reply a Sender has
// delivered, so that when the engine retries a reply after a failure the
// Sender resumes with the first message the platform has not accepted.
// It is keyed by the reply's Seq and Address: the delivery policy may
// redirect a reply it could not deliver, and the new address starts
// afresh. The zero value is ready to use.
type Progress struct {
	mu   sync.Mutex
	done map[progressKey]int
}

type progressKey struct {
	seq     uint64
	address string
}

// Resume calls send for every message of out (there are n) from the
// first not yet delivered, in order, and returns the first failure; the
// messages sent before it are remembered for the next attempt.
func (p *Progress) Resume(out Outgoing, n int, send func(i int) error) error {
	k := progressKey{out.Seq, out.Address}
	p.mu.Lock()
	start := p.done[k]
	p.mu.Unlock()
	for i := start; i < n; i++ {
		if err := send(i); err != nil {
			return err
		}
		p.mu.Lock()
		if i+1 < n {
			if p.done == nil {
				p.done = map[progressKey]int{}
			}
			p.done[k] = i + 1
		} else {
			delete(p.done, k)
		}
		p.mu.Unlock()
	}
	return nil
}
