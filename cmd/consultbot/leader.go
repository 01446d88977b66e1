package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"consultbot/bot"
)

// errLostLead ends `run` when its lease expired: another replica may
// already lead, so this one must stop polling, delivering and scheduling
// at once. The service manager starts it again, as a stand-by.
var errLostLead = errors.New("lost the lead: the etcd lease expired (the cluster was unreachable for longer than storage.lease_seconds); another replica takes over")

// leadership is this replica's place in the election among the
// `consultbot run` sharing an etcd cluster.
type leadership struct {
	session  *concurrency.Session
	election *concurrency.Election
	// lead is held until the lease may have expired on the cluster
	// (guard); stop ends guard.
	lead *bot.Lead
	stop context.CancelFunc
}

// campaign waits until this replica leads: it holds a lease that it keeps
// alive, and leads while its key is the oldest under the election prefix.
// When the leader's process dies its lease expires after lease_seconds and
// the oldest stand-by leads; a leader that stops cleanly resigns, and the
// next leads at once. It returns when ctx ends, with ctx's error.
func (m *Main) campaign(ctx context.Context, cfg StorageConfig) (*leadership, error) {
	session, err := concurrency.NewSession(m.cluster.Client(), concurrency.WithTTL(cfg.LeaseSeconds))
	if err != nil {
		return nil, fmt.Errorf("etcd session: %w", err)
	}
	l := &leadership{session: session, election: concurrency.NewElection(session, cfg.Prefix+"leader")}
	host, _ := os.Hostname()
	id := fmt.Sprintf("%s/%d", host, os.Getpid())
	start := time.Now()
	m.logger.Info("standing by until this replica leads", "replica", id, "lease_seconds", cfg.LeaseSeconds)
	if err := l.election.Campaign(ctx, id); err != nil {
		session.Close()
		return nil, err
	}
	m.logger.Info("leading: receiving (polling, or registering the webhook), delivering and scheduling from this replica", "replica", id, "waited", time.Since(start).Round(time.Millisecond))
	// A keep-alive of its own before delivering: from the moment it was
	// sent, the lease lasts its full time on the cluster (guard).
	ttl := time.Duration(cfg.LeaseSeconds) * time.Second
	sent := time.Now()
	resp, err := m.cluster.Client().KeepAliveOnce(ctx, session.Lease())
	if err != nil || resp.TTL <= 0 {
		session.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", errLostLead, err)
	}
	gctx, stop := context.WithCancel(context.Background())
	l.lead, l.stop = bot.NewLead(sent.Add(time.Duration(resp.TTL)*time.Second-ttl/10)), stop
	go l.guard(gctx, m.cluster.Client(), ttl)
	// From now on the cluster refuses this replica's commits once its
	// election key is gone, even before this process notices.
	m.cluster.Fence(l.election.Key(), l.election.Rev())
	if m.leading != nil {
		close(m.leading)
	}
	return l, nil
}

// guard ends the lead as soon as the lease may have expired on the cluster,
// which is earlier than the session notices it (the client counts the
// lease's time from each keep-alive's answer, and checks twice a second).
// The cluster renews a lease for its full time when a keep-alive reaches
// it, so the lease lasts at least that long from the moment the keep-alive
// was sent: guard sends its own, a third of the lease apart, and gives up
// the lead a tenth of the lease before that bound (the lead's, at first
// that of campaign's keep-alive), for a request already under way and for
// clocks that do not run at quite the same rate. No replica may lead
// before the lease expires, so none delivers while this one still can.
// Delivery checks that bound against the clock as each request leaves
// (bot.Lead), so a guard that runs late, in a process descheduled for a
// while, lets nothing through meanwhile.
func (l *leadership) guard(ctx context.Context, cli *clientv3.Client, ttl time.Duration) {
	defer l.lead.Lose()
	margin := ttl / 10
	every := ttl / 3
	next := time.Now().Add(every)
	until := l.lead.Until()
	for {
		wait := min(time.Until(next), time.Until(until))
		select {
		case <-ctx.Done():
			return
		case <-l.session.Done():
			return
		case <-time.After(wait):
		}
		if !time.Now().Before(until) {
			return
		}
		sent := time.Now()
		kctx, cancel := context.WithDeadline(ctx, until)
		resp, err := cli.KeepAliveOnce(kctx, l.session.Lease())
		cancel()
		switch {
		case err == nil && resp.TTL > 0:
			until = sent.Add(time.Duration(resp.TTL)*time.Second - margin)
			l.lead.Extend(until)
			next = sent.Add(every)
		case errors.Is(err, rpctypes.ErrLeaseNotFound):
			return
		default:
			// Unreachable for now: try again soon, until the bound.
			next = time.Now().Add(every / 4)
		}
	}
}

// lost is closed when the lease may be gone on the cluster: from then on
// this replica must not deliver.
func (l *leadership) lost() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.lead.Lost()
}

// held is the lead delivery checks; nil for no leadership.
func (l *leadership) held() *bot.Lead {
	if l == nil {
		return nil
	}
	return l.lead
}

// resign hands the lead over at once (a clean stop), and ends the lease.
func (l *leadership) resign(ctx context.Context) error {
	if l == nil {
		return nil
	}
	select {
	case <-l.lead.Lost():
		// The lease may be gone already: nothing to hand over.
		return l.session.Close()
	default:
	}
	l.stop() // before Resign: a stop is no lost lead
	err := l.election.Resign(ctx)
	return errors.Join(err, l.session.Close())
}
