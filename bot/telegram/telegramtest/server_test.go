package telegramtest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newClient(t *testing.T, s *Server) *tgbotapi.BotAPI {
	t.Helper()
	api, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return api
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestGetMeAndWrongToken(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	if api.Self.UserName != s.BotUsername() || !api.Self.IsBot {
		t.Errorf("getMe = %+v, want bot %q", api.Self, s.BotUsername())
	}
	_, err := tgbotapi.NewBotAPIWithClient("999:WRONG", s.Endpoint(), http.DefaultClient)
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 401 {
		t.Errorf("wrong token: err = %v, want 401", err)
	}
}

func TestGetUpdatesKeepsUpdatesUntilConfirmed(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	alice := User{ID: 42, LanguageCode: "fr"}
	id1 := s.SendText(alice, "bonjour")
	id2 := s.SendCommand(alice, "/start t2")

	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Limit: 1})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != id1 {
		t.Fatalf("first getUpdates = %v, %v; want update %d", ups, err, id1)
	}
	// Not confirmed yet: asked again, the same update comes back.
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 2 || ups[0].UpdateID != id1 {
		t.Fatalf("unconfirmed update not kept: %v", ups)
	}
	if !ups[1].Message.IsCommand() || ups[1].Message.Command() != "start" || ups[1].Message.CommandArguments() != "t2" {
		t.Errorf("command not marked as Telegram does: %+v", ups[1].Message)
	}
	if ups[0].Message.From.LanguageCode != "fr" || ups[0].Message.Chat.Type != "private" || ups[0].Message.Chat.ID != 42 {
		t.Errorf("message = %+v", ups[0].Message)
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id2 + 1})
	if len(ups) != 0 || s.PendingUpdates() != 0 {
		t.Fatalf("after confirming: %v, %d pending", ups, s.PendingUpdates())
	}
}

func TestLongPollWakesOnUpdateAndSecondPollerConflicts(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	var (
		wg  sync.WaitGroup
		ups []tgbotapi.Update
		err error
	)
	wg.Go(func() { ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 20}) })
	ctx := testCtx(t)
	if err := s.Wait(ctx, func() bool { return s.Requests("getUpdates") == 1 }); err != nil {
		t.Fatal(err)
	}
	// Wait until the first poll is registered as polling, then a second
	// poller is refused.
	var second error
	s.Wait(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.polling
	})
	_, second = api.GetUpdates(tgbotapi.UpdateConfig{})
	var te *tgbotapi.Error
	if !errors.As(second, &te) || te.Code != 409 {
		t.Errorf("second poller: err = %v, want 409", second)
	}
	id := s.SendText(User{ID: 7}, "salut")
	wg.Wait()
	if err != nil || len(ups) != 1 || ups[0].UpdateID != id {
		t.Fatalf("long poll = %v, %v; want update %d", ups, err, id)
	}
}

func TestSendMessageValidatesLikeTelegram(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	s.SendText(User{ID: 42}, "hi")

	msg := tgbotapi.NewMessage(42, "<b>Titre</b>\n\nA &lt; B &amp; C")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Oui", "yes.1"),
		tgbotapi.NewInlineKeyboardButtonData("Non", "no.1"),
	))
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if sent.MessageID == 0 || sent.Text != "Titre\n\nA < B & C" || len(sent.Entities) != 1 || sent.Entities[0].Type != "bold" {
		t.Errorf("sent = %+v", sent)
	}
	got, _ := s.LastMessage(42)
	if got.Text != "Titre\n\nA < B & C" || strings.Join(got.Labels(), ",") != "Oui,Non" {
		t.Errorf("recorded %+v", got)
	}

	bad := []struct {
		name string
		cfg  tgbotapi.MessageConfig
		want string
	}{
		{"unknown tag", html(42, "<script>x</script>"), "Unsupported start tag"},
		{"unclosed", html(42, "<b>x"), "Can't find end tag"},
		{"bare ampersand", html(42, "a & b"), "Unsupported HTML entity"},
		{"too long", html(42, strings.Repeat("é", 4097)), "message is too long"},
		{"empty", html(42, "<b></b>"), "message text is empty"},
		{"unknown chat", html(43, "hi"), "chat not found"},
		{"callback data too long", withButton(html(42, "x"), "b", strings.Repeat("d", 65)), "BUTTON_DATA_INVALID"},
		{"empty button text", withButton(html(42, "x"), "", "d"), "Text must be non-empty"},
	}
	for _, tc := range bad {
		_, err := api.Send(tc.cfg)
		var te *tgbotapi.Error
		if !errors.As(err, &te) || te.Code != 400 || !strings.Contains(te.Message, tc.want) {
			t.Errorf("%s: err = %v, want 400 %q", tc.name, err, tc.want)
		}
	}
	if n := len(s.Messages(42)); n != 1 {
		t.Errorf("refused messages were recorded: %d messages", n)
	}
}

func html(chat int64, text string) tgbotapi.MessageConfig {
	m := tgbotapi.NewMessage(chat, text)
	m.ParseMode = tgbotapi.ModeHTML
	return m
}

func withButton(m tgbotapi.MessageConfig, label, data string) tgbotapi.MessageConfig {
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(label, data)))
	return m
}

func TestFloodLimitAnswers429WithRetryAfter(t *testing.T) {
	s := NewServer(Options{Limits: Limits{PerChat: 1, PerChatBurst: 2}})
	defer s.Close()
	api := newClient(t, s)
	s.SendText(User{ID: 42}, "hi")
	var flood *tgbotapi.Error
	for i := range 3 {
		_, err := api.Send(tgbotapi.NewMessage(42, "m"))
		if i < 2 && err != nil {
			t.Fatalf("send %d within burst: %v", i, err)
		}
		if i == 2 && !errors.As(err, &flood) {
			t.Fatalf("send beyond burst: err = %v, want 429", err)
		}
	}
	if flood.Code != 429 || flood.RetryAfter < 1 || s.TooManyRequests() != 1 {
		t.Errorf("429 = %+v, count %d", flood, s.TooManyRequests())
	}
}

func TestCallbacksEditsAndRedelivery(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	alice := User{ID: 42}
	s.SendText(alice, "hi")
	msg := withButton(html(42, "<b>Question</b>"), "Oui", "yes.3")
	if _, err := api.Send(msg); err != nil {
		t.Fatal(err)
	}
	m, _ := s.LastMessage(42)
	id, qid, err := s.TapButton(alice, m, "Oui")
	if err != nil {
		t.Fatal(err)
	}
	ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{})
	q := ups[len(ups)-1].CallbackQuery
	if q == nil || q.Data != "yes.3" || q.Message.MessageID != m.ID || q.Message.ReplyMarkup == nil {
		t.Fatalf("callback = %+v", q)
	}
	if _, err := api.Request(tgbotapi.NewCallback(qid, "")); err != nil || !s.CallbackAnswered(qid) {
		t.Fatalf("answer: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewCallback(qid, "")); err == nil {
		t.Error("second answer accepted; Telegram refuses it")
	}
	edit := tgbotapi.NewEditMessageText(42, m.ID, "Question\n\n✅ Oui")
	if _, err := api.Send(edit); err != nil {
		t.Fatal(err)
	}
	m, _ = s.LastMessage(42)
	if m.Text != "Question\n\n✅ Oui" || m.Keyboard != nil || m.Edits != 1 {
		t.Errorf("after edit: %+v", m)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if len(ups) != 1 || ups[0].UpdateID != id {
		t.Fatalf("redelivered = %v, want update %d again", ups, id)
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if len(ups) != 0 {
		t.Errorf("redelivered update served twice: %v", ups)
	}
}

func TestCommandsWebhookAndFiles(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	cmds := []tgbotapi.BotCommand{{Command: "aide", Description: "Aide"}}
	if _, err := api.Request(tgbotapi.SetMyCommandsConfig{Commands: cmds, LanguageCode: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands("en"); len(got) != 1 || got[0].Command != "aide" {
		t.Errorf("commands = %v", got)
	}
	if _, err := api.Request(tgbotapi.SetMyCommandsConfig{Commands: []tgbotapi.BotCommand{{Command: "Mes-Réponses", Description: "x"}}}); err == nil {
		t.Error("invalid command name accepted")
	}
	if _, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://example.org/hook", "secret_token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if u, sec := s.Webhook(); u != "https://example.org/hook" || sec != "s3cret" {
		t.Errorf("webhook = %q %q", u, sec)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err == nil {
		t.Error("getUpdates allowed while a webhook is set")
	}
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	_, fileID := s.SendVoice(User{ID: 42}, 7)
	f, err := api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil || f.FilePath == "" {
		t.Errorf("getFile = %+v, %v", f, err)
	}
	doc := tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "export.csv", Bytes: []byte("a,b\n")})
	doc.Caption = "Export"
	if _, err := api.Send(doc); err != nil {
		t.Fatalf("sendDocument: %v", err)
	}
	if m, _ := s.LastMessage(42); m.Kind != "document" || m.Text != "Export" {
		t.Errorf("document = %+v", m)
	}
	photo := tgbotapi.NewPhoto(42, tgbotapi.FileID("photo-1"))
	if _, err := api.Send(photo); err != nil {
		t.Fatalf("sendPhoto: %v", err)
	}
}

func TestPostWebhookStopsAtRefusal(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	var got []string
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "ok" {
			w.WriteHeader(401)
			return
		}
		got = append(got, r.Method)
	})
	hs := httptest.NewServer(hook)
	defer hs.Close()
	ts := hs.URL
	s.SendText(User{ID: 1}, "a")
	s.SendText(User{ID: 1}, "b")
	statuses, err := s.PostWebhook(testCtx(t), ts, "wrong")
	if err != nil || len(statuses) != 1 || statuses[0] != 401 || s.PendingUpdates() != 2 {
		t.Fatalf("wrong secret: %v %v, %d pending", statuses, err, s.PendingUpdates())
	}
	statuses, err = s.PostWebhook(testCtx(t), ts, "ok")
	if err != nil || len(statuses) != 2 || s.PendingUpdates() != 0 || len(got) != 2 {
		t.Fatalf("right secret: %v %v, %d pending", statuses, err, s.PendingUpdates())
	}
}

// TestPrivateChatsShareOneCounterAndEditsAnswerLikeTelegram: the
// messages of all private chats, the bot's and the people's, take their
// ids from one increasing counter; a group counts its own. An edit to
// exactly the same text is « not modified », to a person's own message
// « can't be edited », to an id of another chat or none « not found ».
func TestPrivateChatsShareOneCounterAndEditsAnswerLikeTelegram(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	api := newClient(t, s)
	alice, bob := User{ID: 42}, User{ID: 43}
	s.SendText(alice, "bonjour")
	toAlice, err := api.Send(html(alice.ID, "Bienvenue"))
	if err != nil {
		t.Fatal(err)
	}
	s.SendText(bob, "salut")
	toBob, err := api.Send(html(bob.ID, "Bienvenue"))
	if err != nil {
		t.Fatal(err)
	}
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 {
		t.Fatalf("updates = %v, %v", ups, err)
	}
	ids := []int{ups[0].Message.MessageID, toAlice.MessageID, ups[1].Message.MessageID, toBob.MessageID}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Fatalf("ids across two private chats = %v, want one increasing count", ids)
		}
	}
	s.GroupMessage(Group{ID: -100}, alice, "@"+s.BotUsername()+" bonjour")
	if inGroup, err := api.Send(html(-100, "Bonjour le groupe")); err != nil || inGroup.MessageID != 2 {
		t.Errorf("group message id = %d (%v), want its own count", inGroup.MessageID, err)
	}

	edit := func(chat int64, id int, text string) string {
		t.Helper()
		e := tgbotapi.NewEditMessageText(chat, id, text)
		_, err := api.Request(e)
		if err == nil {
			return ""
		}
		return err.Error()
	}
	for _, tc := range []struct {
		name string
		id   int
		text string
		want string
	}{
		{"the same text", toAlice.MessageID, "Bienvenue", "message is not modified"},
		{"the person's own message", ups[0].Message.MessageID, "Bienvenue", "message can't be edited"},
		{"another chat's message", toBob.MessageID, "Bienvenue", "message to edit not found"},
		{"an id not given yet", toBob.MessageID + 10, "Bienvenue", "message to edit not found"},
		{"another text", toAlice.MessageID, "Bienvenue !", ""},
	} {
		got := edit(alice.ID, tc.id, tc.text)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("edit %s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
