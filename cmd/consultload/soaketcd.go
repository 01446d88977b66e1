package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

// runEtcdMember is `consultload etcd-member`: one member of the soak's
// cluster in a process of its own, so that the soak can SIGKILL it alone.
// It serves until SIGTERM or SIGINT.
func runEtcdMember(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultload etcd-member", flag.ContinueOnError)
	var mc embedded.MemberConfig
	fs.StringVar(&mc.Name, "name", "", "member name")
	fs.StringVar(&mc.Dir, "dir", "", "data directory")
	fs.StringVar(&mc.ClientURL, "client", "", "client URL")
	fs.StringVar(&mc.PeerURL, "peer", "", "peer URL")
	fs.StringVar(&mc.Initial, "initial", "", "the whole cluster, name=peerURL,…")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	m, err := embedded.StartMember(mc)
	if err != nil {
		return err
	}
	defer m.Stop()
	<-ctx.Done()
	return nil
}

// memberProcess is one etcd member run by `consultload etcd-member`.
type memberProcess struct {
	cfg     embedded.MemberConfig
	log     *os.File
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

func (p *memberProcess) start() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "etcd-member", "-name", p.cfg.Name, "-dir", p.cfg.Dir,
		"-client", p.cfg.ClientURL, "-peer", p.cfg.PeerURL, "-initial", p.cfg.Initial)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start etcd member %s: %w", p.cfg.Name, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	exited := p.exited
	go func() { p.waitErr = cmd.Wait(); close(exited) }()
	return nil
}

func (p *memberProcess) stop(sig syscall.Signal) {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
}

// soakCluster is the soak's etcd cluster: members in processes of their
// own, and a client of the soak's to watch the election and read the
// consultation at the end.
type soakCluster struct {
	members []*memberProcess
	cli     *clientv3.Client
}

func startSoakCluster(ctx context.Context, dir string, n int, log *os.File) (*soakCluster, error) {
	plan, err := embedded.Plan(filepath.Join(dir, "etcd"), n)
	if err != nil {
		return nil, err
	}
	c := &soakCluster{}
	for _, mc := range plan {
		p := &memberProcess{cfg: mc, log: log}
		if err := p.start(); err != nil {
			c.stop()
			return nil, err
		}
		c.members = append(c.members, p)
	}
	c.cli, err = clientv3.New(clientv3.Config{Endpoints: c.endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		c.stop()
		return nil, err
	}
	// Ready once a write goes through.
	deadline := time.Now().Add(30 * time.Second)
	for {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.cli.Put(wctx, "soak/ready", "1")
		cancel()
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.stop()
			return nil, fmt.Errorf("etcd cluster not ready: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *soakCluster) endpoints() []string {
	var eps []string
	for _, m := range c.members {
		eps = append(eps, m.cfg.ClientURL)
	}
	return eps
}

func (c *soakCluster) stop() {
	if c.cli != nil {
		c.cli.Close()
	}
	for _, m := range c.members {
		m.stop(syscall.SIGTERM)
	}
}

// leaderPID reads the election: the process id of the replica that leads,
// 0 while none does.
func (c *soakCluster) leaderPID(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := c.cli.Get(ctx, etcdkv.DefaultPrefix+"leader/", clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortAscend), clientv3.WithLimit(1))
	if err != nil || len(resp.Kvs) == 0 {
		return 0
	}
	v := string(resp.Kvs[0].Value)
	pid, _ := strconv.Atoi(v[strings.LastIndex(v, "/")+1:])
	return pid
}

// killLeader SIGKILLs the replica that leads, waits until another leads
// and starts the killed one again (it stands by); it returns how long the
// consultation was without a leader. While it waits, revive starts again
// the replicas that stop by themselves, as a service manager would.
func (c *soakCluster) killLeader(ctx context.Context, replicas []*botProcess, revive func() error) (time.Duration, error) {
	var victim *botProcess
	deadline := time.Now().Add(30 * time.Second)
	for victim == nil {
		pid := c.leaderPID(ctx)
		for _, r := range replicas {
			if r.cmd != nil && r.cmd.Process.Pid == pid {
				victim = r
			}
		}
		if victim == nil {
			if err := revive(); err != nil {
				return 0, err
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return 0, errors.New("no replica leads")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	old := victim.cmd.Process.Pid
	killed := time.Now()
	victim.stop(syscall.SIGKILL)
	for {
		if pid := c.leaderPID(ctx); pid != 0 && pid != old {
			break
		}
		if err := revive(); err != nil {
			return 0, err
		}
		if time.Since(killed) > time.Minute || ctx.Err() != nil {
			return 0, errors.New("no replica took over within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
	failover := time.Since(killed)
	return failover, victim.start()
}

// revive starts again the replicas that stopped on their own, as the
// service manager does (Restart=always): a leader whose lease expired
// stops by itself. It returns how many it started.
func revive(replicas []*botProcess) (int, error) {
	n := 0
	for _, r := range replicas {
		if r.cmd == nil {
			continue
		}
		select {
		case <-r.exited:
		default:
			continue
		}
		r.cmd = nil
		if err := r.start(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// killMember SIGKILLs member i and starts it again from its data.
func (c *soakCluster) killMember(i int, down time.Duration) error {
	m := c.members[i%len(c.members)]
	m.stop(syscall.SIGKILL)
	time.Sleep(down)
	return m.start()
}

// openStore reads the consultation back from the cluster.
func (c *soakCluster) openStore() (*storage.DB, error) {
	return storage.OpenBackend(etcdkv.New(c.cli, etcdkv.Options{}), "etcd:"+strings.Join(c.endpoints(), ","), storage.Options{})
}
