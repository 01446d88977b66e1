// Package kv is the small transactional key-value layer package storage
// is written on: the consultation's logic (one event, one transaction)
// is written once against Backend, and runs on a bbolt file (Bolt) or on
// an etcd cluster (package storage/etcdkv). The interfaces follow bbolt's
// method set, so that the storage code reads as bbolt code.
package kv
