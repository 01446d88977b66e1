package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/internal/fault"
	"consultbot/internal/logbuf"
	"consultbot/storage"
)

// Fast limits keep the tests short; the adapter's stay below the fake's,
// as the defaults stay below Telegram's.
var (
	fakeLimits    = telegramtest.Limits{Global: 1000, GlobalBurst: 100, PerChat: 60, PerChatBurst: 6, GroupPerMinute: 600, GroupBurst: 10}
	adapterLimits = telegram.Limits{GlobalRate: 500, ChatRate: 50, ChatBurst: 3, GroupRatePerMinute: 300}
)

// app is the real adapter, engine and storage against the fake.
type app struct {
	t      *testing.T
	fake   *telegramtest.Server
	db     *storage.DB
	eng    *bot.Engine
	ad     *telegram.Adapter
	cancel context.CancelFunc
	done   chan error
	logs   *logbuf.Buffer // the engine's and the adapter's logs
}

func newFake(t *testing.T) *telegramtest.Server {
	fake := telegramtest.NewServer(telegramtest.Options{Limits: fakeLimits})
	t.Cleanup(fake.Close)
	return fake
}

// testIDKey keys the participant ids of these tests.
var testIDKey = []byte("telegram adapter tests: id key")

// pid is the participant id of a Telegram user, as the adapter stores it.
func pid(userID int64) string {
	return bot.ParticipantID(bot.ChannelTelegram, strconv.FormatInt(userID, 10), testIDKey)
}

// startApp opens the database at path and runs the adapter until stop.
func startApp(t *testing.T, fake *telegramtest.Server, path string, tweak func(*telegram.Options)) *app {
	t.Helper()
	return startAppWith(t, fake, path, flows.NewMachine(nil, flows.Config{}), nil, tweak)
}

// startAppWith is startApp with the conversation m, and setup, when set,
// called on the engine before it starts (campaigns, a clock).
func startAppWith(t *testing.T, fake *telegramtest.Server, path string, m *flows.Machine, setup func(*bot.Engine, *storage.DB), tweak func(*telegram.Options)) *app {
	t.Helper()
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	logs := &logbuf.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	eng := bot.New(db, m, logger)
	eng.SetRetry(20*time.Millisecond, 200*time.Millisecond)
	if setup != nil {
		setup(eng, db)
	}
	opts := telegram.Options{
		Token:       fake.Token(),
		APIEndpoint: fake.URL(),
		IDKey:       testIDKey,
		Limits:      adapterLimits,
		Logger:      logger,
		// The real default (25 s): stop proves cancellation interrupts it.
		OrganiserChats: []int64{-500},
	}
	if tweak != nil {
		tweak(&opts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ad, err := telegram.New(ctx, eng, opts)
	if err != nil {
		cancel()
		db.Close()
		t.Fatalf("new adapter: %v", err)
	}
	eng.AddSender(bot.ChannelTelegram, ad)
	if err := eng.Start(ctx); err != nil {
		t.Fatalf("start engine: %v", err)
	}
	a := &app{t: t, fake: fake, db: db, eng: eng, ad: ad, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { a.done <- ad.Run(ctx) }()
	t.Cleanup(a.stop)
	return a
}

// stop shuts down as consultbot does: adapter, then engine, then database.
func (a *app) stop() { a.stopWithin(5 * time.Second) }

// stopWithin stops, leaving the engine d to deliver what is waiting.
func (a *app) stopWithin(d time.Duration) {
	if a.cancel == nil {
		return
	}
	a.cancel()
	a.cancel = nil
	select {
	case err := <-a.done:
		if err != nil {
			a.t.Errorf("adapter run: %v", err)
		}
	case <-time.After(5 * time.Second):
		a.t.Errorf("adapter did not stop within 5 s of cancellation")
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := a.eng.Close(ctx); err != nil {
		a.t.Errorf("close engine: %v", err)
	}
	if err := a.db.Check(); err != nil {
		a.t.Errorf("db check: %v", err)
	}
	if err := a.db.Close(); err != nil {
		a.t.Errorf("close db: %v", err)
	}
}

// parent is a simulated person talking to the bot in a private chat.
type parent struct {
	t    *testing.T
	fake *telegramtest.Server
	u    telegramtest.User
	// looked holds, for the messages already looked at, how many edits
	// they had then: a message edited since (a tapped prompt turned into
	// the next one) is new again.
	looked map[int]int
	// cur and off are the message last found and how far into it expect
	// has read: the next expect may find its text further in the same
	// message, as when an acknowledgement and the next question travel
	// together.
	cur int
	off int
}

func newParent(t *testing.T, fake *telegramtest.Server, id int64) *parent {
	return &parent{t: t, fake: fake, u: telegramtest.User{ID: id, FirstName: "Camille", LanguageCode: "fr"}, looked: map[int]int{}}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// expect waits for a new message, or one edited since it was looked at,
// whose text contains want, and returns it.
func (p *parent) expect(want string) telegramtest.Message {
	p.t.Helper()
	var found telegramtest.Message
	err := p.fake.Wait(waitCtx(p.t), func() bool {
		msgs := p.fake.Messages(p.u.ID)
		for _, m := range msgs {
			if m.ID == p.cur && m.Edits == p.looked[m.ID] && p.off < len(m.Text) {
				if j := strings.Index(m.Text[p.off:], want); j >= 0 {
					found, p.off = m, p.off+j+len(want)
					return true
				}
			}
		}
		for i, m := range msgs {
			edits, old := p.looked[m.ID]
			if old && m.Edits == edits {
				continue
			}
			if j := strings.Index(m.Text, want); j >= 0 {
				// What came before is looked at, as a person reads down.
				for _, b := range msgs[:i+1] {
					p.looked[b.ID] = b.Edits
				}
				found, p.cur, p.off = m, m.ID, j+len(want)
				return true
			}
		}
		return false
	})
	if err != nil {
		var texts []string
		for _, m := range p.fake.Messages(p.u.ID) {
			if edits, old := p.looked[m.ID]; !old || m.Edits != edits {
				texts = append(texts, m.Text)
			}
		}
		p.t.Fatalf("no new message containing %q; new messages: %q", want, texts)
	}
	return found
}

func (p *parent) say(text string) int { return p.fake.SendText(p.u, text) }

// tap taps the button of m whose label starts with prefix.
func (p *parent) tap(m telegramtest.Message, prefix string) string {
	p.t.Helper()
	for _, l := range m.Labels() {
		if strings.HasPrefix(l, prefix) {
			_, qid, err := p.fake.TapButton(p.u, m, l)
			if err != nil {
				p.t.Fatal(err)
			}
			return qid
		}
	}
	p.t.Fatalf("message %q has no button %q (has %q)", m.Text, prefix, m.Labels())
	return ""
}

// onboard goes from /start to the theme menu.
func (p *parent) onboard() telegramtest.Message {
	p.t.Helper()
	p.say("/start")
	p.tap(p.expect("Avant de commencer"), "J'accepte")
	p.tap(p.expect("Vous répondez en tant que"), "Parent")
	p.tap(p.expect("académie"), "Passer")
	return p.expect("Choisissez un thème")
}

func (a *app) answers(participant string) map[string]storage.Answer {
	a.t.Helper()
	list, err := a.db.AnswersByParticipant(participant)
	if err != nil {
		a.t.Fatal(err)
	}
	out := map[string]storage.Answer{}
	for _, an := range list {
		out[an.Theme+"/"+an.Question] = an
	}
	return out
}

func TestParentAnswersAThemeAndReviewsIt(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)

	menu := p.onboard()
	sent, edits := fake.SentTotal(), fake.Requests("editMessageText")
	qid := p.tap(menu, "1.")
	// The tapped menu itself becomes the first question, the choice on
	// top: one request for the tap, and no new message.
	q1 := p.expect("Question 1/5")
	if q1.ID != menu.ID || !strings.HasPrefix(q1.Text, "✓ Égal accès au numérique") || len(q1.Labels()) == 0 {
		t.Errorf("after the tap, message %d reads %q with %q; want the tapped menu (%d) turned into the first question, the theme ticked first", q1.ID, q1.Text, q1.Labels(), menu.ID)
	}
	if !fake.CallbackAnswered(qid) {
		t.Error("the tapped callback was not answered")
	}
	if n := fake.SentTotal() - sent + fake.Requests("editMessageText") - edits; n != 1 {
		t.Errorf("the tap cost %d sends and edits; want 1", n)
	}

	injected := `<script>alert("x")</script> & <b>pas gras</b>`
	p.say(injected)
	p.expect("Question 2/5")
	_, voiceID := fake.SendVoice(p.u, 12)
	p.expect("Question 3/5")
	fake.SendPhoto(p.u, "")
	p.expect("Je ne peux pas lire ce fichier")
	p.say("Des tablettes pour les écoles rurales.")
	p.expect("Question 4/5")
	p.say("Un seul espace numérique de travail.")
	p.expect("Question 5/5")
	// Theme 1's review in short, above theme 2's first question: one
	// message, both titles bold.
	sent, edits = fake.SentTotal(), fake.Requests("editMessageText")
	p.say("Des ateliers pour les parents.")
	review := p.expect("Thème 1 terminé")
	if !strings.Contains(review.Text, "Thème 2 : Enseigner et apprendre avec le numérique · Question 1/9") {
		t.Errorf("review not above theme 2's first question:\n%s", review.Text)
	}
	if n := fake.SentTotal() - sent + fake.Requests("editMessageText") - edits; n != 1 {
		t.Errorf("the last answer of theme 1 cost %d sends and edits; want 1", n)
	}
	if !strings.Contains(review.Text, injected) {
		t.Errorf("review does not show the answer verbatim (escaped on the wire):\n%s", review.Text)
	}
	if !strings.Contains(review.Text, "message vocal (12 s)") {
		t.Errorf("review does not show the voice note:\n%s", review.Text)
	}
	bold := 0
	for _, e := range review.Entities {
		if e.Type == "bold" {
			bold++
		}
	}
	if bold != 2 || review.ParseMode != "HTML" {
		t.Errorf("titles not bold in HTML mode (%d bold): %+v", bold, review)
	}
	// Skipping that question validates theme 1, as answering it would.
	p.tap(review, "Passer")
	p.expect("Le thème 1 est validé.")

	got := a.answers(pid(42))
	if len(got) != 5 {
		t.Fatalf("stored %d answers, want 5: %v", len(got), got)
	}
	var texts, voices int
	for _, an := range got {
		switch {
		case an.Voice != nil:
			voices++
			if an.Voice.FileID != voiceID || an.Voice.Duration != 12 {
				t.Errorf("voice = %+v, want %s 12 s", an.Voice, voiceID)
			}
		case an.Text != "":
			texts++
		}
		if an.Channel != bot.ChannelTelegram {
			t.Errorf("answer channel = %q", an.Channel)
		}
	}
	if texts != 4 || voices != 1 {
		t.Errorf("answers: %d texts, %d voices; want 4 and 1", texts, voices)
	}
	if fake.TooManyRequests() != 0 {
		t.Errorf("429s received: %d", fake.TooManyRequests())
	}
}

// TestTapEditSurvivesARestart: the reply to a tap is an edit of the
// tapped message, kept in the outbox with that message's id. Sent again
// after a restart, it still edits that message, whether the edit was lost
// (Telegram never saw it) or made with its answer lost (Telegram says
// "message is not modified"); never a second message.
func TestTapEditSurvivesARestart(t *testing.T) {
	fake := newFake(t)
	path := filepath.Join(t.TempDir(), "c.db")
	a := startApp(t, fake, path, nil)
	p := newParent(t, fake, 42)
	menu := p.onboard()
	for _, tc := range []struct {
		name  string
		fault fault.Kind
		tap   string
		want  string
		stage flows.Stage
	}{
		{"edit made, answer lost", fault.Timeout, "1.", "Thème 1 · Question 1/5", flows.StageQuestion},
		{"edit never made", fault.Status500, "Passer", "Thème 1 · Question 2/5", flows.StageQuestion},
	} {
		tapped := lastOf(fake, 42)
		if tapped.ID != menu.ID {
			t.Fatalf("%s: the last message is %d, want the one message edited all along (%d)", tc.name, tapped.ID, menu.ID)
		}
		count, edits := len(fake.Messages(42)), fake.Requests("editMessageText")
		fake.Faults().Always("editMessageText", tc.fault)
		p.tap(tapped, tc.tap)
		// Committed, and the edit tried at least once.
		if err := eventually(waitCtx(t), func() bool {
			s, _, _ := a.db.Session(pid(42))
			return s.Prompt > 0 && fake.Requests("editMessageText") > edits && s.Stage == tc.stage
		}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		a.stopWithin(100 * time.Millisecond)
		fake.Faults().Clear("editMessageText")
		a = startApp(t, fake, path, nil)
		// Marked sent after the fake answered: the store, not the fake, changes.
		if err := eventually(waitCtx(t), func() bool {
			left, err := a.db.Pending(t.Context(), bot.ChannelTelegram, 0)
			return err == nil && len(left) == 0
		}); err != nil {
			t.Errorf("%s: the outbox still holds the edit: %v", tc.name, err)
		}
		m := p.expect(tc.want)
		if m.ID != tapped.ID {
			t.Errorf("%s: after the restart %q came in message %d; want the tapped message %d edited", tc.name, tc.want, m.ID, tapped.ID)
		}
		if n := len(fake.Messages(42)); n != count {
			t.Errorf("%s: %d messages after the restart, want %d (no new one)", tc.name, n, count)
		}
	}
}

func TestRestartInTheMiddleResumes(t *testing.T) {
	fake := newFake(t)
	path := filepath.Join(t.TempDir(), "c.db")
	a := startApp(t, fake, path, nil)
	p := newParent(t, fake, 42)
	p.tap(p.onboard(), "2.")
	p.expect("Thème 2 · Question 1/9")
	p.say("Vérifier une information.")
	p.expect("Question 2/9")
	a.stop()

	// Sent while the bot is down: Telegram keeps it.
	p.say("Des outils simples.")
	startApp(t, fake, path, nil)
	p.expect("Question 3/9")
	p.say("/menu")
	menu := p.expect("Choisissez un thème")
	if !strings.Contains(strings.Join(menu.Labels(), "|"), "2/9") {
		t.Errorf("menu after restart does not show 2 answers in theme 2: %q", menu.Labels())
	}
}

func TestSameUpdateTwiceCountsOnce(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.tap(p.onboard(), "1.")
	p.expect("Question 1/5")
	id := p.say("Première réponse.")
	p.expect("Question 2/5")
	before := len(fake.Messages(42))
	if err := fake.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	// Editing a sent message is not an answer: it is confirmed, and the
	// person told that edits are not read, in one message with the
	// question again.
	fake.EditText(p.u, 1, "Réponse modifiée.")
	// A marker after the redelivery: once its reply is there, the
	// redelivered update has been processed too (same participant, in order).
	p.say("/aide")
	// The help's own heading: the note on edits shows the question
	// again, which may name /aide too.
	p.expect("Aide · ")
	msgs := fake.Messages(42)
	if len(msgs) != before+2 || !strings.Contains(msgs[before].Text, "je ne lis pas les modifications") {
		t.Errorf("redelivered or edited message: %d new messages, want 2 (edits are not read, the help)", len(msgs)-before)
	}
	if got := a.answers(pid(42)); len(got) != 1 || firstText(got) != "Première réponse." {
		t.Errorf("stored %v, want the first answer once", got)
	}
	if err := fake.Wait(waitCtx(t), func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Errorf("edited message not confirmed: %v", err)
	}
}

func firstText(m map[string]storage.Answer) string {
	for _, a := range m {
		return a.Text
	}
	return ""
}

func TestForgedAndStaleCallbacksAreRefused(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	alice := newParent(t, fake, 42)
	bob := newParent(t, fake, 43)
	menu := alice.onboard()
	alice.tap(menu, "1.")
	q1 := alice.expect("Question 1/5")
	alice.say("Une réponse.")
	q2 := alice.expect("Question 2/5")
	bob.tap(bob.onboard(), "3.")
	bobQ := bob.expect("Thème 3 · Question 1/5")

	sessionOf := func(who string) flows.Session {
		s, _, err := a.db.Session(who)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	aliceBefore, bobBefore := sessionOf(pid(42)), sessionOf(pid(43))
	answersBefore := a.answers(pid(42))

	// Tap "Passer" data of question 1 (stale), Bob's message's data
	// (another user's message), garbage, and data over 64 bytes.
	skip1 := dataOf(t, q1, "Passer")
	stale, unknown := "Ce bouton correspond à une question précédente.", "Je ne reconnais pas ce bouton."
	cases := []struct {
		name string
		says string
		tap  func() string
	}{
		{"stale question", stale, func() string { _, q := fake.TapData(alice.u, q1, skip1); return q }},
		{"another user's message", stale, func() string { _, q := fake.TapData(alice.u, bobQ, dataOf(t, bobQ, "Passer")); return q }},
		{"garbage", unknown, func() string { _, q := fake.TapData(alice.u, q2, "\x00garbage;DROP"); return q }},
		{"too long", unknown, func() string { _, q := fake.TapData(alice.u, q2, strings.Repeat("x", 65)); return q }},
		{"never offered", unknown, func() string {
			// A token of the current prompt's number that it never offered.
			cur := lastOf(fake, 42)
			prompt, _, _ := strings.Cut(dataOf(t, cur, "Passer"), ".")
			_, q := fake.TapData(alice.u, cur, prompt+".theme.acces")
			return q
		}},
	}
	for _, tc := range cases {
		before := fake.Messages(42)
		qid := tc.tap()
		// A clear reply in a new message at the bottom, the current
		// question after it; the tapped message stays as it was.
		m := alice.expect(tc.says)
		if m.ID <= before[len(before)-1].ID {
			t.Errorf("%s: reply %q came as an edit of message %d, not as a new message", tc.name, m.Text, m.ID)
		}
		alice.expect("Question 2/5")
		if !fake.CallbackAnswered(qid) {
			t.Errorf("%s: callback not answered", tc.name)
		}
		for i, m := range fake.Messages(42)[:len(before)] {
			if m.Edits != before[i].Edits {
				t.Errorf("%s: message %d edited (%q)", tc.name, m.ID, m.Text)
			}
		}
	}
	after := sessionOf(pid(42))
	if after.Stage != aliceBefore.Stage || after.Theme != aliceBefore.Theme || after.Question != aliceBefore.Question || len(after.Answers) != len(aliceBefore.Answers) {
		t.Errorf("forged taps changed Alice's session: %+v → %+v", aliceBefore, after)
	}
	if got := a.answers(pid(42)); len(got) != len(answersBefore) {
		t.Errorf("forged taps changed answers: %d → %d", len(answersBefore), len(got))
	}
	if b := sessionOf(pid(43)); b.Question != bobBefore.Question {
		t.Errorf("Alice's tap on Bob's message moved Bob: %q → %q", bobBefore.Question, b.Question)
	}
	if m := lastOf(fake, 43); m.ID != bobQ.ID || m.Keyboard == nil {
		t.Errorf("Bob's chat changed by Alice's forged tap: %+v", m)
	}
}

func dataOf(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.Text)
	return ""
}

func lastOf(fake *telegramtest.Server, chat int64) telegramtest.Message {
	m, _ := fake.LastMessage(chat)
	return m
}

func TestFloodFromOneChatKeepsEveryAnswerWithout429(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.tap(p.onboard(), "2.")
	p.expect("Thème 2 · Question 1/9")
	// 100 messages at once: the first 28 answer the questionnaire's 28
	// questions in order, from theme 2 and going round (each theme's last
	// answer brings the next theme's first question); the rest arrive at
	// the last theme's review.
	for i := range 100 {
		p.say(fmt.Sprintf("Idée %d pour l'école.", i))
	}
	ctx := waitCtx(t)
	if err := fake.Wait(ctx, func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Fatalf("updates not all confirmed: %d pending", fake.PendingUpdates())
	}
	if err := waitOutboxEmpty(ctx, a); err != nil {
		t.Fatal(err)
	}
	got := a.answers(pid(42))
	keys := inOrder(1)
	if len(got) != len(keys) {
		t.Fatalf("stored %d answers, want the %d of the questionnaire", len(got), len(keys))
	}
	stored := map[string]string{}
	for _, an := range got {
		stored[flows.AnswerKey(an.Theme, an.Question)] = an.Text
	}
	for i, k := range keys {
		if want := fmt.Sprintf("Idée %d pour l'école.", i); stored[k] != want {
			t.Errorf("question %s: stored %q, want %q", k, stored[k], want)
		}
	}
	if n := fake.TooManyRequests(); n != 0 {
		t.Errorf("the fake answered 429 %d times", n)
	}
}

func httptestServer(t *testing.T, ad *telegram.Adapter) string {
	srv := httptest.NewServer(ad.WebhookHandler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func waitOutboxEmpty(ctx context.Context, a *app) error {
	for {
		pending, err := a.db.Pending(ctx, bot.ChannelTelegram, 0)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("outbox still holds %d replies: %w", len(pending), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestWebhookNeedsTheSecret(t *testing.T) {
	fake := newFake(t)
	const secret = "s3cret-Token_1"
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.Mode = telegram.ModeWebhook
		o.WebhookURL = "https://consultation.example.org/telegram"
		o.WebhookSecret = secret
	})
	ctx := waitCtx(t)
	if err := fake.Wait(ctx, func() bool { u, s := fake.Webhook(); return u != "" && s == secret }); err != nil {
		t.Fatalf("setWebhook with the secret not called: %v", err)
	}
	srv := httptestServer(t, a.ad)
	p := newParent(t, fake, 42)
	p.say("/start")
	for _, wrong := range []string{"", "wrong"} {
		statuses, err := fake.PostWebhook(ctx, srv, wrong)
		if err != nil || len(statuses) != 1 || statuses[0] != 401 {
			t.Fatalf("secret %q: statuses %v, %v; want [401]", wrong, statuses, err)
		}
	}
	if s, ok, _ := a.db.Session(pid(42)); ok {
		t.Fatalf("a refused webhook call changed the store: %+v", s)
	}
	statuses, err := fake.PostWebhook(ctx, srv, secret)
	if err != nil || len(statuses) != 1 || statuses[0] != 200 {
		t.Fatalf("right secret: statuses %v, %v; want [200]", statuses, err)
	}
	// 200 came after the commit: the session is there already.
	if _, ok, _ := a.db.Session(pid(42)); !ok {
		t.Error("200 answered before the update was committed")
	}
	p.expect("Avant de commencer")
}

func TestLongAnswerIsKeptWhole(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.tap(p.onboard(), "1.")
	p.expect("Question 1/5")
	para := strings.Repeat("Une phrase assez longue & <utile>. ", 20)
	long := strings.TrimSpace(strings.Repeat(para+"\n\n", 5))
	p.say(long)
	p.expect("Question 2/5")
	for _, an := range a.answers(pid(42)) {
		if an.Text != long {
			t.Errorf("long answer stored as %d characters, want %d", len(an.Text), len(long))
		}
	}
}

func TestGroupChatGetsPrivateChatButton(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	u := telegramtest.User{ID: 42, LanguageCode: "fr"}
	g := telegramtest.Group{ID: -100}
	fake.GroupMessage(g, u, "bonjour tout le monde")
	fake.GroupMessage(g, u, "/start@"+fake.BotUsername())
	msgs, err := fake.WaitMessages(waitCtx(t), g.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://t.me/" + fake.BotUsername() + "?start=group"
	if len(msgs[0].Keyboard) != 1 || msgs[0].Keyboard[0][0].URL != want {
		t.Errorf("group reply keyboard = %+v, want a URL button to %s", msgs[0].Keyboard, want)
	}
	fake.GroupMessage(telegramtest.Group{ID: -500}, u, "/menu")
	if _, err := fake.WaitMessages(waitCtx(t), -500, 1); err != nil {
		t.Fatal(err)
	}
	if err := fake.Wait(waitCtx(t), func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages(g.ID)); n != 1 {
		t.Errorf("group got %d messages, want one reply (the chatter is ignored)", n)
	}
	if _, ok, _ := a.db.Session(pid(42)); ok {
		t.Error("a group message started a consultation")
	}
}

func TestDeepLinkOpensThemeAndRecordsSource(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.say("/start theme-2")
	p.tap(p.expect("Avant de commencer"), "J'accepte")
	p.tap(p.expect("Vous répondez en tant que"), "Parent")
	p.tap(p.expect("académie"), "Passer")
	p.expect("Thème 2 · Question 1/9")
	s, _, err := a.db.Session(pid(42))
	if err != nil || s.Source != "theme-2" {
		t.Errorf("source = %q, %v; want theme-2", s.Source, err)
	}
}

func TestCommandMenuIsSetInFrenchAndEnglish(t *testing.T) {
	fake := newFake(t)
	startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	if err := fake.Wait(waitCtx(t), func() bool { return len(fake.Commands("en")) > 0 }); err != nil {
		t.Fatal(err)
	}
	fr := map[string]string{}
	for _, c := range fake.Commands("") {
		fr[c.Command] = c.Description
	}
	if fr["aide"] == "" || fr["start"] == "" || fr["mes_reponses"] != "Voir mes réponses" {
		t.Errorf("French menu = %v", fr)
	}
	if en := fake.Commands("en"); en[len(en)-1].Command != "help" {
		t.Errorf("English menu = %v", en)
	}
}

func TestNewRedactsTokenAndRejectsBadOptions(t *testing.T) {
	fake := newFake(t)
	_, err := telegram.New(t.Context(), nil, telegram.Options{Token: "999:SECRET-TOKEN", APIEndpoint: fake.URL()})
	if err == nil {
		t.Fatal("wrong token accepted")
	}
	// A transport error quotes the URL, which holds the token.
	_, err = telegram.New(t.Context(), nil, telegram.Options{Token: "999:SECRET-TOKEN", APIEndpoint: "http://127.0.0.1:1"})
	if err == nil || strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Errorf("error leaks the token or is nil: %v", err)
	}
	_, err = telegram.New(t.Context(), nil, telegram.Options{Token: "x", Mode: telegram.ModeWebhook, WebhookSecret: "bad secret!"})
	if err == nil || !strings.Contains(err.Error(), "webhook URL") || !strings.Contains(err.Error(), "secret") {
		t.Errorf("bad webhook options: err = %v, want both problems", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("unexpected cancellation")
	}
}

// flakyStore stands for an engine whose storage fails until healed.
type flakyStore struct {
	mu      sync.Mutex
	healed  bool
	calls   map[string]int
	applied []string
}

func (f *flakyStore) Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[in.ID]++
	if !f.healed {
		return bot.Applied{}, errors.New("disk full")
	}
	f.applied = append(f.applied, in.ID)
	return bot.Applied{}, nil
}

func (f *flakyStore) state() (calls int, applied []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.calls {
		calls += n
	}
	return calls, slices.Clone(f.applied)
}

func TestStorageFailureKeepsTheUpdateUnconfirmed(t *testing.T) {
	fake := newFake(t)
	h := &flakyStore{calls: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	ad, err := telegram.New(ctx, h, telegram.Options{Token: fake.Token(), APIEndpoint: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx) }()
	defer func() { cancel(); <-done }()

	id := fake.SendText(telegramtest.User{ID: 42}, "bonjour")
	wait := waitCtx(t)
	if err := eventually(wait, func() bool { n, _ := h.state(); return n >= 3 }); err != nil {
		t.Fatalf("failed update not retried: %v", err)
	}
	if n := fake.PendingUpdates(); n != 1 {
		t.Fatalf("update confirmed to Telegram although it was not committed (%d pending)", n)
	}
	h.mu.Lock()
	h.healed = true
	h.mu.Unlock()
	if err := fake.Wait(wait, func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	if _, applied := h.state(); len(applied) != 1 || applied[0] != fmt.Sprintf("telegram:update:%d", id) {
		t.Errorf("applied %v, want the update once", applied)
	}
}

// eventually polls cond until it holds or ctx ends, for state the fake
// does not see change.
func eventually(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
