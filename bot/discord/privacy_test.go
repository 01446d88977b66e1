package discord_test

import (
	"encoding/json"
	"strings"
	"testing"

	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
)

// TestMyDataArrivesAsAnAttachmentAndEraseForgets: on Discord, /mes_donnees
// answers with ephemeral messages and the JSON file as a multipart
// attachment; /effacer, once confirmed, leaves nothing of the educator in
// storage.
func TestMyDataArrivesAsAnAttachmentAndEraseForgets(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("alice", "fr")
	m, i := h.onboard(u, h.srv.Guild())
	h.click(u, m, "Égal accès")
	m, i = h.awaitText(u, i+1, "Question 1/5")
	h.answer(u, m, "Des tablettes prêtées par la collectivité.")
	_, i = h.awaitText(u, i+1, "Question 2/5")

	h.slash(u, h.srv.Guild(), "mes_donnees")
	_, i = h.awaitText(u, i+1, "Vos données")
	doc, i := h.await(u, i+1, "the JSON attachment", func(m discordtest.Message) bool { return len(m.Files) > 0 })
	f := doc.Files[0]
	if f.Name != flows.DataFileName || !strings.HasPrefix(f.ContentType, "application/json") || !doc.Ephemeral {
		t.Errorf("attachment %s (%s), ephemeral %v; want %s, application/json, ephemeral", f.Name, f.ContentType, doc.Ephemeral, flows.DataFileName)
	}
	var data struct {
		Participant string `json:"participant"`
		Answers     []struct {
			Text string `json:"text"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(f.Data, &data); err != nil {
		t.Fatalf("attachment is not JSON: %v\n%s", err, f.Data)
	}
	if !strings.HasPrefix(data.Participant, "discord:") || len(data.Answers) != 1 || data.Answers[0].Text != "Des tablettes prêtées par la collectivité." {
		t.Errorf("attachment = %s", f.Data)
	}
	if _, ok, _ := h.db.Session(data.Participant); !ok {
		t.Fatalf("no session under the document's participant id %q", data.Participant)
	}

	h.slash(u, h.srv.Guild(), "effacer")
	m, i = h.awaitButton(u, i+1, "Oui, tout effacer")
	h.click(u, m, "Oui, tout effacer")
	h.awaitText(u, i+1, "toutes vos données sont effacées")
	if _, ok, _ := h.db.Session(data.Participant); ok {
		t.Error("session survived /effacer")
	}
	if list, _ := h.db.AnswersByParticipant(data.Participant); len(list) != 0 {
		t.Errorf("answers survived /effacer: %+v", list)
	}
	h.checkWire()
}
