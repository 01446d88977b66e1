package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"consultbot/bot"
	"consultbot/flows"
)

// TestCompactDropsErasedAnswersFromTheFile: erased answers stayed in the
// file's free pages until bbolt reused them, and nothing could compact
// it. Compact rewrites the file in place with the live data only: the
// erased text and id are gone from its bytes, everything else (answers,
// answer ids, sequences) is as it was, the file is 0600 and no temporary
// file is left.
func TestCompactDropsErasedAnswersFromTheFile(t *testing.T) {
	needBolt(t)
	const (
		secretText  = "Zanzibar-quokka-7731 : ma fille n'a pas d'ordinateur"
		secretID    = "5550001234"
		controlText = "Contrôle-pangolin-4242 : les tablettes du collège"
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "consult.db")
	db, err := Open(path, Options{InitialMmapSize: 64 << 20}) // room to grow while pin (below) is open: no remap
	if err != nil {
		t.Fatal(err)
	}
	m := flows.NewMachine(nil, flows.Config{})
	other := newPerson(t, db, m, "telegram:777", "777", t0)
	other.answerFirstQuestion(controlText)
	alice := newPerson(t, db, m, "telegram:"+secretID, secretID, t0)
	alice.answerFirstQuestion(secretText)
	alice.say("Une deuxième réponse de Zanzibar-quokka-7731")
	alice.say("/mes_donnees") // a copy of it all in the outbox
	// A read transaction open from here keeps the pages the erasure frees
	// from being reused (bbolt frees them only past the oldest reader), so
	// that the erased text is surely still in the file before compacting.
	pin, err := db.bolt.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	alice.say("/effacer")
	alice.tap(0) // Oui, tout effacer
	pending, err := db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, out := range pending {
		seqs = append(seqs, out.Seq)
	}
	if err := db.MarkSent(context.Background(), seqs...); err != nil {
		t.Fatal(err)
	}
	wantAnswers, err := db.AnswersByParticipant(other.id)
	if err != nil {
		t.Fatal(err)
	}
	if err := pin.Rollback(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("Zanzibar-quokka")) {
		t.Fatal("the erased text is not in the file's free pages before compacting: the test proves nothing")
	}

	before, after, err := Compact(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if before <= 0 || after != int64(len(raw)) {
		t.Errorf("sizes before %d, after %d; the file is %d bytes", before, after, len(raw))
	}
	for _, secret := range []string{"Zanzibar-quokka", secretID} {
		if i := bytes.Index(raw, []byte(secret)); i >= 0 {
			t.Errorf("the compacted file still holds %q at byte %d", secret, i)
		}
	}
	if !bytes.Contains(raw, []byte("Contrôle-pangolin-4242")) {
		t.Error("control: the other participant's answer is gone")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("compacted file mode: %v %v", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	db = openAt(t, path, Options{})
	got, err := db.AnswersByParticipant(other.id)
	if err != nil || len(got) != 1 || got[0].ID != wantAnswers[0].ID || got[0].Text != controlText {
		t.Fatalf("answers after compacting: %+v, %v; want %+v", got, err, wantAnswers)
	}
	// The answer sequence survived: a new answer gets a new id.
	bob := newPerson(t, db, m, "telegram:888", "888", t0)
	bob.answerFirstQuestion("Une nouvelle réponse")
	if list, _ := db.AnswersByParticipant(bob.id); len(list) != 1 || list[0].ID <= wantAnswers[0].ID+1 {
		t.Errorf("new answer id after compacting: %+v (the erased answer had %d)", list, wantAnswers[0].ID+1)
	}
}

// TestCompactRefusesWhileTheBotRuns: the bot holds the file; compacting
// it under the bot would lose what it writes meanwhile.
func TestCompactRefusesWhileTheBotRuns(t *testing.T) {
	needBolt(t)
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openAt(t, path, Options{})
	apply(t, db, inbound("e1", "telegram:1"), t0, answerStep("ecole", "q1", "x", t0))
	before, _ := os.ReadFile(path)
	if _, _, err := Compact(path, Options{}); !errors.Is(err, ErrLockedByWriter) {
		t.Fatalf("Compact while the bot runs: %v, want ErrLockedByWriter", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the file changed")
	}
}
