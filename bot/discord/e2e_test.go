package discord_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/text"
)

// onboard takes u from /contribuer to the theme menu in place p and
// returns the menu message and its index.
func (h *harness) onboard(u discordtest.User, p discordtest.Place) (discordtest.Message, int) {
	h.t.Helper()
	h.slash(u, p, "contribuer")
	m, i := h.awaitButton(u, 0, "accepte")
	h.click(u, m, "accepte")
	m, i = h.awaitButton(u, i+1, "Enseignant")
	h.click(u, m, "Enseignant")
	m, i = h.awaitButton(u, i+1, "Passer")
	h.click(u, m, "Passer")
	return h.awaitButton(u, i+1, "Égal accès")
}

// checkThemeOneStored checks that u's session holds theme 1 answered by
// an educator and validated by answering theme 2's first question.
func (h *harness) checkThemeOneStored(u discordtest.User) {
	h.t.Helper()
	s, ok, err := h.db.Session(pid(u))
	if err != nil || !ok {
		h.t.Fatalf("session not stored: %v", err)
	}
	if len(s.Answers) != 6 || s.Confirmed["acces"].IsZero() || s.Profile != "enseignant" {
		h.t.Errorf("stored session: %d answers, confirmed %v, profile %q; want 6, acces, enseignant", len(s.Answers), s.Confirmed, s.Profile)
	}
}

func TestEducatorContributesInGuild(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("alice", "fr")
	m, i := h.onboard(u, h.srv.Guild())
	followUps, edits := h.srv.Calls(discordtest.RouteFollowUp), h.srv.Calls(discordtest.RouteEditFollowUp)
	h.click(u, m, "Égal accès")
	// The menu itself becomes the first question: one edit, no follow-up.
	if q1, _ := h.awaitText(u, 0, "Question 1/5"); q1.ID != m.ID || !strings.HasPrefix(q1.Content, "✓ Égal accès") {
		t.Errorf("first question in message %s %q; want the tapped menu (%s) edited, the theme ticked first", q1.ID, q1.Content, m.ID)
	}
	if f, e := h.srv.Calls(discordtest.RouteFollowUp)-followUps, h.srv.Calls(discordtest.RouteEditFollowUp)-edits; f != 0 || e != 1 {
		t.Errorf("the tap cost %d follow-ups and %d edits; want 0 and 1", f, e)
	}
	i--
	answers := []string{
		"Des tablettes prêtées par la collectivité.",
		"**Gras** et _italique_ @everyone <@123> > citation",
		"Un accompagnement humain.",
		"Former les familles.",
		"Mutualiser les achats.",
	}
	for q, text := range answers {
		m, i = h.awaitText(u, i+1, fmt.Sprintf("Question %d/5", q+1))
		modal := h.answer(u, m, text)
		if modal.Title == "" || modal.Inputs[0].Style != 2 || modal.Inputs[0].MaxLength != 1500 {
			t.Errorf("question %d: modal %+v, want a titled paragraph input of at most 1500 characters", q+1, modal)
		}
	}
	// The last answer brings theme 1's review in short and, below it,
	// theme 2's first question, in one message.
	m, i = h.awaitText(u, i+1, "Question 1/9")
	review := m.Content
	if !strings.Contains(review, "Thème 1 terminé · Égal accès au numérique") || !strings.Contains(review, "Thème 2 : Enseigner et apprendre avec le numérique") {
		t.Errorf("after the last answer of theme 1, message %q; want its review above theme 2's first question", review)
	}
	if _, ok := m.Button("Modifier mes réponses au thème 1"); !ok {
		t.Errorf("no button back to theme 1's review under %q", review)
	}
	if n := len(h.srv.Messages(u.ID)); n != i+1 {
		t.Errorf("%d messages after the review; want it last, in one message", n-i-1)
	}
	// Answering that question validates theme 1, and costs one edit of
	// the form's reply, as any answer.
	followUps, edits = h.srv.Calls(discordtest.RouteFollowUp), h.srv.Calls(discordtest.RouteEditFollowUp)
	h.answer(u, m, "Savoir vérifier ses sources.")
	next, _ := h.awaitText(u, i+1, "Le thème 1 est validé.")
	if !strings.Contains(next.Content, "Thème 2 · Question 2/9") {
		t.Errorf("after answering below the review, message %q; want theme 2's second question", next.Content)
	}
	if f, e := h.srv.Calls(discordtest.RouteFollowUp)-followUps, h.srv.Calls(discordtest.RouteEditFollowUp)-edits; f != 0 || e != 1 {
		t.Errorf("the answer cost %d follow-ups and %d edits; want 0 and 1", f, e)
	}
	h.checkThemeOneStored(u)

	for _, m := range h.srv.Messages(u.ID) {
		if !m.Ephemeral || m.GuildID == "" || !m.NoMentions {
			t.Errorf("message %q: ephemeral %v, guild %q, mentions suppressed %v; want an ephemeral guild message that pings nobody", m.Content, m.Ephemeral, m.GuildID, m.NoMentions)
		}
	}
	if !strings.Contains(review, `\*\*Gras\*\* et \_italique\_`) || !strings.Contains(review, `\<@123`) {
		t.Errorf("answer quoted back without escaping its markdown: %q", review)
	}
	// Slash commands and modal submissions are deferred as ephemeral
	// responses, choices as message updates, "Répondre" opens a modal.
	want := map[int]int{discordtest.InteractionCommand: discordtest.CallbackDeferred, discordtest.InteractionModalSubmit: discordtest.CallbackDeferred}
	types := map[int]map[int]int{}
	for _, a := range h.srv.Acks() {
		if types[a.Kind] == nil {
			types[a.Kind] = map[int]int{}
		}
		types[a.Kind][a.Type]++
		if w, ok := want[a.Kind]; ok && a.Type != w {
			t.Errorf("interaction of type %d acknowledged with %d, want %d", a.Kind, a.Type, w)
		}
	}
	if c := types[discordtest.InteractionComponent]; c[discordtest.CallbackDeferredUpdate] != 4 || c[discordtest.CallbackModal] != 6 {
		t.Errorf("button clicks acknowledged as %v, want 4 deferred updates and 6 modals", c)
	}
	h.checkWire()
}

func TestResumeAfterRestartOldButtonsLeadToCurrentQuestion(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("bruno", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	h.click(u, menu, "Égal accès")
	q1, i := h.awaitText(u, i+1, "Question 1/5")
	h.answer(u, q1, "Premier élément de réponse.")
	_, i = h.awaitText(u, i+1, "Question 2/5")

	h.stop()
	h.start()

	// The theme button of the menu shown before the restart, and the
	// "Passer" of the first question, both lead to the current question.
	h.click(u, menu, "Égal accès")
	m, i := h.awaitText(u, i+1, "Question")
	if !strings.Contains(m.Content, "Question 2/5") {
		t.Errorf("old menu button after restart led to %q, want question 2", m.Content)
	}
	h.click(u, q1, "Passer")
	m, i = h.awaitText(u, i+1, "Question")
	if !strings.Contains(m.Content, "Question 2/5") {
		t.Errorf("old question's button led to %q, want question 2", m.Content)
	}
	// /contribuer resumes too.
	h.slash(u, h.srv.Guild(), "contribuer")
	m, _ = h.awaitText(u, i+1, "Question")
	if !strings.Contains(m.Content, "Question 2/5") {
		t.Errorf("/contribuer after restart showed %q, want question 2", m.Content)
	}
	s, _, err := h.db.Session(pid(u))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Answers) != 1 {
		t.Errorf("stored %d answers, want 1", len(s.Answers))
	}
	h.checkWire()
}

func TestDuplicateInteractionAppliedOnce(t *testing.T) {
	duplicateSubmissionAppliedOnce(t, newHarness(t, discordtest.Options{}, nil))
}

// duplicateSubmissionAppliedOnce has an answer's form submission
// delivered twice (a gateway redelivery, or the same interaction posted
// twice to the endpoint): it is stored once and answered once.
func duplicateSubmissionAppliedOnce(t *testing.T, h *harness) {
	t.Helper()
	u := h.srv.NewUser("chloe", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	h.click(u, menu, "Égal accès")
	q1, i := h.awaitText(u, i+1, "Question 1/5")
	h.openModal(u, q1)
	submit, err := h.srv.SubmitModal(u, "Une réponse envoyée deux fois.")
	if err != nil {
		t.Fatal(err)
	}
	_, i = h.awaitText(u, i+1, "Question 2/5")
	if err := h.srv.Redeliver(submit); err != nil {
		t.Fatal(err)
	}
	// Events of one person are applied in order: once /aide is answered,
	// the redelivered submission has been dealt with.
	h.slash(u, h.srv.Guild(), "aide")
	h.awaitText(u, i+1, "/aide")
	noted := 0
	for _, m := range h.srv.Messages(u.ID) {
		if strings.Contains(m.Content, "Question 2/5") || strings.Contains(m.Content, "c'est noté") {
			noted++
		}
	}
	if noted != 1 {
		t.Errorf("after a redelivered submission, %d messages with the acknowledgement and question 2, want one:%s", noted, dump(h.srv.Messages(u.ID)))
	}
	s, _, err := h.db.Session(pid(u))
	if err != nil {
		t.Fatal(err)
	}
	if s.Question == "" || len(s.Answers) != 1 {
		t.Errorf("session after duplicate: question %q, %d answers; want question 2 and 1 answer", s.Question, len(s.Answers))
	}
}

func TestClickOnAnotherUsersButtonOrAnOldMessage(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	alice := h.srv.NewUser("alice", "fr")
	bob := h.srv.NewUser("bob", "en-GB")
	menu, i := h.onboard(alice, h.srv.Guild())

	// Bob clicks a theme on Alice's menu: nothing happens to Alice, and
	// Bob is led into his own conversation (consent first).
	id := h.click(bob, menu, "Égal accès")
	if _, err := h.srv.WaitAck(id, wait); err != nil {
		t.Fatal(err)
	}
	h.awaitButton(bob, 0, "I agree")
	s, _, err := h.db.Session(pid(alice))
	if err != nil {
		t.Fatal(err)
	}
	if s.Theme != "" {
		t.Errorf("bob's click moved alice into theme %q", s.Theme)
	}

	// Alice clicks "Passer" on a question she has answered since: she is
	// told, in a new message, and gets the current question again; the
	// old message stays as it was.
	h.click(alice, menu, "Égal accès")
	q1, i := h.awaitText(alice, i, "Question 1/5")
	h.answer(alice, q1, "Une réponse.")
	_, i = h.awaitText(alice, i+1, "Question 2/5")
	seen := h.seen(alice)
	h.click(alice, q1, "Passer")
	m, j := h.awaitText(alice, i+1, "question précédente")
	if j < seen || !strings.Contains(m.Content, "Question 2/5") {
		t.Errorf("stale click answered in message %d (of %d before) %q; want a new message with question 2", j, seen, m.Content)
	}
	for _, old := range h.srv.Messages(alice.ID) {
		if old.ID == q1.ID && (old.Content != q1.Content || !old.Edited.Equal(q1.Edited)) {
			t.Errorf("the old question's message changed: %q", old.Content)
		}
	}
	h.checkWire()
}

func TestModalRespectsLimits(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("dina", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	h.click(u, menu, "Égal accès")
	q1, i := h.awaitText(u, i+1, "Question 1/5")
	modal := h.openModal(u, q1)
	if got := modal.Inputs[0].MaxLength; got != 1500 {
		t.Fatalf("modal max length %d, want the configured 1500", got)
	}
	if _, err := h.srv.SubmitModal(u, strings.Repeat("é", 1501)); !errors.Is(err, discordtest.ErrTooLong) {
		t.Fatalf("submitting 1501 characters: %v, want ErrTooLong", err)
	}
	// Exactly at the limit is accepted and recorded.
	if _, err := h.srv.SubmitModal(u, strings.Repeat("é", 1500)); err != nil {
		t.Fatal(err)
	}
	h.awaitText(u, i+1, "Question 2/5")
	s, _, _ := h.db.Session(pid(u))
	for _, a := range s.Answers {
		if len([]rune(a.Text)) != 1500 {
			t.Errorf("stored answer of %d characters, want 1500", len([]rune(a.Text)))
		}
	}
	h.checkWire()
}

func TestGatewayReconnectInTheMiddle(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("emma", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	if err := h.srv.Reconnect(); err != nil {
		t.Fatal(err)
	}
	// Clicked while the bot reconnects: queued, delivered after RESUME.
	h.click(u, menu, "Égal accès")
	q1, i := h.awaitText(u, i+1, "Question 1/5")
	if h.srv.Resumes() != 1 || h.srv.Identifies() != 1 {
		t.Errorf("resumes %d, identifies %d; want the session resumed, not identified again", h.srv.Resumes(), h.srv.Identifies())
	}
	// A session Discord invalidates is identified anew, and still works.
	if err := h.srv.InvalidateSession(); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.Wait(wait, func() bool { return h.srv.Identifies() == 2 && h.srv.Connected() }); err != nil {
		t.Fatal("bot did not identify again after an invalid session")
	}
	h.answer(u, q1, "Réponse après reconnexion.")
	h.awaitText(u, i+1, "Question 2/5")
	h.checkWire()
}

func TestRateLimitedRESTIsRetriedNotLost(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("farid", "fr")
	h.srv.RateLimit("POST /webhooks/", 2, 50*time.Millisecond, false)
	h.srv.RateLimit("POST /interactions/", 1, 100*time.Millisecond, true)
	h.onboard(u, h.srv.Guild())
	if got := h.srv.RateLimited(); got != 3 {
		t.Errorf("served %d 429s, want 3", got)
	}
	h.checkWire()
}

func TestDirectMessageConversationWithPlainText(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("gael", "fr")
	dm := h.srv.DM(u)
	// Direct-message replies go through the channel route: a global 429
	// there is waited out too.
	h.srv.RateLimit("POST /channels/", 1, 50*time.Millisecond, true)
	if _, err := h.srv.DirectMessage(u, "Bonjour"); err != nil {
		t.Fatal(err)
	}
	m, i := h.awaitButton(u, 0, "accepte")
	h.click(u, m, "accepte")
	m, i = h.awaitButton(u, i+1, "Enseignant")
	h.click(u, m, "Enseignant")
	_, i = h.awaitText(u, i+1, "académie")
	h.srv.DirectMessage(u, "Gironde")
	m, i = h.awaitButton(u, i+1, "Égal accès")
	h.click(u, m, "Égal accès")
	_, i = h.awaitText(u, i+1, "Question 1/5")
	h.srv.DirectMessage(u, "Une réponse tapée directement dans la conversation.")
	_, i = h.awaitText(u, i+1, "Question 2/5")
	h.srv.DirectMessage(u, "", discordtest.Attachment{Filename: "voice-message.ogg", ContentType: "audio/ogg", Size: 1200, DurationSecs: 3})
	_, i = h.awaitText(u, i+1, "Question 3/5")
	h.srv.DirectMessage(u, "/mes-reponses")
	h.awaitText(u, i+1, "directement dans la conversation")

	s, _, err := h.db.Session(pid(u))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Answers) != 2 || s.Academie == "" {
		t.Errorf("stored %d answers and académie %q, want 2 answers (typed, voice) and Gironde", len(s.Answers), s.Academie)
	}
	if h.srv.RateLimited() != 1 {
		t.Errorf("served %d 429s, want 1", h.srv.RateLimited())
	}
	for _, m := range h.srv.Messages(u.ID) {
		if m.ChannelID != dm.ChannelID || m.GuildID != "" {
			t.Errorf("message %q went to channel %s, want the DM %s", m.Content, m.ChannelID, dm.ChannelID)
		}
	}
	h.checkWire()
}

// TestEditedDirectMessageIsToldPreviewIsNot: a person who edits a direct
// message is told edits are not read, once; the update Discord sends when
// it adds a link's preview to a message is no edit and gets no reply.
func TestEditedDirectMessageIsToldPreviewIsNot(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("ines", "fr")
	id, err := h.srv.DirectMessage(u, "Bonjour, voir https://example.org")
	if err != nil {
		t.Fatal(err)
	}
	_, i := h.awaitButton(u, 0, "accepte")
	h.srv.PreviewDirectMessage(u, id, "Bonjour, voir https://example.org")
	h.srv.EditDirectMessage(u, id, "Bonjour, voyez https://example.org")
	// One event of a person is handled after the other: once the reply to
	// this one is in, the two updates before it have been answered, if at all.
	if _, err := h.srv.DirectMessage(u, "coucou"); err != nil {
		t.Fatal(err)
	}
	fr := text.For(text.FR).Flow
	h.awaitText(u, i+1, fr.Hello)
	notice, _, _ := strings.Cut(fr.Edited, ",")
	msgs := h.srv.Messages(u.ID)[i+1:]
	told := 0
	for _, m := range msgs {
		if strings.Contains(m.Content, notice) {
			told++
		}
	}
	if told != 1 {
		t.Errorf("told %d times that edits are not read, want once (for the edit, not the preview):%s", told, dump(msgs))
	}
	h.checkWire()
}

func TestExpiredInteractionTokenFallsBackToDirectMessage(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("hana", "fr")
	menu, i := h.onboard(u, h.srv.Guild())
	// Hold the follow-up back with a 429 long enough to expire the token.
	h.srv.RateLimit("POST /webhooks/", 1, 300*time.Millisecond, false)
	id := h.click(u, menu, "Égal accès")
	if _, err := h.srv.WaitAck(id, wait); err != nil {
		t.Fatal(err)
	}
	h.srv.ExpireInteraction(id)
	m, _ := h.awaitText(u, i+1, "Question 1/5")
	if m.GuildID != "" || m.ChannelID != h.srv.DM(u).ChannelID {
		t.Errorf("reply after token expiry went to %s/%s, want the DM channel", m.GuildID, m.ChannelID)
	}
	if !m.NoMentions {
		t.Error("DM fallback allows mentions")
	}
}

func TestCommandsRegisteredWithLocalisationsAndIntents(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	cmds := h.srv.Commands(h.srv.GuildID)
	byName := map[string]discordtest.Command{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	for fr, en := range map[string]string{"contribuer": "contribute", "mes_reponses": "answers", "reprendre": "resume", "aide": "help", "menu": "menu", "langue": "language"} {
		c, ok := byName[fr]
		if !ok {
			t.Errorf("command /%s not registered (got %v)", fr, cmds)
			continue
		}
		if c.NameLocalizations["en-US"] != en || c.NameLocalizations["en-GB"] != en || c.DescriptionLocalizations["en-US"] == "" {
			t.Errorf("/%s localisations %v %v", fr, c.NameLocalizations, c.DescriptionLocalizations)
		}
	}
	if g := h.srv.Commands(""); len(g) != 0 {
		t.Errorf("global commands registered while a guild is configured: %v", g)
	}
	if got, want := h.srv.Intents(), 1|1<<12; got != want {
		t.Errorf("intents %b, want GUILDS|DIRECT_MESSAGES %b (no privileged intent)", got, want)
	}
}

func TestCommandsRegisteredGloballyWithoutGuilds(t *testing.T) {
	srv := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(srv.Close)
	ad, err := discord.New(nopHandler{}, discord.Options{Token: srv.Token, ApplicationID: srv.AppID, APIBase: srv.URL + "/api/v9", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx) }()
	if _, err := srv.WaitCommands("", wait); err != nil {
		t.Error("no global commands registered")
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, bot.Inbound) (bot.Applied, error) {
	return bot.Applied{}, nil
}

// TestEnglishEducatorWithFrenchApp: Discord's picker shows a French app
// the French command names, whatever language the educator chose with
// /langue: help names them so, while the notices the adapter sends on
// its own follow the conversation's language, not the app's.
func TestEnglishEducatorWithFrenchApp(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("bob", "fr")
	_, i := h.onboard(u, h.srv.Guild())
	h.slash(u, h.srv.Guild(), "langue")
	_, i = h.awaitText(u, i+1, "I will now speak English.")
	h.slash(u, h.srv.Guild(), "aide")
	help, i := h.awaitText(u, i+1, "Commands:")
	help.Content = strings.ReplaceAll(help.Content, `\_`, "_") // Markdown escapes
	for _, want := range []string{"/reprendre", "/mes_reponses", "/effacer"} {
		if !strings.Contains(help.Content, want) {
			t.Errorf("help does not name %s, which the French picker shows:\n%s", want, help.Content)
		}
	}
	for _, not := range []string{"/resume", "/answers", "/erase"} {
		if strings.Contains(help.Content, not) {
			t.Errorf("help names %s, which the French picker does not show:\n%s", not, help.Content)
		}
	}
	h.failing.Store(true)
	h.slash(u, h.srv.Guild(), "menu")
	h.awaitText(u, i+1, text.For(text.EN).Channel.Discord.Sorry)
	h.failing.Store(false)
	h.checkWire()
}

// TestNoticesKeepTheChosenLanguageAfterARestart: after a restart the
// adapter has sent nothing to the educator yet; its own notices (« not
// recorded », « not here ») still speak the language they chose with
// /langue, as their stored session says, not their app's.
func TestNoticesKeepTheChosenLanguageAfterARestart(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	h.srv.RegisterGlobalCommand("contribuer")
	u := h.srv.NewUser("noor", "fr")
	_, i := h.onboard(u, h.srv.Guild())
	h.slash(u, h.srv.Guild(), "langue")
	h.awaitText(u, i+1, "I will now speak English.")
	h.stop()
	h.start()

	en := text.For(text.EN).Channel.Discord
	n := h.seen(u)
	h.failing.Store(true)
	h.slash(u, h.srv.Guild(), "menu")
	_, i = h.awaitText(u, n, en.Sorry)
	h.failing.Store(false)
	h.slash(u, h.srv.NewGuild(), "contribuer")
	h.awaitText(u, i+1, en.NotHere)
	h.checkWire()
}
