package telegram

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"consultbot/bot"
	"consultbot/flows"
)

// FuzzUpdate decodes update JSON as the webhook handler and getUpdates do,
// translates it to an Inbound, steps a fresh session with it and renders
// the replies. Properties: nothing panics; an update routed to the engine
// has a participant and an id; its text is valid UTF-8 and never empty;
// every rendered part fits Telegram's limits.
func FuzzUpdate(f *testing.F) {
	m := flows.NewMachine(nil, flows.Config{})
	a := &Adapter{username: "consult_bot", organisers: map[int64]bool{-500: true}}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var u update
		if err := json.Unmarshal(data, &u); err != nil {
			return // the webhook answers 400, getUpdates drops the batch
		}
		key := senderKey(u.Update)
		in, r := a.translate(u, now)
		if r != routeEngine {
			return
		}
		if in.Participant == "" || in.Participant == "telegram:" {
			t.Fatalf("accepted update with participant %q", in.Participant)
		}
		// A batch applies one person's updates in order by this key.
		if bot.ParticipantID(bot.ChannelTelegram, key, a.opts.IDKey) != in.Participant {
			t.Fatalf("update of %s grouped under %q: it would race their others", in.Participant, key)
		}
		if again, _ := a.translate(u, now); again.Participant != in.Participant || again.ID != in.ID {
			t.Fatalf("translation not deterministic: %+v then %+v", in, again)
		}
		if !strings.HasPrefix(in.ID, "telegram:update:") || in.Channel != bot.ChannelTelegram || in.Address == "" {
			t.Fatalf("accepted update with id %q, channel %q, address %q", in.ID, in.Channel, in.Address)
		}
		ev := in.Event
		for _, s := range []string{ev.Text, ev.Command, ev.Args, ev.Token, ev.Media, ev.Lang} {
			if !utf8.ValidString(s) {
				t.Fatalf("event carries invalid UTF-8: %+v", ev)
			}
		}
		switch ev.Kind {
		case flows.EventText:
			if ev.Text == "" {
				t.Fatal("empty text event")
			}
		case flows.EventCommand:
			typed := u.Message.Text
			if typed == "" {
				typed = u.Message.Caption // a file's caption, read as typed
			}
			if !strings.HasPrefix(strings.TrimSpace(typed), "/") {
				t.Fatalf("command event from %q", typed)
			}
		case flows.EventChoice:
			if ev.Token != u.CallbackQuery.Data {
				t.Fatalf("token %q, callback data %q", ev.Token, u.CallbackQuery.Data)
			}
		case flows.EventVoice:
			if ev.Voice == nil {
				t.Fatal("voice event without voice")
			}
		case flows.EventMedia:
			if ev.Media == "" {
				t.Fatal("media event without media kind")
			}
		case flows.EventEdited:
			if u.EditedMessage == nil || u.EditedMessage.Chat.Type != "private" {
				t.Fatal("edited event from no edit in a private chat")
			}
		default:
			t.Fatalf("unknown event kind %q", ev.Kind)
		}
		s, replies := m.Step(flows.Session{Participant: in.Participant}, ev, now)
		if len(replies) == 0 {
			t.Fatalf("no reply to %+v (stage %q)", ev, s.Stage)
		}
		for _, rep := range replies {
			for _, p := range render(rep) {
				visible := html.UnescapeString(strings.NewReplacer("<b>", "", "</b>", "").Replace(p.html))
				if n := utf16Len(visible); n == 0 || n > maxText {
					t.Fatalf("rendered part of %d UTF-16 units", n)
				}
			}
		}
	})
}
