package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// removeStep removes the participant's answer to theme/question.
func removeStep(theme, question string) func(flows.Session) (flows.Session, []flows.Reply) {
	return func(s flows.Session) (flows.Session, []flows.Reply) {
		delete(s.Answers, flows.AnswerKey(theme, question))
		return s, nil
	}
}

// digestAnswers reads ForEachDigestAnswer into a slice, texts copied.
func digestAnswers(t *testing.T, db *DB, since, until time.Time) []DigestAnswer {
	t.Helper()
	var got []DigestAnswer
	if err := db.ForEachDigestAnswer(context.Background(), since, until, nil, func(a DigestAnswer) error {
		a.Text = strings.Clone(a.Text)
		got = append(got, a)
		return nil
	}); err != nil {
		t.Fatalf("ForEachDigestAnswer: %v", err)
	}
	return got
}

// progressList reads ForEachProgress into a slice, themes copied.
func progressList(t *testing.T, db *DB) []Progress {
	t.Helper()
	var got []Progress
	if err := db.ForEachProgress(context.Background(), func(p Progress) error {
		if p.Themes != nil {
			themes := make(map[string]ThemeProgress, len(p.Themes))
			for id, tp := range p.Themes {
				tp.Answered = slices.Clone(tp.Answered)
				themes[id] = tp
			}
			p.Themes = themes
		}
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatalf("ForEachProgress: %v", err)
	}
	return got
}

func TestDigestAnswersByPeriod(t *testing.T) {
	db := openTest(t, Options{ExportChunk: 2})
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	apply(t, db, inbound("e1", "telegram:1"), day(0), answerStep("ecole", "q1", "Avant", day(0)))
	apply(t, db, inbound("e2", "telegram:2"), day(1), answerStep("ecole", "q1", "Pendant", day(1)))
	apply(t, db, inbound("e3", "telegram:3"), day(1), answerStep("ecole", "q2", "Retiré", day(1)))
	apply(t, db, inbound("e4", "telegram:4"), day(2), answerStep("ecole", "q1", "Après", day(2)))
	// An edit keeps the answer's creation time and replaces its text; a
	// removal takes it out.
	apply(t, db, inbound("e5", "telegram:2"), day(3), answerStep("ecole", "q1", "Pendant, corrigé", day(3)))
	apply(t, db, inbound("e6", "telegram:3"), day(3), removeStep("ecole", "q2"))

	got := digestAnswers(t, db, day(1), day(2))
	want := []DigestAnswer{
		{ID: 1, Participant: "telegram:1", Channel: "telegram", Profile: "parent", Academie: "Lyon", Theme: "ecole", Question: "q1", CreatedAt: day(0)},
		{ID: 2, Participant: "telegram:2", Channel: "telegram", Profile: "parent", Academie: "Lyon", Theme: "ecole", Question: "q1", Text: "Pendant, corrigé", CreatedAt: day(1)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers before day 2, texts from day 1 (-want +got):\n%s", diff)
	}
	if got := digestAnswers(t, db, time.Time{}, time.Time{}); len(got) != 3 || got[2].Text != "Après" || got[0].Text != "Avant" {
		t.Errorf("every answer, every text: %+v", got)
	}
}

func TestProgressFollowsSessionsBansAndErasure(t *testing.T) {
	db := openTest(t, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q2", "Un", t0))
	apply(t, db, inbound("e2", "telegram:1"), t0, answerStep("ecole", "q1", "Deux", t0))
	apply(t, db, inbound("e3", "telegram:2"), t0, answerStep("ecrans", "q1", "Trois", t0))
	apply(t, db, inbound("e4", "telegram:3"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageMenu // a newcomer who started nothing
		return s, nil
	})
	apply(t, db, inbound("e4b", "telegram:4"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage, s.Theme, s.Question = flows.StageQuestion, "ecrans", "q3" // on a question, nothing answered yet
		s.Started = map[string]time.Time{"ecrans": t0}
		return s, nil
	})
	apply(t, db, inbound("e4c", "telegram:5"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		// Shown a theme's first question straight after « Valider »,
		// nothing done there: not started.
		s.Stage, s.Theme, s.Question = flows.StageQuestion, "ecrans", "q1"
		return s, nil
	})
	if _, _, err := db.SetBanned(3, true); err != nil {
		t.Fatal(err)
	}
	want := []Progress{
		{Participant: "telegram:1", Themes: map[string]ThemeProgress{"ecole": {Answered: []string{"q1", "q2"}}}},
		{Participant: "telegram:2", Banned: true, Themes: map[string]ThemeProgress{"ecrans": {Answered: []string{"q1"}}}},
		{Participant: "telegram:4", Themes: map[string]ThemeProgress{"ecrans": {Current: "q3"}}},
	}
	if diff := cmp.Diff(want, progressList(t, db)); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	apply(t, db, inbound("e5", "telegram:2"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageErased
		return s, nil
	})
	if diff := cmp.Diff([]Progress{want[0], want[2]}, progressList(t, db)); diff != "" {
		t.Errorf("progress after erasure (-want +got):\n%s", diff)
	}
	if got := digestAnswers(t, db, time.Time{}, time.Time{}); len(got) != 2 {
		t.Errorf("answers after erasure: %+v", got)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Error(err)
	}
}

// A theme validated while some of its questions were never asked (they
// are recorded false in Session.Asked) is stored as such, not as complete;
// once they are answered, it is complete. The index still checks.
func TestProgressTellsValidatedWithUnaskedQuestions(t *testing.T) {
	db := openTest(t, Options{})
	validated := func(asked map[string]bool, answered ...string) func(flows.Session) (flows.Session, []flows.Reply) {
		return func(s flows.Session) (flows.Session, []flows.Reply) {
			for _, q := range answered {
				s, _ = answerStep("ecole", q, "Réponse "+q, t0)(s)
			}
			s.Stage, s.Theme = flows.StageMenu, ""
			s.Confirmed = map[string]time.Time{"ecole": t0}
			s.Asked = asked
			return s, nil
		}
	}
	apply(t, db, inbound("e1", "telegram:1"), t0, validated(map[string]bool{"ecole/q1": true, "ecole/q2": false, "ecole/q3": false}, "q1"))
	apply(t, db, inbound("e2", "telegram:2"), t0, validated(map[string]bool{"ecole/q1": true, "ecole/q2": true}, "q1"))
	want := []Progress{
		{Participant: "telegram:1", Themes: map[string]ThemeProgress{"ecole": {Answered: []string{"q1"}, Confirmed: true, Unasked: true}}},
		{Participant: "telegram:2", Themes: map[string]ThemeProgress{"ecole": {Answered: []string{"q1"}, Confirmed: true}}},
	}
	if diff := cmp.Diff(want, progressList(t, db)); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Error(err)
	}
	apply(t, db, inbound("e3", "telegram:1"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s, _ = answerStep("ecole", "q2", "Deux", t0)(s)
		s, _ = answerStep("ecole", "q3", "Trois", t0)(s)
		s.Stage, s.Theme = flows.StageMenu, ""
		return s, nil
	})
	want[0].Themes["ecole"] = ThemeProgress{Answered: []string{"q1", "q2", "q3"}, Confirmed: true}
	if diff := cmp.Diff(want, progressList(t, db)); diff != "" {
		t.Errorf("progress once every question is answered (-want +got):\n%s", diff)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Error(err)
	}
}

// A file written before Session.Started holds version 1 progress records,
// which list the theme of the question a participant was shown even when
// they did nothing there: it is read as not started, as the session
// itself now says, and the index still checks.
func TestVersion1ProgressReadsShownThemesAsNotStarted(t *testing.T) {
	db := openTest(t, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s, out := answerStep("ecole", "q1", "Un", t0)(s)
		s.Stage, s.Theme, s.Question = flows.StageQuestion, "ecrans", "q1"
		return s, out
	})
	apply(t, db, inbound("e2", "telegram:2"), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage, s.Theme, s.Question = flows.StageQuestion, "ecrans", "q1"
		return s, nil
	})
	// What version 1 wrote for these sessions.
	v1 := func(rec progressRecord) []byte {
		b := rec.encode()
		b[0] = progressRecordV1
		return b[:len(b)-1] // no day of the last action (0, one byte)
	}
	err := db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketProgress)
		if err := b.Put([]byte("telegram:1"), v1(progressRecord{Themes: map[string]themeProgressRecord{
			"ecole": {Answered: []string{"q1"}}, "ecrans": {Current: "q1"}}})); err != nil {
			return err
		}
		return b.Put([]byte("telegram:2"), v1(progressRecord{Themes: map[string]themeProgressRecord{"ecrans": {Current: "q1"}}}))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Progress{
		{Participant: "telegram:1", Themes: map[string]ThemeProgress{"ecole": {Answered: []string{"q1"}}}},
		{Participant: "telegram:2"},
	}
	if diff := cmp.Diff(want, progressList(t, db)); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if err := db.CheckDigestIndex(); err != nil {
		t.Error(err)
	}
}

// olderFile writes answers and sessions with edits, a removal and a ban,
// then strips the digest index and stamps the schema before it, as a
// program before the index left the file.
func olderFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "older.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		p := fmt.Sprintf("telegram:%d", i)
		at := t0.Add(time.Duration(i) * time.Hour)
		apply(t, db, inbound(fmt.Sprint("a", i), p), at, answerStep("ecole", "q1", fmt.Sprint("Réponse ", i), at))
		apply(t, db, inbound(fmt.Sprint("b", i), p), at, answerStep("ecrans", "q2", fmt.Sprint("Autre ", i), at))
	}
	apply(t, db, inbound("edit", "telegram:4"), t0.Add(24*time.Hour), answerStep("ecole", "q1", "Corrigée", t0.Add(24*time.Hour)))
	apply(t, db, inbound("rm", "telegram:5"), t0.Add(24*time.Hour), removeStep("ecrans", "q2"))
	if _, _, err := db.SetBanned(1, true); err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAnswersByTime, bucketProgress} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(digestIndexSchema-1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func sortByID(list []DigestAnswer) []DigestAnswer {
	slices.SortFunc(list, func(x, y DigestAnswer) int { return int(x.ID) - int(y.ID) })
	return list
}

// TestDigestIndexBuiltOnOpen opens a file written without the digest
// index: read-only, it is read the old way; read-write, the index is built
// in chunks and gives the same answers and progress.
func TestDigestIndexBuiltOnOpen(t *testing.T) {
	needBolt(t) // a file of an older program
	path := olderFile(t)
	since := t0.Add(3 * time.Hour)

	ro, err := OpenReadOnly(path, Options{ExportChunk: 4})
	if err != nil {
		t.Fatal(err)
	}
	oldAnswers := sortByID(digestAnswers(t, ro, since, time.Time{}))
	oldProgress := progressList(t, ro)
	ro.Close()
	if len(oldAnswers) != 17 || len(oldProgress) != 9 {
		t.Fatalf("read the old way: %d answers, %d participants", len(oldAnswers), len(oldProgress))
	}

	db := openAt(t, path, Options{ExportChunk: 4, indexBuildChunk: 5})
	if diff := cmp.Diff(oldAnswers, sortByID(digestAnswers(t, db, since, time.Time{}))); diff != "" {
		t.Errorf("answers through the built index (-old way +index):\n%s", diff)
	}
	if diff := cmp.Diff(oldProgress, progressList(t, db)); diff != "" {
		t.Errorf("progress through the built index (-old way +index):\n%s", diff)
	}
	db.view(func(tx kv.Tx) error {
		if v := bytesU64(tx.Bucket(bucketMeta).Get(keySchema)); v != SchemaVersion || !digestIndexReady(tx) {
			t.Errorf("after Open: schema %d, index ready %v", v, digestIndexReady(tx))
		}
		return nil
	})
}

// TestDigestIndexBuildResumes reopens a file as a kill during the build
// leaves it (the current schema, a chunk of the answers indexed, the marker after
// it): Open finishes the build, and until then a read-only open reads the
// old way rather than a partial index.
func TestDigestIndexBuildResumes(t *testing.T) {
	needBolt(t) // a file of an older program
	path := olderFile(t)
	db, err := Open(path, Options{indexBuildChunk: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	want := sortByID(digestAnswers(t, db, time.Time{}, time.Time{}))
	// Back to the state after the first chunk of six answers.
	err = db.update(func(tx kv.Tx) error {
		answers := tx.Bucket(bucketAnswers).Cursor()
		k, _ := answers.First()
		for range 5 {
			k, _ = answers.Next()
		}
		if err := tx.Bucket(bucketMeta).Put(keyIndexBuild, append([]byte{buildAnswers}, k...)); err != nil {
			return err
		}
		for k, v := answers.Next(); k != nil; k, v = answers.Next() {
			if err := unindexAnswerTx(tx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketProgress) })
	}
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sortByID(digestAnswers(t, ro, time.Time{}, time.Time{}))); diff != "" {
		t.Errorf("read-only during the build (-want +got):\n%s", diff)
	}
	ro.Close()

	db = openAt(t, path, Options{indexBuildChunk: 3})
	if diff := cmp.Diff(want, sortByID(digestAnswers(t, db, time.Time{}, time.Time{}))); diff != "" {
		t.Errorf("after the build resumed (-want +got):\n%s", diff)
	}
}
