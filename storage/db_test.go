package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolterrors "go.etcd.io/bbolt/errors"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage/etcdkv"
	"consultbot/storage/kv"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// openTest opens a database under t.TempDir and registers a cleanup that
// checks its consistency and closes it (after etcd-io/bbolt
// internal/btesting).
func openTest(t *testing.T, opts Options) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "consult.db"), opts)
}

func openAt(t *testing.T, path string, opts Options) *DB {
	t.Helper()
	db, err := openErr(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { checkClose(t, db) })
	return db
}

func checkClose(t *testing.T, db *DB) {
	t.Helper()
	err := db.Check()
	if errors.Is(err, ErrNotBolt) && errors.Is(db.Ping(), etcdkv.ErrClosed) || errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return // the test closed it
	}
	if err != nil && !errors.Is(err, ErrNotBolt) {
		t.Errorf("consistency check: %v", err)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Errorf("digest index: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func inbound(id, participant string) bot.Inbound {
	return bot.Inbound{
		ID:          id,
		Channel:     bot.ChannelTelegram,
		Participant: participant,
		Address:     "chat-" + participant,
		Event:       flows.Event{Kind: flows.EventText, Text: "hello"},
	}
}

// answerStep sets the profile and answers theme/question with text; it edits
// the session's answer map in place, as a careless step might.
func answerStep(theme, question, text string, now time.Time) bot.StepFunc {
	return func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageQuestion
		s.Profile = "parent"
		s.Academie = "Lyon"
		if s.Answers == nil {
			s.Answers = map[string]flows.Answer{}
		}
		k := flows.AnswerKey(theme, question)
		a, ok := s.Answers[k]
		if !ok {
			a = flows.Answer{Theme: theme, Question: question, CreatedAt: now}
		}
		a.Text, a.UpdatedAt = text, now
		s.Answers[k] = a
		return s, []flows.Reply{{Text: "merci"}, {Text: "question suivante", Options: []flows.Option{{Token: "t1", Label: "Oui"}}}}
	}
}

func apply(t *testing.T, db *DB, in bot.Inbound, now time.Time, step bot.StepFunc) bot.Applied {
	t.Helper()
	res, err := db.Apply(context.Background(), in, now, step)
	if err != nil {
		t.Fatalf("Apply(%s): %v", in.ID, err)
	}
	return res
}

func TestApplyPersistsSessionAnswersAndOutbox(t *testing.T) {
	db := openTest(t, Options{})
	in := inbound("telegram:update:1", "telegram:42")
	res := apply(t, db, in, t0, answerStep("ecole", "q1", "Plus d'écrans", t0))

	if res.Duplicate {
		t.Fatal("first Apply reported a duplicate")
	}
	wantOut := []bot.Outgoing{
		{Seq: 1, Channel: bot.ChannelTelegram, Address: "chat-telegram:42", Participant: "telegram:42", EventID: in.ID, Reply: flows.Reply{Text: "merci"}, CreatedAt: t0},
		{Seq: 2, Channel: bot.ChannelTelegram, Address: "chat-telegram:42", Participant: "telegram:42", EventID: in.ID, Index: 1, Reply: flows.Reply{Text: "question suivante", Options: []flows.Option{{Token: "t1", Label: "Oui"}}}, CreatedAt: t0},
	}
	if diff := cmp.Diff(wantOut, res.Outbox); diff != "" {
		t.Errorf("Applied.Outbox (-want +got):\n%s", diff)
	}
	pending, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantOut, pending); diff != "" {
		t.Errorf("Pending after commit (-want +got):\n%s", diff)
	}

	s, ok, err := db.Session("telegram:42")
	if err != nil || !ok {
		t.Fatalf("Session: ok=%v err=%v", ok, err)
	}
	if s.Participant != "telegram:42" || s.Stage != flows.StageQuestion || len(s.Answers) != 1 {
		t.Errorf("session = %+v", s)
	}
	answers, err := db.AnswersByParticipant("telegram:42")
	if err != nil {
		t.Fatal(err)
	}
	want := []Answer{{ID: 1, Participant: "telegram:42", Channel: bot.ChannelTelegram, Profile: "parent", Academie: "Lyon",
		Theme: "ecole", Question: "q1", Text: "Plus d'écrans", CreatedAt: t0, UpdatedAt: t0}}
	if diff := cmp.Diff(want, answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if at, ok, _ := db.appliedAt(in.ID); !ok || !at.Equal(t0) {
		t.Errorf("event recorded at %v (%v), want %v", at, ok, t0)
	}
}

func TestApplyNewParticipantGetsZeroSession(t *testing.T) {
	db := openTest(t, Options{})
	var got flows.Session
	apply(t, db, inbound("e1", "discord:7"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		got = s
		return s, nil
	})
	if diff := cmp.Diff(flows.Session{Participant: "discord:7"}, got); diff != "" {
		t.Errorf("session given to a new participant's step (-want +got):\n%s", diff)
	}
}

func TestApplyDuplicateIsNoop(t *testing.T) {
	db := openTest(t, Options{})
	in := inbound("telegram:update:7", "telegram:42")
	apply(t, db, in, t0, answerStep("ecole", "q1", "first", t0))

	called := false
	res := apply(t, db, in, t0.Add(time.Minute), func(s flows.Session) (flows.Session, []flows.Reply) {
		called = true
		return answerStep("ecole", "q1", "second", t0)(s)
	})
	if !res.Duplicate || len(res.Outbox) != 0 {
		t.Errorf("second Apply = %+v, want Duplicate and no outbox", res)
	}
	if called {
		t.Error("step ran for a duplicate event")
	}
	answers, _ := db.AnswersByQuestion("ecole", "q1")
	if len(answers) != 1 || answers[0].Text != "first" {
		t.Errorf("answers after duplicate = %+v, want the first text only", answers)
	}
	pending, _ := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if len(pending) != 2 {
		t.Errorf("outbox holds %d entries, want 2 (the duplicate added none)", len(pending))
	}
}

func TestPendingAndMarkSent(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	apply(t, db, inbound("t1", "telegram:1"), t0, answerStep("ecole", "q1", "a", t0)) // seqs 1, 2
	d := inbound("d1", "discord:1")
	d.Channel = bot.ChannelDiscord
	apply(t, db, d, t0, answerStep("ecole", "q1", "b", t0))                           // seqs 3, 4
	apply(t, db, inbound("t2", "telegram:2"), t0, answerStep("ecole", "q1", "c", t0)) // seqs 5, 6

	seqs := func(list []bot.Outgoing) []uint64 {
		var s []uint64
		for _, o := range list {
			s = append(s, o.Seq)
		}
		return s
	}
	tg, err := db.Pending(ctx, bot.ChannelTelegram, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 5}, seqs(tg)); diff != "" {
		t.Errorf("telegram pending, limit 3 (-want +got):\n%s", diff)
	}
	if err := db.MarkSent(ctx, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, 1); err != nil {
		t.Fatalf("marking an entry sent twice: %v", err)
	}
	tg, _ = db.Pending(ctx, bot.ChannelTelegram, 0)
	dc, _ := db.Pending(ctx, bot.ChannelDiscord, 0)
	if diff := cmp.Diff([]uint64{5, 6}, seqs(tg)); diff != "" {
		t.Errorf("telegram pending after MarkSent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{4}, seqs(dc)); diff != "" {
		t.Errorf("discord pending after MarkSent (-want +got):\n%s", diff)
	}
	if none, _ := db.Pending(ctx, bot.ChannelTerminal, 0); len(none) != 0 {
		t.Errorf("terminal pending = %v, want none", none)
	}
}

func TestAnswerIndexes(t *testing.T) {
	db := openTest(t, Options{})
	n := 0
	for _, p := range []string{"telegram:1", "telegram:2", "discord:3"} {
		for _, tq := range [][2]string{{"ecole", "q1"}, {"ecole", "q2"}, {"famille", "q1"}} {
			n++
			apply(t, db, inbound(fmt.Sprint("e", n), p), t0, answerStep(tq[0], tq[1], p+" on "+tq[0]+"/"+tq[1], t0))
		}
	}
	// A record under another theme that cannot be decoded: a listing that
	// scanned beyond its prefix would fail on it.
	err := db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketAnswers).Put(answerKey("zzz", "q1", "telegram:1"), []byte("not json"))
	})
	if err != nil {
		t.Fatal(err)
	}

	type row struct{ Theme, Question, Participant string }
	rows := func(list []Answer, err error) []row {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var r []row
		for _, a := range list {
			r = append(r, row{a.Theme, a.Question, a.Participant})
		}
		return r
	}
	if diff := cmp.Diff([]row{
		{"ecole", "q1", "discord:3"}, {"ecole", "q1", "telegram:1"}, {"ecole", "q1", "telegram:2"},
		{"ecole", "q2", "discord:3"}, {"ecole", "q2", "telegram:1"}, {"ecole", "q2", "telegram:2"},
	}, rows(db.AnswersByTheme("ecole"))); diff != "" {
		t.Errorf("AnswersByTheme(ecole) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]row{{"famille", "q1", "discord:3"}, {"famille", "q1", "telegram:1"}, {"famille", "q1", "telegram:2"}},
		rows(db.AnswersByQuestion("famille", "q1"))); diff != "" {
		t.Errorf("AnswersByQuestion(famille, q1) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]row{{"ecole", "q1", "telegram:2"}, {"ecole", "q2", "telegram:2"}, {"famille", "q1", "telegram:2"}},
		rows(db.AnswersByParticipant("telegram:2"))); diff != "" {
		t.Errorf("AnswersByParticipant(telegram:2) (-want +got):\n%s", diff)
	}
	if _, err := db.AnswersByTheme("zzz"); err == nil {
		t.Error("listing the planted theme decoded garbage without error")
	}
	// Let the cleanup's check pass with valid records only.
	db.update(func(tx kv.Tx) error { return tx.Bucket(bucketAnswers).Delete(answerKey("zzz", "q1", "telegram:1")) })
}

func TestAnswerIDStableAcrossEdits(t *testing.T) {
	db := openTest(t, Options{})
	p := "telegram:42"
	apply(t, db, inbound("e1", p), t0, answerStep("ecole", "q1", "first", t0))
	apply(t, db, inbound("e2", p), t0, answerStep("ecole", "q2", "other", t0))
	t1 := t0.Add(time.Hour)
	apply(t, db, inbound("e3", p), t1, func(s flows.Session) (flows.Session, []flows.Reply) {
		s, _ = answerStep("ecole", "q1", "edited", t1)(s)
		s.Profile = "enseignant"
		return s, nil
	})

	got, err := db.AnswersByParticipant(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d answers, want 2", len(got))
	}
	q1, q2 := got[0], got[1]
	if q1.ID != 1 || q2.ID != 2 {
		t.Errorf("ids = %d, %d; want 1 kept across the edit and 2", q1.ID, q2.ID)
	}
	if q1.Text != "edited" || !q1.CreatedAt.Equal(t0) || !q1.UpdatedAt.Equal(t1) || q1.Profile != "enseignant" {
		t.Errorf("edited answer = %+v", q1)
	}
	if q2.Text != "other" || !q2.UpdatedAt.Equal(t0) || q2.Profile != "enseignant" {
		t.Errorf("untouched answer = %+v, want its text and times kept and the corrected profile", q2)
	}

	// Removing an answer removes it from both indexes; answering again
	// later gets a new id.
	apply(t, db, inbound("e4", p), t1, func(s flows.Session) (flows.Session, []flows.Reply) {
		delete(s.Answers, flows.AnswerKey("ecole", "q1"))
		return s, nil
	})
	if byQ, _ := db.AnswersByQuestion("ecole", "q1"); len(byQ) != 0 {
		t.Errorf("removed answer still listed by question: %+v", byQ)
	}
	if byP, _ := db.AnswersByParticipant(p); len(byP) != 1 || byP[0].Question != "q2" {
		t.Errorf("answers of participant after removal = %+v", byP)
	}
	apply(t, db, inbound("e5", p), t1, answerStep("ecole", "q1", "again", t1))
	if byQ, _ := db.AnswersByQuestion("ecole", "q1"); len(byQ) != 1 || byQ[0].ID != 3 {
		t.Errorf("re-created answer = %+v, want id 3", byQ)
	}
}

func TestApplyRollsBackOnPanicOrError(t *testing.T) {
	db := openTest(t, Options{})
	p := "telegram:42"
	apply(t, db, inbound("e1", p), t0, answerStep("ecole", "q1", "kept", t0))

	bad := map[string]bot.StepFunc{
		"panic": func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Answers[flows.AnswerKey("ecole", "q1")] = flows.Answer{Theme: "ecole", Question: "q1", Text: "lost"}
			panic("boom")
		},
		"theme with separator": func(s flows.Session) (flows.Session, []flows.Reply) {
			s, r := answerStep("ecole", "q1", "lost", t0)(s)
			s.Answers["a/b/q"] = flows.Answer{Theme: "a/b", Question: "q"}
			return s, r
		},
		"participant changed": func(s flows.Session) (flows.Session, []flows.Reply) {
			s, r := answerStep("ecole", "q1", "lost", t0)(s)
			s.Participant = ""
			return s, r
		},
	}
	for name, step := range bad {
		t.Run(name, func(t *testing.T) {
			// Alongside concurrent good events, so the failing function
			// also goes through a batch and its solo re-run.
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					in := inbound(fmt.Sprintf("%s-good-%d", name, i), fmt.Sprintf("discord:%d", i))
					in.Channel = bot.ChannelDiscord
					apply(t, db, in, t0, answerStep("ecole", "q2", "ok", t0))
				})
			}
			id := "bad-" + name
			_, err := db.Apply(context.Background(), inbound(id, p), t0, step)
			wg.Wait()
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			got, _ := db.AnswersByParticipant(p)
			if len(got) != 1 || got[0].Text != "kept" {
				t.Errorf("answers after failed Apply = %+v, want only the kept one", got)
			}
			if pending, _ := db.Pending(context.Background(), bot.ChannelTelegram, 0); len(pending) != 2 {
				t.Errorf("outbox holds %d entries, want the 2 from before", len(pending))
			}
			if _, ok, _ := db.appliedAt(id); ok {
				t.Error("failed event recorded as applied: a redelivery would be dropped")
			}
			if byQ, _ := db.AnswersByQuestion("ecole", "q2"); len(byQ) != 8 {
				t.Errorf("concurrent good events committed %d answers, want 8", len(byQ))
			}
		})
	}
	if strings.Contains(fmt.Sprint(db.Apply(context.Background(), inbound("x", "a/b"), t0, answerStep("e", "q", "t", t0))), "<nil>") {
		t.Error("participant containing the key separator was accepted")
	}
}

func TestConcurrentApplyManyParticipants(t *testing.T) {
	db := openTest(t, Options{MaxBatchSize: 16})
	var wg sync.WaitGroup
	const participants, events = 50, 4
	for p := range participants {
		wg.Go(func() {
			for e := range events {
				apply(t, db, inbound(fmt.Sprintf("e-%d-%d", p, e), fmt.Sprintf("telegram:%d", p)), t0, answerStep("ecole", fmt.Sprint("q", e), "x", t0))
			}
		})
	}
	wg.Wait()
	n := 0
	var ids = map[uint64]bool{}
	if err := db.ForEachAnswer(context.Background(), func(a Answer) error {
		n++
		ids[a.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != participants*events || len(ids) != n {
		t.Errorf("%d answers with %d distinct ids, want %d of each", n, len(ids), participants*events)
	}
	pending, _ := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if len(pending) != 2*participants*events {
		t.Errorf("outbox holds %d, want %d", len(pending), 2*participants*events)
	}
	for i := 1; i < len(pending); i++ {
		if pending[i].Seq <= pending[i-1].Seq {
			t.Fatalf("outbox not in sequence order at %d: %d after %d", i, pending[i].Seq, pending[i-1].Seq)
		}
	}
}

func TestForEachAnswerReadsInChunks(t *testing.T) {
	db := openTest(t, Options{ExportChunk: 3})
	for i := range 10 {
		apply(t, db, inbound(fmt.Sprint("e", i), fmt.Sprintf("telegram:%02d", i)), t0, answerStep("ecole", "q1", "x", t0))
	}
	var got []string
	err := db.ForEachAnswer(context.Background(), func(a Answer) error {
		got = append(got, a.Participant)
		// Writing from inside fn would deadlock if a read transaction
		// were open across the whole export and the file had to grow;
		// this at least proves fn runs outside any write.
		if len(got) == 4 {
			apply(t, db, inbound("during", "telegram:99"), t0, answerStep("ecole", "q1", "late", t0))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 11 || got[0] != "telegram:00" || got[10] != "telegram:99" {
		t.Errorf("visited %v", got)
	}
	stop := errors.New("stop")
	calls := 0
	err = db.ForEachAnswer(context.Background(), func(Answer) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ForEachAnswer with failing fn: err=%v calls=%d", err, calls)
	}
}

func TestPruneApplied(t *testing.T) {
	db := openTest(t, Options{})
	for i := range 5 {
		apply(t, db, inbound(fmt.Sprint("e", i), "telegram:1"), t0.Add(time.Duration(i)*time.Hour), func(s flows.Session) (flows.Session, []flows.Reply) { return s, nil })
	}
	n, err := db.PruneApplied(t0.Add(2 * time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneApplied = %d, %v; want 2", n, err)
	}
	for i := range 5 {
		_, ok, _ := db.appliedAt(fmt.Sprint("e", i))
		if ok != (i >= 2) {
			t.Errorf("e%d remembered = %v after pruning before hour 2", i, ok)
		}
	}
	// A forgotten id is applied again: that is the price of pruning.
	res := apply(t, db, inbound("e0", "telegram:1"), t0, func(s flows.Session) (flows.Session, []flows.Reply) { return s, nil })
	if res.Duplicate {
		t.Error("pruned id still deduplicated")
	}
}

func TestOpenTwiceFailsFast(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "x.db")
	openAt(t, path, Options{})
	_, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
	want := fmt.Sprintf("open db %q: already in use by another process", path)
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	needBolt(t)
	db := openTest(t, Options{})
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %04o, want 0600", perm)
	}
}

func TestOpenRefusesGroupReadableFile(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "shared.db")
	db := openAt(t, path, Options{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "0640 lets group or others read it") {
		t.Fatalf("Open of a group-readable file: %v", err)
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	db := openAt(t, path, Options{})
	var stored []byte
	db.view(func(tx kv.Tx) error {
		stored = append(stored, tx.Bucket(bucketMeta).Get(keySchema)...)
		return nil
	})
	if diff := cmp.Diff(u64(SchemaVersion), stored); diff != "" {
		t.Errorf("stored schema version (-want +got):\n%s", diff)
	}
	if err := db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := openErr(path, Options{})
	want := fmt.Sprintf("schema version %d is newer than this program's %d", SchemaVersion+1, SchemaVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open of a newer schema: %v, want it to say %q", err, want)
	}
	// The refused Open released the file: trying again says the same, not
	// "in use".
	if _, err := openErr(path, Options{LockTimeout: 50 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Open of a newer schema: %v", err)
	}
}

// TestConcurrentApplySameParticipantLosesNothing applies many events of
// one participant at once, without the engine's per-participant order:
// each step runs first on the session as last stored, outside the
// transaction, so most of them start from the same session; every event
// must still count, and every answer be stored.
func TestConcurrentApplySameParticipantLosesNothing(t *testing.T) {
	db := openTest(t, Options{MaxBatchSize: 8})
	const p, events = "telegram:7", 40
	var wg sync.WaitGroup
	for e := range events {
		wg.Go(func() {
			apply(t, db, inbound(fmt.Sprint("e", e), p), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
				s.Prompt++
				if s.Answers == nil {
					s.Answers = map[string]flows.Answer{}
				}
				q := fmt.Sprint("q", e)
				s.Answers[flows.AnswerKey("ecole", q)] = flows.Answer{Theme: "ecole", Question: q, Text: "x", CreatedAt: t0, UpdatedAt: t0}
				return s, []flows.Reply{{Text: fmt.Sprint("reçu ", s.Prompt)}}
			})
		})
	}
	wg.Wait()
	s, ok, err := db.Session(p)
	if err != nil || !ok {
		t.Fatalf("Session: %v, %v", ok, err)
	}
	if s.Prompt != events || len(s.Answers) != events {
		t.Errorf("after %d concurrent events: prompt %d, %d answers", events, s.Prompt, len(s.Answers))
	}
	pending, _ := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	seen := map[string]bool{}
	for _, out := range pending {
		seen[out.Reply.Text] = true
	}
	if len(pending) != events || len(seen) != events {
		t.Errorf("outbox holds %d replies, %d distinct, want %d of each", len(pending), len(seen), events)
	}
}
