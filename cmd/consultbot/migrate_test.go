package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"consultbot/storage"
	"consultbot/storage/etcdkv/embedded"
)

// startCluster starts a three-member etcd cluster in this process, on
// loopback ports, for the test.
func startCluster(t *testing.T) *embedded.Cluster {
	t.Helper()
	c, err := embedded.Start(t.TempDir(), 3, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestMigrateToEtcdAndBack(t *testing.T) {
	c := startCluster(t)
	src := seedDB(t)
	etcd := "etcd:" + strings.Join(c.Endpoints(), ",")
	for range 2 { // the second run changes nothing and says the same
		out, _, err := runCommand(t, english, "migrate", "--from", "bolt:"+src, "--to", etcd)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "counts and checksums match") || !strings.Contains(out, "answers ") {
			t.Fatalf("migrate printed:\n%s", out)
		}
	}
	back := filepath.Join(t.TempDir(), "back.db")
	if _, _, err := runCommand(t, nil, "migrate", "--from", etcd, "--to", "bolt:"+back); err != nil {
		t.Fatal(err)
	}
	sums := func(path string) []storage.BucketSum {
		db, err := storage.OpenReadOnly(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s, err := db.Sums(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := sums(src), sums(back)
	if len(a) != len(b) {
		t.Fatalf("%d buckets there, %d back", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("bucket %s: %+v there, %+v back", a[i].Bucket, a[i], b[i])
		}
	}

	for _, bad := range [][]string{
		{"--from", "bolt:" + src},
		{"--from", "sqlite:x.db", "--to", etcd},
		{"--from", "bolt:" + src, "--to", "bolt:" + src},
		{"--from", "bolt:" + src, "--to", "etcd:127.0.0.1:2379"},
	} {
		if _, _, err := runCommand(t, nil, append([]string{"migrate"}, bad...)...); err == nil {
			t.Errorf("migrate %q was accepted", bad)
		}
	}
}

// startClient connects to the cluster for the test.
func startClient(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// TestMigrateFromAMissingFileCopiesNothing: a mistyped --from file is
// said to be missing, in the command line's language, and neither it nor
// the destination is created (opening it would make an empty
// consultation, whose migration looked like a success).
func TestMigrateFromAMissingFileCopiesNothing(t *testing.T) {
	dir := t.TempDir()
	missing, dst := filepath.Join(dir, "consultbot.dbb"), filepath.Join(dir, "copy.db")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "migrate : --from « bolt:" + missing + " » : ce fichier n'existe pas"},
		{english, `migrate: --from "bolt:` + missing + `": no such file`},
	} {
		_, _, err := runCommand(t, tc.env, "migrate", "--from", "bolt:"+missing, "--to", "bolt:"+dst)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: migrate from a missing file: %v, want %q", tc.env, err, tc.want)
		}
		for _, f := range []string{missing, dst} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%v: migrate from a missing file created %s", tc.env, f)
			}
		}
	}
}
