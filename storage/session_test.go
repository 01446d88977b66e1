package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// v3SessionRecord is the session record schema 3 wrote: version 1, the
// whole session, every answer included.
type v3SessionRecord struct {
	V       int           `json:"v"`
	Session flows.Session `json:"session"`
}

// writeAsSchema3 turns the file at path back into what schema 3 wrote for
// the same history: every session record as version 1 carrying its
// answers, the version stamped 3. extra is written as it stands, as a
// session whose answers never reached the answers bucket.
func writeAsSchema3(t *testing.T, db *DB, extra flows.Session) {
	t.Helper()
	err := db.update(func(tx kv.Tx) error {
		sessions := tx.Bucket(bucketSessions)
		var full []flows.Session
		err := sessions.ForEach(func(k, v []byte) error {
			r, err := loadSessionTx(tx, string(k), v)
			full = append(full, r.Session)
			return err
		})
		if err != nil {
			return err
		}
		for _, s := range append(full, extra) {
			b, err := json.Marshal(v3SessionRecord{V: 1, Session: s})
			if err != nil {
				return err
			}
			if err := sessions.Put([]byte(s.Participant), b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(3))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenMigratesSchema3 opens a file as schema 3 wrote it (sessions
// holding every answer) and finds the same sessions, answers, ids and
// digests' view, with session records that no longer hold answers; then
// the conversation goes on from there. A read-only open of the schema 3
// file, which migrates nothing, reads the same sessions.
func TestOpenMigratesSchema3(t *testing.T) {
	needBolt(t) // a file of an older program
	path := filepath.Join(t.TempDir(), "v3.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{})
	anna := newPerson(t, db, m, "telegram:anna", "100", t0)
	anna.answerFirstQuestion("Moins d'écrans en maternelle.")
	anna.say("Des outils simples pour les familles.")
	bob := newPerson(t, db, m, "discord:bob", "200", t0)
	bob.answerFirstQuestion("Former les enseignants.")
	apply(t, db, inbound("voice", "telegram:carla"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage, s.Profile = flows.StageQuestion, "parent"
		s.Answers = map[string]flows.Answer{"ecole/q1": {Theme: "ecole", Question: "q1", Voice: &flows.Voice{FileID: "f1", Duration: 4}, CreatedAt: t0, UpdatedAt: t0}}
		s.Confirmed = map[string]time.Time{"ecole": t0}
		return s, nil
	})
	// Many sessions without answers, so that the migration takes several
	// transactions.
	err = db.update(func(tx kv.Tx) error {
		for i := range 2*migrateChunk + 10 {
			s := flows.Session{Participant: fmt.Sprintf("web:%05d", i), Lang: "fr", Stage: flows.StageConsent, CreatedAt: t0}
			b, err := json.Marshal(v3SessionRecord{V: 1, Session: s})
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketSessions).Put([]byte(s.Participant), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lost := flows.Session{Participant: "telegram:dan", Lang: "fr", Stage: flows.StageMenu, Profile: "enseignant", CreatedAt: t0, UpdatedAt: t0,
		Answers: map[string]flows.Answer{"ecole/q2": {Theme: "ecole", Question: "q2", Choice: "oui", CreatedAt: t0, UpdatedAt: t0}}}
	writeAsSchema3(t, db, lost)

	sessions := func(db *DB) map[string]flows.Session {
		t.Helper()
		all := map[string]flows.Session{}
		err := db.ForEachSession(context.Background(), func(s flows.Session) error {
			all[s.Participant] = s
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	answers := func(db *DB) []Answer {
		t.Helper()
		var all []Answer
		if err := db.ForEachAnswer(context.Background(), func(a Answer) error { all = append(all, a); return nil }); err != nil {
			t.Fatal(err)
		}
		return all
	}
	before, answersBefore := sessions(db), answers(db)
	if len(before) != 2*migrateChunk+10+4 || len(before["telegram:anna"].Answers) != 2 {
		t.Fatalf("schema 3 file: %d sessions, anna has %d answers", len(before), len(before["telegram:anna"].Answers))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, sessions(ro)); diff != "" {
		t.Errorf("read-only open of the schema 3 file (-schema 3 +read):\n%s", diff)
	}
	ro.Close()

	db = openAt(t, path, Options{})
	var version uint64
	var old []string
	db.view(func(tx kv.Tx) error {
		version = bytesU64(tx.Bucket(bucketMeta).Get(keySchema))
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			if !strings.Contains(string(v), `"v":2`) || strings.Contains(string(v), `"answers"`) {
				old = append(old, string(k))
			}
			return nil
		})
	})
	if version != SchemaVersion {
		t.Errorf("schema version %d after migration, want %d", version, SchemaVersion)
	}
	if len(old) > 0 {
		t.Errorf("%d session records not migrated, such as %s", len(old), old[0])
	}
	if diff := cmp.Diff(before, sessions(db)); diff != "" {
		t.Errorf("sessions after migration (-schema 3 +now):\n%s", diff)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Errorf("digest index after migration: %v", err)
	}
	// The answer only the session held is now stored, with a new id;
	// the others are as they were.
	got := answers(db)
	var dan []Answer
	var others []Answer
	for _, a := range got {
		if a.Participant == lost.Participant {
			dan = append(dan, a)
		} else {
			others = append(others, a)
		}
	}
	if diff := cmp.Diff(answersBefore, others); diff != "" {
		t.Errorf("answers after migration (-schema 3 +now):\n%s", diff)
	}
	if len(dan) != 1 || dan[0].Choice != "oui" || dan[0].Channel != "telegram" || dan[0].Profile != "enseignant" {
		t.Errorf("answer kept only in a schema 3 session: %+v", dan)
	} else if a, _, err := db.AnswerByID(dan[0].ID); err != nil || a.Choice != "oui" {
		t.Errorf("AnswerByID(%d) = %+v, %v", dan[0].ID, a, err)
	}

	// The conversation goes on: /mes_reponses shows both answers.
	anna.db = db
	res := anna.say("/mes_reponses")
	var text string
	for _, out := range res.Outbox {
		text += out.Reply.Text + "\n"
	}
	for _, want := range []string{"Moins d'écrans en maternelle.", "Des outils simples pour les familles."} {
		if !strings.Contains(text, want) {
			t.Errorf("after migration, /mes_reponses does not show %q:\n%s", want, text)
		}
	}

	// A second Open has nothing left to do.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, Options{})
	if diff := cmp.Diff(before["telegram:bob"], sessions(db)["telegram:bob"]); diff != "" {
		t.Errorf("bob after a second Open (-schema 3 +now):\n%s", diff)
	}
}
