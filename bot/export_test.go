package bot

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
