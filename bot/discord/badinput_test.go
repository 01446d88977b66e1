package discord_test

import (
	"reflect"
	"strings"
	"testing"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
)

// The Discord half of the bad-input suite (the Telegram half is
// bot/telegram/badinput_test.go): each case starts an educator at the
// first question of theme 1 in the guild, sends one kind of bad input
// through the fake gateway, and checks the reply and the store.

// dstate is what a case may or may not change.
type dstate struct {
	Stage    flows.Stage
	Lang     string
	Theme    string
	Question string
	Answers  map[string]string
}

func (h *harness) state(u discordtest.User) dstate {
	h.t.Helper()
	// The harness gives the adapter no id key.
	who := bot.ParticipantID(bot.ChannelDiscord, u.ID, nil)
	s, ok, err := h.db.Session(who)
	if err != nil || !ok {
		h.t.Fatalf("session of %s: found %v, %v", u.Name, ok, err)
	}
	st := dstate{Stage: s.Stage, Lang: s.Lang, Theme: s.Theme, Question: s.Question, Answers: map[string]string{}}
	for k, a := range s.Answers {
		st.Answers[k] = a.Text + a.Choice
	}
	return st
}

func TestBadInputDiscord(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	const key = "acces/" // theme 1's answers
	cases := []struct {
		name string
		// run acts on u, whose question 1 is q and whose next message
		// will be number i+1.
		run  func(u discordtest.User, q discordtest.Message, i int)
		want string // the only answer expected after, "" for none
	}{
		{name: "whitespace-only form", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.answer(u, q, "  \n\t ")
			h.awaitText(u, i, "Votre message est vide")
		}},
		{name: "form over the limit refused by the client", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.openModal(u, q)
			if _, err := h.srv.SubmitModal(u, strings.Repeat("a", 1501)); err == nil {
				t.Error("the fake client submitted 1501 characters into a 1500 input")
			}
		}},
		{name: "direct message over the limit", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.srv.DirectMessage(u, strings.Repeat("é", 1501))
			h.awaitText(u, i, "la limite est de 1500")
		}},
		{name: "invalid UTF-8 in a form", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.answer(u, q, "caf\xff au lait")
			h.awaitText(u, i, "Question 2/5")
		}, want: "caf\uFFFD au lait"},
		{name: "control characters and bidi overrides in a direct message", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.srv.DirectMessage(u, "une\x00 heure\x07 \u202eà\u202c l'écran")
			h.awaitText(u, i, "Question 2/5")
		}, want: "une heure à l'écran"},
		{name: "markdown and mass mentions quoted back harmless", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.answer(u, q, "**gras** @everyone @here <@&123> ||caché|| # titre")
			_, i = h.awaitText(u, i, "Question 2/5")
			h.slash(u, h.srv.Guild(), "mes_reponses")
			m, _ := h.awaitText(u, i+1, "gras")
			for _, want := range []string{`\*\*gras\*\*`, `\|\|caché\|\|`} {
				if !strings.Contains(m.Content, want) {
					t.Errorf("answer quoted back unescaped; want %s in %q", want, m.Content)
				}
			}
			if !m.NoMentions {
				t.Errorf("message quoting @everyone sent without allowed_mentions: %q", m.Content)
			}
		}, want: "**gras** @everyone @here <@&123> ||caché|| # titre"},
		{name: "another educator's button", run: func(u discordtest.User, q discordtest.Message, i int) {
			other := h.srv.NewUser("intrus", "fr")
			h.click(other, q, "Passer")
			h.awaitButton(other, 0, "accepte") // led to their own consent
		}},
		{name: "stale button", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.slash(u, h.srv.Guild(), "reprendre")
			_, i = h.awaitText(u, i, "Question 1/5")
			h.click(u, q, "Passer")
			h.awaitText(u, i+1, "Question 1/5")
		}},
		{name: "the same interaction twice", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.answer(u, q, "Une seule fois.")
			_, i = h.awaitText(u, i, "Question 2/5")
			var last string
			for _, a := range h.srv.Acks() {
				if a.UserID == u.ID {
					last = a.InteractionID
				}
			}
			if err := h.srv.Redeliver(last); err != nil {
				t.Fatal(err)
			}
			h.slash(u, h.srv.Guild(), "aide")
			m, _ := h.awaitText(u, i+1, "Commandes")
			if n := h.seen(u); n != i+2 {
				t.Errorf("redelivered form produced replies: %d messages, want %d (%q last)", n, i+2, m.Content)
			}
		}, want: "Une seule fois."},
		{name: "media in a direct message", run: func(u discordtest.User, q discordtest.Message, i int) {
			for _, a := range []discordtest.Attachment{
				{Filename: "photo.jpg", ContentType: "image/jpeg", Size: 1000},
				{Filename: "film.mp4", ContentType: "video/mp4", Size: 1000},
				{Filename: "son.mp3", ContentType: "audio/mpeg", Size: 1000},
				{Filename: "doc.pdf", ContentType: "application/pdf", Size: 1000},
			} {
				h.srv.DirectMessage(u, "", a)
				_, i = h.awaitText(u, i, "Je ne peux pas lire ce fichier")
				i++
			}
		}},
		{name: "text with a file in a direct message", run: func(u discordtest.User, q discordtest.Message, i int) {
			// Read as typed, as a Telegram caption: the answer; the
			// file is not kept, and the reply says so.
			h.srv.DirectMessage(u, "Une tablette par élève.", discordtest.Attachment{Filename: "photo.jpg", ContentType: "image/jpeg", Size: 1000})
			m, _ := h.awaitText(u, i, "Question 2/5")
			if !strings.Contains(m.Content, "Seul votre texte est lu : le fichier joint n'est pas conservé.") {
				t.Errorf("the reply does not say the file is not kept:\n%s", m.Content)
			}
		}, want: "Une tablette par élève."},
		{name: "a file under invisible text in a direct message", run: func(u discordtest.User, q discordtest.Message, i int) {
			// Zero-width space, Hangul filler, braille blank: the text
			// shows nothing, so the message is the file.
			h.srv.DirectMessage(u, "\u200b\u3164\u2800", discordtest.Attachment{Filename: "photo.jpg", ContentType: "image/jpeg", Size: 1000})
			h.awaitText(u, i, "Je ne peux pas lire ce fichier")
		}},
		{name: "a message the bot cannot read in a direct message", run: func(u discordtest.User, q discordtest.Message, i int) {
			// Discord's shapes: a link's embed alone, a forwarded
			// message (its snapshot), a poll.
			for _, fields := range []map[string]any{
				{"embeds": []any{map[string]any{"type": "rich", "title": "Rentrée 2026", "description": "Fournitures", "url": "https://example.org/rentree"}}},
				{"message_reference": map[string]any{"type": 1, "channel_id": "900", "message_id": "901"},
					"message_snapshots": []any{map[string]any{"message": map[string]any{"type": 0, "content": "Réunion jeudi", "embeds": []any{}, "attachments": []any{}, "timestamp": "2026-03-01T10:00:00Z", "flags": 0}}}},
				{"poll": map[string]any{"question": map[string]any{"text": "Pour ou contre ?"}, "answers": []any{map[string]any{"answer_id": 1, "poll_media": map[string]any{"text": "Pour"}}}, "allow_multiselect": false, "layout_type": 1}},
			} {
				h.srv.DirectMessageWith(u, fields)
				_, i = h.awaitText(u, i, "Je ne peux pas lire ce type de message")
				i++
			}
		}},
		{name: "unknown typed command", run: func(u discordtest.User, q discordtest.Message, i int) {
			h.srv.DirectMessage(u, "/inconnue @everyone")
			h.awaitText(u, i, "Je ne connais pas la commande")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			u := h.srv.NewUser(strings.ReplaceAll(tc.name, " ", "-"), "fr")
			menu, i := h.onboard(u, h.srv.Guild())
			h.click(u, menu, "Égal accès")
			q, i := h.awaitText(u, i+1, "Question 1/5")
			before := h.state(u)
			tc.run(u, q, i+1)
			after := h.state(u)
			if tc.want == "" {
				if !reflect.DeepEqual(before, after) {
					t.Errorf("store changed:\nbefore %+v\nafter  %+v", before, after)
				}
				return
			}
			if len(after.Answers) != 1 {
				t.Fatalf("stored %v, want one answer %q", after.Answers, tc.want)
			}
			for k, v := range after.Answers {
				if !strings.HasPrefix(k, key) || v != tc.want {
					t.Errorf("stored %s = %q, want %q", k, v, tc.want)
				}
			}
		})
	}
	h.t = t
	// checkWire would count the redelivered interaction's refused second
	// acknowledgement; what matters here is that nothing went public.
	if p := h.srv.PublicMessages(); len(p) > 0 {
		t.Errorf("public guild messages sent: %s", dump(p))
	}
}
