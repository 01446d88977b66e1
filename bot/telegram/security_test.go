package telegram_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
)

// TestBlockedUserRepliesBecomeUndeliverable: after a parent blocks the
// bot, Telegram answers 403; the reply leaves the outbox for the
// undeliverable records instead of being retried forever.
func TestBlockedUserRepliesBecomeUndeliverable(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.say("/start")
	if _, err := fake.WaitMessages(waitCtx(t), 42, 1); err != nil {
		t.Fatal(err)
	}
	if err := waitOutboxEmpty(waitCtx(t), a); err != nil {
		t.Fatal(err)
	}
	fake.Block(p.u)
	p.say("/aide")
	err := eventually(waitCtx(t), func() bool {
		list, err := a.db.Undeliverable()
		return err == nil && len(list) > 0
	})
	if err != nil {
		t.Fatalf("no undeliverable record: %v", err)
	}
	if err := waitOutboxEmpty(waitCtx(t), a); err != nil {
		t.Fatalf("the refused reply stays in the outbox: %v", err)
	}
	list, _ := a.db.Undeliverable()
	for _, r := range list {
		if r.Participant != pid(42) || !strings.Contains(r.Reason, "blocked") {
			t.Errorf("undeliverable record %+v", r)
		}
	}
}

// TestChatNotFoundIsPermanent: a reply to a chat Telegram does not know
// fails with an error that says so, which the engine does not retry.
func TestChatNotFoundIsPermanent(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	err := a.ad.Send(t.Context(), bot.Outgoing{Seq: 1, Channel: bot.ChannelTelegram, Address: "987654321", Reply: flows.Reply{Text: "bonjour"}})
	var p interface{ Permanent() bool }
	if !errors.As(err, &p) || !p.Permanent() {
		t.Errorf("Send to an unknown chat = %v, want a permanent error", err)
	}
}

// TestAllowedChatsIgnoresOtherGroups: with allowed_chats set, a group not
// in it gets nothing, an allowed one and the organisers' are answered,
// and private chats always work.
func TestAllowedChatsIgnoresOtherGroups(t *testing.T) {
	fake := newFake(t)
	startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.AllowedChats = []int64{-100}
	})
	u := telegramtest.User{ID: 42, LanguageCode: "fr"}
	fake.GroupMessage(telegramtest.Group{ID: -200}, u, "/start@"+fake.BotUsername())
	fake.GroupMessage(telegramtest.Group{ID: -100}, u, "/start@"+fake.BotUsername())
	fake.GroupMessage(telegramtest.Group{ID: -500}, u, "/aide@"+fake.BotUsername())
	fake.SendText(u, "/start")
	for _, chat := range []int64{-100, -500, 42} {
		if _, err := fake.WaitMessages(waitCtx(t), chat, 1); err != nil {
			t.Fatalf("chat %d got no answer: %v", chat, err)
		}
	}
	if err := fake.Wait(waitCtx(t), func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages(-200)); n != 0 {
		t.Errorf("a group outside allowed_chats got %d messages", n)
	}
}

// TestWebhookRefusesOversizedBodies: a body over the limit is refused
// with 413, even with the right secret, and applies nothing.
func TestWebhookRefusesOversizedBodies(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.Mode, o.WebhookURL, o.WebhookSecret = telegram.ModeWebhook, "https://example.org/hook", "s3cret"
	})
	url := httptestServer(t, a.ad)
	// A valid update whose text pads it past one megabyte.
	body := `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"` +
		strings.Repeat("a", 2<<20) + `"}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized update answered %d, want 413", resp.StatusCode)
	}
	if _, ok, _ := a.db.Session(pid(42)); ok {
		t.Error("an oversized update was applied")
	}
}

// TestTokenNeverInConnectErrors: a token pasted with a carriage return made
// the URL unparsable, and the error printed it in full with %q escapes
// (`parse "https://…/bot<token>\r/getMe"`); a token with characters that
// net/http escapes came back escaped in the transport error. Neither form
// survives in the error New returns.
func TestTokenNeverInConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() // nothing listens once closed
	ln.Close()
	for name, token := range map[string]string{
		"carriage return": "123456:SECRET-cr-token-9f3a\r",
		"url-escaped":     "123456:SECRET été/token",
	} {
		_, err := telegram.New(t.Context(), nil, telegram.Options{Token: token, APIEndpoint: closed})
		if err == nil {
			t.Fatalf("%s: New connected to nothing", name)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error holds the token: %v", name, err)
		}
		if !strings.Contains(err.Error(), "connect to telegram") {
			t.Errorf("%s: unexpected error %v", name, err)
		}
	}
}

// TestWebhookRefusesTrailingDataAndSecondUpdates: a body holding a valid
// update followed by garbage, or two updates, got 200 and the first update
// applied. Exactly one JSON update per request is accepted; anything else
// is a 400 and changes nothing.
func TestWebhookRefusesTrailingDataAndSecondUpdates(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.Mode, o.WebhookURL, o.WebhookSecret = telegram.ModeWebhook, "https://example.org/hook", "s3cret"
	})
	url := httptestServer(t, a.ad)
	update := func(id, user int) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"/start"}}`, id, id, user, user)
	}
	post := func(body string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for name, body := range map[string]string{
		"garbage after":   update(1, 41) + "garbage",
		"two updates":     update(2, 42) + update(3, 43),
		"two, a newline":  update(4, 44) + "\n" + update(5, 45),
		"a second value":  update(6, 46) + " 7",
		"truncated after": update(7, 47) + `{"update_id":`,
	} {
		if code := post(body); code != http.StatusBadRequest {
			t.Errorf("%s: answered %d, want 400", name, code)
		}
	}
	for _, user := range []int64{41, 42, 43, 44, 45, 46, 47} {
		if _, ok, _ := a.db.Session(pid(user)); ok {
			t.Errorf("user %d: an update from a refused body was applied", user)
		}
	}
	// One update, with the spaces and newline a client may add: applied.
	if code := post(" " + update(8, 48) + "\r\n"); code != http.StatusOK {
		t.Errorf("one update answered %d, want 200", code)
	}
	if _, ok, _ := a.db.Session(pid(48)); !ok {
		t.Error("the single update was not applied")
	}
}
