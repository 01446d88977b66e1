package bot

// Fence ties delivery to a lead held elsewhere (an etcd election among
// replicas): once lost is closed, this engine sends nothing more. The
// workers stop at once and the request in flight is cancelled; what is
// queued stays in the outbox, for the replica that leads next to send, and
// Close does not wait for it. Call it before Start; a nil channel never
// fences.
//
// lost must close no later than the moment another replica may start
// delivering (before the lease can expire on the cluster, not when this
// process notices it expired), or two replicas may write to one person at
// once. The store should refuse this replica's commits from then on too,
// so that marking sent cannot race the next leader.
func (e *Engine) Fence(lost <-chan struct{}) { e.fence = lost }

// fenced reports whether the lead is lost.
func (e *Engine) fenced() bool {
	select {
	case <-e.fence:
		return true
	default:
		return false
	}
}

// watchFence stops delivery when the lead is lost; it returns when
// delivery stops for any reason.
func (e *Engine) watchFence() {
	if e.fence == nil {
		return
	}
	select {
	case <-e.fence:
		e.log.Warn("lead lost: delivery stops at once; the replies left in the outbox are for the next leader")
		e.stopSend()
	case <-e.sendCtx.Done():
	}
}
