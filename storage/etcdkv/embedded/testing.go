package embedded

import (
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// StartOne starts a one-member cluster in a directory of tb's (fsync off
// when noFsync) and returns a client of it; both end with tb.
func StartOne(tb testing.TB, noFsync bool) *clientv3.Client {
	tb.Helper()
	c, err := Start(tb.TempDir(), 1, noFsync)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	cli, err := c.Client()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cli.Close() })
	return cli
}
