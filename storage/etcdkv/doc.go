// Package etcdkv keeps the consultation in an etcd cluster: it implements
// kv.Backend, so that storage's logic (one event, one transaction,
// then send) runs unchanged on a cluster that survives the loss of a
// machine.
//
// A transaction reads as of one revision (linearizably for its start,
// then serializable reads pinned to that revision) and buffers its
// writes; its commit is one etcd Txn that compares the revision of a
// commit key every commit writes, so commits are serializable, like
// bbolt's single writer, across every process sharing the cluster. A
// transaction that lost to another writer runs again. Concurrent calls
// of Batch in one process share a commit, as with bbolt.
//
// Each bucket is a key prefix; see the layout in tx.go. One commit must
// fit the cluster's --max-txn-ops and --max-request-bytes, which must be
// raised from etcd's defaults (Options, docs/OPERATIONS.md).
package etcdkv
