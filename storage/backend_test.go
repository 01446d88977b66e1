package storage

import (
	"fmt"
	"os"
	"sync"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

// The tests of this package are the storage contract: TestMain runs them
// all on bbolt files, then all again on a three-member etcd cluster
// started in this process (loopback ports, data in a temporary
// directory), each test under a key prefix of its own. The few that are
// about the file itself (backups, compaction, damage, locking) call
// needBolt.
var onEtcd struct {
	cli      *clientv3.Client
	mu       sync.Mutex
	prefixes map[string]string // database path → key prefix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 || testing.Short() {
		os.Exit(code)
	}
	os.Exit(runOnEtcd(m))
}

func runOnEtcd(m *testing.M) int {
	dir, err := os.MkdirTemp("", "storage-etcd-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	c, err := embedded.Start(dir, 3, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	cli, err := c.Client()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cli.Close()
	onEtcd.cli, onEtcd.prefixes = cli, map[string]string{}
	fmt.Println("storage: the same tests on an etcd cluster of 3 members")
	return m.Run()
}

// needBolt skips a test about the bbolt file itself on other backends.
func needBolt(t *testing.T) {
	t.Helper()
	if onEtcd.cli != nil {
		t.Skip("about the bbolt file itself")
	}
}

// openErr opens the database at path on the backend under test: the file,
// or on etcd the key prefix that stands for it, so that reopening the
// same path finds the same data.
func openErr(path string, opts Options) (*DB, error) {
	if onEtcd.cli == nil {
		return Open(path, opts)
	}
	onEtcd.mu.Lock()
	prefix, ok := onEtcd.prefixes[path]
	if !ok {
		prefix = fmt.Sprintf("test/%d/", len(onEtcd.prefixes))
		onEtcd.prefixes[path] = prefix
	}
	onEtcd.mu.Unlock()
	return OpenBackend(etcdkv.New(onEtcd.cli, etcdkv.Options{Prefix: prefix}), path, opts)
}
