package storage

import (
	"context"
	"fmt"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// ForEachSession calls fn for every participant's session, ordered by
// participant id. Like ForEachAnswer it reads Options.ExportChunk sessions
// per read transaction and calls fn outside of it, so that a digest over a
// large store never holds a transaction open (bbolt issue 854: a long read
// transaction blocks a writer that must grow the file). Sessions written
// during the walk may or may not be seen. An error from fn stops the walk
// and is returned as is.
func (db *DB) ForEachSession(ctx context.Context, fn func(flows.Session) error) error {
	return walkChunks(ctx, db, bucketSessions, "read sessions", func(tx kv.Tx, k, v []byte) (flows.Session, error) {
		// loadSessionTx copies: json.Unmarshal never keeps v.
		r, err := loadSessionTx(tx, string(k), v)
		if err != nil {
			return flows.Session{}, fmt.Errorf("participant %q: %w", k, err)
		}
		return r.Session, nil
	}, fn)
}
