// Package embedded runs etcd members inside the process (etcd's
// server/v3/embed), on loopback ports chosen at run time, for tests and
// for the load command: a whole cluster in one process, or one member per
// process so that a member can be killed alone.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"consultbot/storage/etcdkv"
)

// MemberConfig describes one member of a cluster.
type MemberConfig struct {
	Name      string
	Dir       string // the member's data directory
	ClientURL string // http://127.0.0.1:PORT
	PeerURL   string // http://127.0.0.1:PORT
	// Initial is the whole cluster as name=peerURL,… (etcd's
	// --initial-cluster).
	Initial string
	// NoFsync skips fsync (etcd's --unsafe-no-fsync): tests only.
	NoFsync bool
}

// Plan lays out a cluster of n members under dir, on free loopback ports.
func Plan(dir string, n int) ([]MemberConfig, error) {
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	ms := make([]MemberConfig, n)
	var initial []string
	for i := range ms {
		ms[i] = MemberConfig{
			Name:      fmt.Sprintf("m%d", i+1),
			Dir:       filepath.Join(dir, fmt.Sprintf("m%d", i+1)),
			ClientURL: fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
		}
		initial = append(initial, ms[i].Name+"="+ms[i].PeerURL)
	}
	for i := range ms {
		ms[i].Initial = strings.Join(initial, ",")
	}
	return ms, nil
}

// freePorts asks the kernel for n free loopback ports. They are released
// before etcd binds them, which another program could race for; tests
// retry then.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// Member is a running member.
type Member struct {
	Config MemberConfig
	etcd   *embed.Etcd
}

// StartMember starts one member and returns without waiting for the
// cluster to be ready (its peers may not be up yet); Ready waits.
func StartMember(mc MemberConfig) (*Member, error) {
	cfg := embed.NewConfig()
	cfg.Name = mc.Name
	cfg.Dir = mc.Dir
	cu, err := url.Parse(mc.ClientURL)
	if err != nil {
		return nil, err
	}
	pu, err := url.Parse(mc.PeerURL)
	if err != nil {
		return nil, err
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = mc.Initial
	cfg.InitialClusterToken = "consultbot"
	cfg.ClusterState = embed.ClusterStateFlagNew
	// What storage/etcdkv needs, as docs/OPERATIONS.md asks of a real
	// cluster.
	cfg.MaxTxnOps = etcdkv.DefaultMaxTxnOps
	cfg.MaxRequestBytes = etcdkv.DefaultMaxRequestBytes + 1<<20
	cfg.UnsafeNoFsync = mc.NoFsync
	// Short timings: a lost member or leader is noticed in about a second.
	cfg.TickMs = 50
	cfg.ElectionMs = 500
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("start etcd member %s: %w", mc.Name, err)
	}
	return &Member{Config: mc, etcd: e}, nil
}

// Ready waits until the member serves clients, or timeout.
func (m *Member) Ready(timeout time.Duration) error {
	select {
	case <-m.etcd.Server.ReadyNotify():
		return nil
	case err := <-m.etcd.Err():
		return fmt.Errorf("etcd member %s: %w", m.Config.Name, err)
	case <-time.After(timeout):
		return fmt.Errorf("etcd member %s: not ready after %s", m.Config.Name, timeout)
	}
}

// Stop closes the member; its data stays in its directory.
func (m *Member) Stop() { m.etcd.Close() }

// Cluster is a cluster of members running in this process.
type Cluster struct {
	Members []*Member
}

// Start starts a cluster of n members under dir and waits until each is
// ready.
func Start(dir string, n int, noFsync bool) (*Cluster, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		ms, err := Plan(dir, n)
		if err != nil {
			return nil, err
		}
		c := &Cluster{}
		for i := range ms {
			ms[i].Dir = filepath.Join(dir, fmt.Sprintf("try%d", attempt), ms[i].Name)
			ms[i].NoFsync = noFsync
			m, err := StartMember(ms[i])
			if err != nil {
				last = err
				break
			}
			c.Members = append(c.Members, m)
		}
		if len(c.Members) == n {
			if last = c.ready(); last == nil {
				return c, nil
			}
		}
		c.Close()
	}
	return nil, last
}

func (c *Cluster) ready() error {
	var errs []error
	for _, m := range c.Members {
		errs = append(errs, m.Ready(20*time.Second))
	}
	return errors.Join(errs...)
}

// Endpoints are the members' client URLs.
func (c *Cluster) Endpoints() []string {
	var eps []string
	for _, m := range c.Members {
		eps = append(eps, m.Config.ClientURL)
	}
	return eps
}

// Client connects to the cluster's members, with etcd's own logging off;
// the caller closes it.
func (c *Cluster) Client() (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
}

// Restart starts member i again, from its data, after Stop.
func (c *Cluster) Restart(i int) error {
	mc := c.Members[i].Config
	// A member with data ignores the initial cluster: it rejoins.
	m, err := StartMember(mc)
	if err != nil {
		return err
	}
	c.Members[i] = m
	return m.Ready(20 * time.Second)
}

// Close stops every member.
func (c *Cluster) Close() {
	for _, m := range c.Members {
		m.Stop()
	}
}
