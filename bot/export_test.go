package bot

import "time"

// Waiting tells how many Handle calls of a participant are in its line,
// running or waiting; for tests of arrival order.
func (e *Engine) Waiting(participant string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l := e.lines[participant]; l != nil {
		return l.waiting
	}
	return 0
}

// Idle reports whether the engine holds no per-participant line and no
// delivery queue, as it should once everything is applied and delivered.
func (e *Engine) Idle() bool {
	e.mu.Lock()
	lines := len(e.lines)
	e.mu.Unlock()
	e.qmu.Lock()
	defer e.qmu.Unlock()
	return lines == 0 && len(e.queues) == 0
}

// FreezeFloodClock stops flood control's clock at its current reading
// until thaw is called, so that a test's events refill no bucket however
// slowly a loaded machine runs them.
func (e *Engine) FreezeFloodClock() (thaw func()) {
	f := e.flood
	f.mu.Lock()
	defer f.mu.Unlock()
	at, frozen := time.Now(), make(chan struct{})
	f.now = func() time.Time {
		select {
		case <-frozen:
			return time.Now()
		default:
			return at
		}
	}
	return func() { close(frozen) }
}
