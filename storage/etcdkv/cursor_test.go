package etcdkv_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"consultbot/storage/etcdkv"
	"consultbot/storage/etcdkv/embedded"
	"consultbot/storage/kv"
)

// TestSameViewAsBolt applies the same random transactions to a bbolt file
// and to etcd: puts, deletes and sequences, some rolled back, with
// cursors walking, seeking and deleting across more keys than a page,
// inside the transaction that changes them. Every read gives the same
// answer on both.
func TestSameViewAsBolt(t *testing.T) {
	cli := embedded.StartOne(t, true) // fsync off, as the bbolt side
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	backends := []kv.Backend{kv.Bolt(bdb), etcdkv.New(cli, etcdkv.Options{Prefix: "same/"})}
	defer backends[0].Close()

	rng := rand.New(rand.NewPCG(1, 2))
	key := func() []byte { return fmt.Appendf(nil, "k%04d", rng.IntN(400)) }
	var errRollback = fmt.Errorf("rollback")
	for round := range 60 {
		// One script of operations, drawn once and played on both.
		type op struct {
			kind int
			k    []byte
			v    []byte
		}
		var ops []op
		for range 1 + rng.IntN(120) {
			ops = append(ops, op{kind: rng.IntN(9), k: key(), v: fmt.Appendf(nil, "v%d", rng.IntN(1000))})
		}
		rollback := rng.IntN(5) == 0
		var seen [2][]string
		for i, b := range backends {
			err := b.Update(func(tx kv.Tx) error {
				seen[i] = seen[i][:0]
				bk, err := tx.CreateBucketIfNotExists([]byte("b"))
				if err != nil {
					return err
				}
				// Nested buckets live apart from keys (bbolt's cursors
				// list them, etcd's do not; storage never mixes them).
				outer, err := tx.CreateBucketIfNotExists([]byte("o"))
				if err != nil {
					return err
				}
				nested, err := outer.CreateBucketIfNotExists([]byte("n"))
				if err != nil {
					return err
				}
				for _, o := range ops {
					switch o.kind {
					case 0, 1, 6, 7, 8:
						if err := bk.Put(o.k, o.v); err != nil {
							return err
						}
					case 2:
						if err := bk.Delete(o.k); err != nil {
							return err
						}
					case 3: // seek, then delete what follows as erasure does
						cur := bk.Cursor()
						k, v := cur.Seek(o.k)
						for j := 0; k != nil && j < 2; j++ {
							seen[i] = append(seen[i], fmt.Sprintf("seek %s=%s", k, v))
							if err := cur.Delete(); err != nil {
								return err
							}
							k, v = cur.Seek(k)
						}
					case 4:
						s, err := nested.NextSequence()
						if err != nil {
							return err
						}
						seen[i] = append(seen[i], fmt.Sprintf("seq %d get %s", s, bk.Get(o.k)))
					case 5:
						n := 0
						cur := bk.Cursor()
						for k, _ := cur.First(); k != nil; k, _ = cur.Next() {
							n++
						}
						seen[i] = append(seen[i], fmt.Sprintf("count %d", n))
					}
				}
				if rollback {
					return errRollback
				}
				return nil
			})
			if err != nil && err != errRollback {
				t.Fatalf("round %d on backend %d: %v", round, i, err)
			}
		}
		if !slices.Equal(seen[0], seen[1]) {
			t.Fatalf("round %d: bbolt saw\n%v\netcd saw\n%v", round, seen[0], seen[1])
		}
	}
	// The committed state, in order, and the nested bucket listed.
	var all [2][]string
	for i, b := range backends {
		err := b.View(func(tx kv.Tx) error {
			bk := tx.Bucket([]byte("b"))
			err := bk.ForEach(func(k, v []byte) error {
				all[i] = append(all[i], string(k)+"="+string(v))
				return nil
			})
			if err != nil {
				return err
			}
			outer := tx.Bucket([]byte("o"))
			return outer.ForEachBucket(func(name []byte) error {
				all[i] = append(all[i], fmt.Sprintf("bucket %s seq %d", name, outer.Bucket(name).Sequence()))
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(all[0], all[1]) {
		t.Fatalf("committed state differs:\nbbolt %v\netcd  %v", all[0], all[1])
	}
	if len(all[0]) < 130 {
		t.Fatalf("only %d keys: the cursors never crossed a page", len(all[0]))
	}
}
