package storage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/flows"
	"consultbot/storage/kv"
	"consultbot/voice"
)

// voicePerson opens theme 1 and answers its first question with a voice
// note whose platform reference is fileID.
func voicePerson(t *testing.T, db *DB, m *flows.Machine, id string) *person {
	t.Helper()
	p := newPerson(t, db, m, id, "chat-"+id, t0)
	p.say("/start")
	p.tap(0) // J'accepte
	p.tap(0) // Parent
	p.tap(0) // Passer
	p.tap(0) // theme 1
	return p
}

func (p *person) voice(fileID string, seconds int) {
	p.t.Helper()
	p.send(flows.Event{Kind: flows.EventVoice, Voice: &flows.Voice{FileID: fileID, Duration: seconds, URL: "https://cdn.example/" + fileID, Size: 4000}})
}

func jobs(t *testing.T, db *DB, now time.Time) []voice.Job {
	t.Helper()
	js, _, err := db.VoiceJobs(context.Background(), now, 100)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func trash(t *testing.T, db *DB) []string {
	t.Helper()
	names, err := db.VoiceTrash(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestVoiceJobWrittenWithTheAnswer: the fetch of a voice answer's audio is
// recorded in the answer's own transaction, with what the platform said
// about the file and the chat the transcript will be offered in; the
// fetched file then waits for its transcript, which once offered forgets
// the chat.
func TestVoiceJobWrittenWithTheAnswer(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Voice: VoiceOptions{Keep: true, Transcribe: true}})
	p := voicePerson(t, db, flows.NewMachine(nil, flows.Config{}), "telegram:1")
	select {
	case <-db.VoiceChanged():
		t.Fatal("signalled before any voice answer")
	default:
	}
	p.voice("f1", 12)
	select {
	case <-db.VoiceChanged():
	default:
		t.Fatal("no signal after the voice answer's commit")
	}
	got := jobs(t, db, p.now)
	if len(got) != 1 {
		t.Fatalf("jobs = %+v, want one", got)
	}
	j := got[0]
	want := voice.Job{AnswerID: j.AnswerID, Gen: 1, Channel: "telegram", Participant: "telegram:1", Address: "chat-telegram:1",
		Theme: "acces", Question: "equipement", Ref: voice.Ref{FileID: "f1", URL: "https://cdn.example/f1", Size: 4000}, Duration: 12, Fetch: true}
	if diff := cmp.Diff(want, j); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
	if len(jobs(t, db, p.now.Add(-time.Second))) != 0 {
		t.Error("a job is due before its answer was written")
	}

	ok, err := db.VoiceKept(ctx, j.AnswerID, 1, j.FileName(), 3900, p.now)
	if err != nil || !ok {
		t.Fatalf("VoiceKept = %v, %v", ok, err)
	}
	got = jobs(t, db, p.now)
	if len(got) != 1 || got[0].Fetch || got[0].File != "1-1.ogg" || got[0].Address == "" || got[0].Ref.URL != "" {
		t.Fatalf("after the fetch, jobs = %+v, want its transcript without the download address", got)
	}
	if err := db.VoiceTranscribed(ctx, j.AnswerID, 1, "", p.now); err != nil {
		t.Fatal(err)
	}
	if got := jobs(t, db, p.now.Add(time.Hour)); len(got) != 0 {
		t.Errorf("jobs after the transcript = %+v", got)
	}
	states, err := db.VoiceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := states[j.AnswerID]; s.State != VoiceKept || s.File != "1-1.ogg" {
		t.Errorf("state = %+v", s)
	}
	raw := rawVoice(t, db, j.AnswerID)
	if raw.Address != "" || raw.URL != "" || raw.Transcript != transcriptOffered {
		t.Errorf("record keeps address %q, url %q; transcript %q", raw.Address, raw.URL, raw.Transcript)
	}
}

func rawVoice(t *testing.T, db *DB, id uint64) *audioRecord {
	t.Helper()
	var r *audioRecord
	err := db.view(func(tx kv.Tx) error {
		var err error
		r, err = getVoiceTx(tx, id)
		return err
	})
	if err != nil || r == nil {
		t.Fatalf("voice record %d: %v %v", id, r, err)
	}
	return r
}

// TestVoiceReplacedErasedAndRetried: a new voice note for the same answer
// makes the work done for the previous one stale and puts its file in the
// trash; an erasure trashes the file and forgets the record; a fetch that
// fails is rescheduled, then given up with its reason.
func TestVoiceReplacedErasedAndRetried(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Voice: VoiceOptions{Keep: true}})
	m := flows.NewMachine(nil, flows.Config{})
	p := voicePerson(t, db, m, "telegram:1")
	p.voice("f1", 12)
	j := jobs(t, db, p.now)[0]
	if j.Address != "" {
		t.Errorf("address %q kept without transcription", j.Address)
	}
	if ok, err := db.VoiceKept(ctx, j.AnswerID, 1, j.FileName(), 100, p.now); !ok || err != nil {
		t.Fatalf("VoiceKept = %v, %v", ok, err)
	}
	if got := jobs(t, db, p.now.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("jobs after the fetch without transcription: %+v", got)
	}

	p.tap(1) // Retour: back to question 1
	p.voice("f2", 5)
	got := jobs(t, db, p.now)
	if len(got) != 1 || got[0].Gen != 2 || got[0].Ref.FileID != "f2" || got[0].FileName() != "1-2.ogg" {
		t.Fatalf("jobs after a new voice note = %+v", got)
	}
	if tr := trash(t, db); !slices.Equal(tr, []string{"1-1.ogg"}) {
		t.Errorf("trash = %v, want the first note's file", tr)
	}
	if ok, _ := db.VoiceKept(ctx, j.AnswerID, 1, "1-1.ogg", 100, p.now); ok {
		t.Error("a fetch of the replaced note was recorded")
	}

	next := p.now.Add(time.Minute)
	if err := db.VoiceRetry(ctx, j.AnswerID, 2, 1, p.now, next, "http 502"); err != nil {
		t.Fatal(err)
	}
	if got := jobs(t, db, p.now); len(got) != 0 {
		t.Errorf("a retried job is due before its time: %+v", got)
	}
	if got, at, _ := db.VoiceJobs(ctx, p.now, 10); len(got) != 0 || !at.Equal(next) {
		t.Errorf("next due = %v, want %v", at, next)
	}
	if got := jobs(t, db, next); len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("retried job = %+v", got)
	}
	if err := db.VoiceFailed(ctx, j.AnswerID, 2, "gave up after 5 attempts: http 502", next); err != nil {
		t.Fatal(err)
	}
	states, _ := db.VoiceStates(ctx)
	if s := states[j.AnswerID]; s.State != VoiceFailed || s.Reason == "" || !s.At.Equal(next) {
		t.Errorf("state after giving up = %+v", s)
	}

	if err := db.VoiceTrashed(ctx, []string{"1-1.ogg"}); err != nil {
		t.Fatal(err)
	}
	// Fetched, then erased: the file goes to the trash with the answers.
	p2 := voicePerson(t, db, m, "telegram:2")
	p2.voice("g1", 3)
	j2 := jobs(t, db, p2.now)[0]
	db.VoiceKept(ctx, j2.AnswerID, 1, j2.FileName(), 10, p2.now)
	p2.say("/effacer")
	p2.tap(0)
	if tr := trash(t, db); !slices.Equal(tr, []string{j2.FileName()}) {
		t.Errorf("trash after erasure = %v, want %s", tr, j2.FileName())
	}
	states, _ = db.VoiceStates(ctx)
	if _, ok := states[j2.AnswerID]; ok {
		t.Error("the erased answer's voice record is still there")
	}
}

// TestVoiceDeletedOnceTranscriptConfirmed: with DeleteTranscribed, the
// confirmation of a transcript puts the audio in the trash; the answer
// keeps its voice reference and text.
func TestVoiceDeletedOnceTranscriptConfirmed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Voice: VoiceOptions{Keep: true, Transcribe: true, DeleteTranscribed: true}})
	p := voicePerson(t, db, flows.NewMachine(nil, flows.Config{}), "telegram:1")
	p.voice("f1", 12)
	j := jobs(t, db, p.now)[0]
	db.VoiceKept(ctx, j.AnswerID, 1, j.FileName(), 10, p.now)
	p.send(flows.Event{Kind: flows.EventTranscript, Theme: j.Theme, Question: j.Question, Text: "Des tablettes.", Voice: &flows.Voice{FileID: "f1"}})
	if len(trash(t, db)) != 0 {
		t.Fatal("trashed before the confirmation")
	}
	p.tap(0) // C'est bien ça
	if tr := trash(t, db); !slices.Equal(tr, []string{j.FileName()}) {
		t.Errorf("trash = %v", tr)
	}
	states, _ := db.VoiceStates(ctx)
	if s := states[j.AnswerID]; s.State != VoiceDeleted || s.File != "" {
		t.Errorf("state = %+v", s)
	}
	s, _, err := db.Session("telegram:1")
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Answers[flows.AnswerKey(j.Theme, j.Question)]; !a.Transcribed() || a.Text != "Des tablettes." {
		t.Errorf("answer = %+v", a)
	}
}

// TestExpireVoice: when retention ends, kept audio goes to the trash and
// fetches not done are given up.
func TestExpireVoice(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Voice: VoiceOptions{Keep: true, Transcribe: true}})
	m := flows.NewMachine(nil, flows.Config{})
	p1 := voicePerson(t, db, m, "telegram:1")
	p1.voice("f1", 12)
	j1 := jobs(t, db, p1.now)[0]
	db.VoiceKept(ctx, j1.AnswerID, 1, j1.FileName(), 10, p1.now)
	p2 := voicePerson(t, db, m, "telegram:2")
	p2.voice("f2", 12)
	n, err := db.ExpireVoice(ctx, p2.now)
	if err != nil || n != 2 {
		t.Fatalf("ExpireVoice = %d, %v", n, err)
	}
	if got := jobs(t, db, p2.now.Add(time.Hour)); len(got) != 0 {
		t.Errorf("jobs after expiry = %+v", got)
	}
	if tr := trash(t, db); !slices.Equal(tr, []string{j1.FileName()}) {
		t.Errorf("trash = %v", tr)
	}
	states, _ := db.VoiceStates(ctx)
	for id, s := range states {
		if s.State != VoiceExpired || s.File != "" {
			t.Errorf("answer %d: %+v", id, s)
		}
	}
	if n, _ := db.ExpireVoice(ctx, p2.now); n != 0 {
		t.Errorf("second expiry changed %d records", n)
	}
}

// TestVoiceOffRecordsNothing: without Keep, a voice answer is stored as
// before and no job is written.
func TestVoiceOffRecordsNothing(t *testing.T) {
	db := openTest(t, Options{})
	p := voicePerson(t, db, flows.NewMachine(nil, flows.Config{}), "telegram:1")
	p.voice("f1", 12)
	if got := jobs(t, db, p.now.Add(time.Hour)); len(got) != 0 {
		t.Errorf("jobs = %+v", got)
	}
}
