package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
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
	m.logger.Info("leading: polling, delivering and scheduling from this replica", "replica", id, "waited", time.Since(start).Round(time.Millisecond))
	if m.leading != nil {
		close(m.leading)
	}
	return l, nil
}

// lost is closed when the lease is gone.
func (l *leadership) lost() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.session.Done()
}

// resign hands the lead over at once (a clean stop), and ends the lease.
func (l *leadership) resign(ctx context.Context) error {
	if l == nil {
		return nil
	}
	err := l.election.Resign(ctx)
	return errors.Join(err, l.session.Close())
}
