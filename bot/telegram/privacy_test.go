package telegram_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"consultbot/bot/telegram/telegramtest"
)

// TestMyDataArrivesAsADocumentAndEraseForgets: on Telegram, /mes_donnees
// sends the readable messages and then the JSON file through sendDocument;
// /effacer, once confirmed, leaves nothing of the parent in storage.
func TestMyDataArrivesAsADocumentAndEraseForgets(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	defer a.stop()
	p := newParent(t, fake, 4242)
	p.tap(p.onboard(), "1.")
	p.expect("Thème 1 · Question 1/5")
	p.say("Des ordinateurs prêtés aux familles qui n'en ont pas.")
	p.expect("Merci, c'est noté.")

	p.say("/mes_donnees")
	p.expect("Vos données")
	p.expect("Des ordinateurs prêtés aux familles")
	var doc telegramtest.Message
	if err := fake.Wait(waitCtx(t), func() bool {
		i := slices.IndexFunc(fake.Messages(p.u.ID), func(m telegramtest.Message) bool { return m.Kind == "document" })
		if i >= 0 {
			doc = fake.Messages(p.u.ID)[i]
		}
		return i >= 0
	}); err != nil {
		t.Fatal("no document reached the parent")
	}
	var data struct {
		Participant string `json:"participant"`
		Profile     struct {
			ID string `json:"id"`
		} `json:"profile"`
		Answers []struct {
			Text string `json:"text"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(doc.File, &data); err != nil {
		t.Fatalf("document is not JSON: %v\n%s", err, doc.File)
	}
	if data.Participant != pid(4242) || data.Profile.ID != "parent" || len(data.Answers) != 1 ||
		data.Answers[0].Text != "Des ordinateurs prêtés aux familles qui n'en ont pas." {
		t.Errorf("document = %s", doc.File)
	}

	p.say("/effacer")
	p.tap(p.expect("Effacer vos données ?"), "Oui, tout effacer")
	p.expect("toutes vos données sont effacées")
	if _, ok, _ := a.db.Session(pid(4242)); ok {
		t.Error("session survived /effacer")
	}
	if got := a.answers(pid(4242)); len(got) != 0 {
		t.Errorf("answers survived /effacer: %v", got)
	}
}
