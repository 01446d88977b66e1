package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/flows"
)

// FuzzCustomID checks the custom-id codec both ways: what the adapter
// builds fits Discord's 100 characters and parses back to what was put
// in; whatever arrives either parses to an id that re-encodes to an equal
// parse, or is rejected.
func FuzzCustomID(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw, userID, token string, maxLen int) {
		if c, ok := parseCustomID(raw); ok {
			if len(c.tag) != 8 || (c.kind != kindChoice && c.kind != kindModal && c.kind != kindAnswer) {
				t.Fatalf("accepted %q as %+v", raw, c)
			}
			var again string
			switch c.kind {
			case kindChoice:
				again = c.kind + ":" + c.tag + ":" + c.token
			case kindModal:
				again = c.kind + ":" + c.tag + ":" + c.token
			case kindAnswer:
				if c.maxLen < 1 {
					t.Fatalf("accepted %q with max length %d", raw, c.maxLen)
				}
				again = kindAnswer + ":" + c.tag + ":" + c.token + ":" + itoa(c.maxLen) + ":" + c.field
			}
			if c2, ok := parseCustomID(again); !ok || c2 != c {
				t.Fatalf("%q parsed to %+v, re-encoded %q parses to %+v, %v", raw, c, again, c2, ok)
			}
		}
		_ = promptToken(raw)

		// Building: user ids are snowflakes, tokens what flows emits.
		if !isSnowflake(userID) || !validToken(token) {
			return
		}
		tag := userTag(userID)
		id := choiceID(userID, token)
		if c, ok := parseCustomID(id); !ok || c.kind != kindChoice || c.tag != tag || c.token != token || utf8.RuneCountInString(id) > maxCustomID {
			t.Fatalf("choiceID(%q, %q) = %q parses to %+v, %v", userID, token, id, c, ok)
		}
		p := promptToken(token)
		if p == "" {
			return
		}
		id = modalID(userID, p)
		if c, ok := parseCustomID(id); !ok || c.kind != kindModal || c.tag != tag || c.token != p || utf8.RuneCountInString(id) > maxCustomID {
			t.Fatalf("modalID(%q, %q) = %q parses to %+v, %v", userID, p, id, c, ok)
		}
		if maxLen < 1 || maxLen > maxParagraph {
			return
		}
		field := raw // any label, cut to fit
		id = answerID(userID, p, maxLen, field)
		c, ok := parseCustomID(id)
		if !ok || c.kind != kindAnswer || c.tag != tag || c.token != p || c.maxLen != maxLen || utf8.RuneCountInString(id) > maxCustomID {
			t.Fatalf("answerID(%q, %q, %d, %q) = %q parses to %+v, %v", userID, p, maxLen, field, id, c, ok)
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// validToken is the shape of a flows option token.
func validToken(s string) bool {
	if s == "" || len(s) > flows.MaxTokenLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// recorder is a Handler that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	ins []bot.Inbound
}

func (r *recorder) Handle(_ context.Context, in bot.Inbound) (bot.Applied, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ins = append(r.ins, in)
	return bot.Applied{}, nil
}

func (r *recorder) take() []bot.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	ins := r.ins
	r.ins = nil
	return ins
}

// FuzzGatewayEvent decodes an INTERACTION_CREATE or MESSAGE_CREATE payload
// as discordgo does (which dispatches the event even when decoding failed
// part-way) and hands it to the adapter's handlers. The REST API answers
// every acknowledgement with 204. Properties: nothing panics; every
// Inbound has a participant, an id and an address; its text is valid
// UTF-8; a choice or a form always comes from the person's own button.
func FuzzGatewayEvent(f *testing.F) {
	rest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	f.Cleanup(rest.Close)
	rec := &recorder{}
	a, err := New(rec, Options{
		Token: "fuzz", ApplicationID: "1", APIBase: rest.URL + "/api/v9",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, interaction bool, data []byte) {
		var sender string
		if interaction {
			ic := &discordgo.InteractionCreate{}
			_ = json.Unmarshal(data, ic) // discordgo logs the error and dispatches anyway
			if ic.Interaction != nil {
				if u := interactionUser(ic.Interaction); u != nil {
					sender = u.ID
				}
			}
			a.onInteraction(nil, ic)
		} else {
			mc := &discordgo.MessageCreate{}
			_ = json.Unmarshal(data, mc)
			if mc.Message != nil && mc.Author != nil {
				sender = mc.Author.ID
			}
			a.onMessage(nil, mc)
		}
		a.wg.Wait()
		for _, in := range rec.take() {
			// The participant may be a pseudonym of the sender's id, but
			// an event without a sender never gets through.
			if sender == "" || in.Participant == "" || in.Participant == "discord:" {
				t.Fatalf("inbound participant %q, sender %q", in.Participant, sender)
			}
			if in.Channel != bot.ChannelDiscord || !strings.HasPrefix(in.ID, "discord:") || in.Address == "" {
				t.Fatalf("inbound %+v", in)
			}
			ev := in.Event
			for _, s := range []string{ev.Text, ev.Command, ev.Args, ev.Token, ev.Media, ev.Lang} {
				if !utf8.ValidString(s) {
					t.Fatalf("event carries invalid UTF-8: %+v", ev)
				}
			}
			switch ev.Kind {
			case flows.EventCommand:
				// A bare "/" is an unknown command with no name; flows
				// answers it with the command list.
			case flows.EventText:
				if interaction && ev.Token == "" {
					t.Fatalf("form text without the prompt token: %+v", ev)
				}
				if !interaction && strings.TrimSpace(ev.Text) == "" {
					t.Fatalf("empty direct message accepted: %+v", ev)
				}
			case flows.EventChoice:
				if !interaction || ev.Token == "" {
					t.Fatalf("choice %+v", ev)
				}
			case flows.EventMedia:
				if ev.Media == "" {
					t.Fatalf("media without kind: %+v", ev)
				}
			case flows.EventVoice:
				if interaction || ev.Voice == nil || ev.Voice.FileID == "" || ev.Voice.Duration < 0 || ev.Voice.Size < 0 {
					t.Fatalf("voice %+v", ev.Voice)
				}
			default:
				t.Fatalf("unexpected event kind %q", ev.Kind)
			}
		}
	})
}
