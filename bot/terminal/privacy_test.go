package terminal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"consultbot/flows"
	"consultbot/storage"
)

// TestMyDataAndEraseInTheTerminal runs the real engine: /mes_donnees
// writes the JSON file next to the database (mode 0600) and prints its
// path; /effacer then erases everything after the confirmation.
func TestMyDataAndEraseInTheTerminal(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "t.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := runReal(t, db, "1\n1\nlyon\n1\nUne réponse à retrouver.\n/mes_donnees\n/effacer\n1\n", Options{Name: "..léa", DocumentDir: dir})

	path := filepath.Join(dir, "l_a-"+flows.DataFileName)
	if !strings.Contains(out.String(), "(Fichier enregistré : "+path+")") {
		t.Errorf("output does not say where the file is (%s):\n%s", path, out.String())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("data file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("data file mode = %04o, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	var data struct {
		Participant string `json:"participant"`
		Academie    string `json:"academie"`
		Answers     []struct {
			Text string `json:"text"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(raw, &data); err != nil || data.Participant != "terminal:..léa" || data.Academie != "Lyon" ||
		len(data.Answers) != 1 || data.Answers[0].Text != "Une réponse à retrouver." {
		t.Errorf("data file = %s (%v)", raw, err)
	}
	if !strings.Contains(out.String(), "toutes vos données sont effacées") {
		t.Errorf("no erase confirmation:\n%s", out.String())
	}
	if _, ok, _ := db.Session("terminal:..léa"); ok {
		t.Error("session survived /effacer")
	}
	if list, _ := db.AnswersByParticipant("terminal:..léa"); len(list) != 0 {
		t.Errorf("answers survived /effacer: %+v", list)
	}
}

// TestEnglishAfterEraseInTheTerminal: someone who switched to English and
// erased their data is welcomed in English when they write again, as the
// erasure's confirmation was; the terminal has no client language of its
// own, and the erased session's language went with it.
func TestEnglishAfterEraseInTheTerminal(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "t.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := runReal(t, db, "english\n1\n1\n1\n/erase\n1\nhello\n", Options{Name: "sam"})
	got := out.String()
	erased := strings.Index(got, "all your data is erased")
	if erased < 0 {
		t.Fatalf("no English erase confirmation:\n%s", got)
	}
	if after := got[erased:]; !strings.Contains(after, "== Welcome! ==") || strings.Contains(after, "Bienvenue") {
		t.Errorf("after /erase, want the English welcome:\n%s", after)
	}
}

// TestGoodbyeAndDataFileAfterErasure: the closing line says answers are
// saved only when some are; after /effacer the « mes données » file
// written earlier on this computer goes too, and the person is told. A
// newcomer's first /mes_donnees, which stores nothing, keeps its file.
func TestGoodbyeAndDataFileAfterErasure(t *testing.T) {
	const saved, nothing = "Vos réponses sont enregistrées", "Aucune réponse n'est enregistrée"
	for _, tc := range []struct {
		name, input string
		bye         string
		file        bool // the data file is on disk at the end
	}{
		{"answered", "1\n1\nlyon\n1\nUne réponse à garder.\n", saved, false},
		{"consented only", "1\n1\n", nothing, false},
		{"erased after my data", "1\n1\nlyon\n1\nUne réponse à retrouver.\n/mes_donnees\n/effacer\n1\n", nothing, false},
		{"my data kept", "1\n1\nlyon\n1\nUne réponse à retrouver.\n/mes_donnees\n", saved, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := storage.Open(filepath.Join(dir, "t.db"), storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			out := runReal(t, db, tc.input, Options{Name: "zoé", DocumentDir: dir, Sessions: db}).String()
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, tc.bye) {
				t.Errorf("closing line %q, want one saying « %s »", last, tc.bye)
			}
			path := filepath.Join(dir, "zo_-"+flows.DataFileName)
			if _, err := os.Stat(path); (err == nil) != tc.file {
				t.Errorf("data file on disk: %v, want %v (%v)", err == nil, tc.file, err)
			}
			if said := strings.Contains(out, "("+"Le fichier de vos données, "+path+", est supprimé lui aussi.)"); said != (tc.name == "erased after my data") {
				t.Errorf("told the file is deleted: %v:\n%s", said, out)
			}
		})
	}
}

// TestDataFileOfEachDatabase: two databases in one directory, the same
// participant name: « mes données » written with one is not deleted by
// an erasure in the other.
func TestDataFileOfEachDatabase(t *testing.T) {
	dir := t.TempDir()
	run := func(name, input string) string {
		path := filepath.Join(dir, name)
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return runReal(t, db, input, Options{DocumentDir: dir, DocumentPrefix: filepath.Base(path), Sessions: db}).String()
	}
	run("a.db", "1\n1\nlyon\n1\nUne réponse à garder.\n/mes_donnees\n")
	files, _ := filepath.Glob(filepath.Join(dir, "*"+flows.DataFileName))
	if len(files) != 1 {
		t.Fatalf("data files after /mes_donnees: %q, want one", files)
	}
	out := run("b.db", "1\n1\n/effacer\n1\n")
	if _, err := os.Stat(files[0]); err != nil {
		t.Errorf("the data file of a.db is gone after an erasure in b.db (%v):\n%s", err, out)
	}
	if !strings.Contains(filepath.Base(files[0]), "a.db") {
		t.Errorf("data file %s is not named after its database", files[0])
	}
}
