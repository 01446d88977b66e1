package bot_test

import (
	"testing"

	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
)

// etcdReplicas starts a one-member etcd cluster in this process (loopback
// ports, data under the test's directory) and returns a function that
// opens the store of one more replica on it: every call a DB of its own,
// all sharing the same data, as replicas in separate processes do. The
// cluster and the stores close with the test.
func etcdReplicas(t *testing.T) func() *storage.DB {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an etcd member")
	}
	cli := embedded.StartOne(t, true)
	return func() *storage.DB {
		t.Helper()
		db, err := storage.OpenBackend(etcdkv.New(cli, etcdkv.Options{Prefix: "replicas/"}), "replica", storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("close replica store: %v", err)
			}
		})
		return db
	}
}
