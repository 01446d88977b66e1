package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
	"consultbot/text"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

const refusalFR = "Cette commande est réservée à l'équipe d'organisation."

// Organiser ids of these tests: user 900 anywhere, everyone in -500.
const (
	orgUser  = 900
	orgGroup = -500
)

// seedAnswer stores one text answer of participant as if the conversation
// had recorded it, through the store's one-transaction Apply.
func seedAnswer(t *testing.T, db *storage.DB, participant, theme, question, text string) {
	t.Helper()
	now := time.Now().Add(-time.Minute)
	in := bot.Inbound{
		ID: "seed:" + participant + ":" + theme + "/" + question, Channel: bot.ChannelTelegram,
		Participant: participant, Address: "1", At: now,
		Event: flows.Event{Kind: flows.EventText, Text: text},
	}
	_, err := db.Apply(context.Background(), in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Participant, s.Stage, s.Profile, s.ConsentAt = participant, flows.StageMenu, "parent", now
		if s.CreatedAt.IsZero() {
			s.CreatedAt = now
		}
		s.UpdatedAt = now
		answers := map[string]flows.Answer{}
		for k, v := range s.Answers {
			answers[k] = v
		}
		answers[flows.AnswerKey(theme, question)] = flows.Answer{Theme: theme, Question: question, Text: text, CreatedAt: now, UpdatedAt: now}
		s.Answers = answers
		return s, nil
	})
	if err != nil {
		t.Fatalf("seed answer: %v", err)
	}
}

// answerID finds the id of the stored answer whose text is text.
func answerID(t *testing.T, db *storage.DB, text string) uint64 {
	t.Helper()
	var id uint64
	err := db.ForEachAnswer(context.Background(), func(a storage.Answer) error {
		if a.Text == text {
			id = a.ID
		}
		return nil
	})
	if err != nil || id == 0 {
		t.Fatalf("answer %q not found (%v)", text, err)
	}
	return id
}

// storeState is what organiser commands can change: hidden answers and
// banned participants.
func storeState(t *testing.T, db *storage.DB, participants ...string) string {
	t.Helper()
	hidden, err := db.HiddenAnswers()
	if err != nil {
		t.Fatal(err)
	}
	state := fmt.Sprintf("hidden=%v", hidden)
	for _, p := range participants {
		s, _, err := db.Session(p)
		if err != nil {
			t.Fatal(err)
		}
		state += fmt.Sprintf(" %s banned=%v", p, s.Banned)
	}
	return state
}

var seedTexts = []string{
	"Il faudrait un ordinateur portable prêté à chaque élève, avec une connexion internet pour les familles.",
	"Les familles ont besoin d'une connexion internet et d'un ordinateur pour les devoirs du soir.",
	"Prêter des ordinateurs aux élèves et former les parents à les utiliser.",
}

// startOrganiserApp runs the adapter with the real organiser Service over
// the app's store, seeded with three answers to the first question.
func startOrganiserApp(t *testing.T, fake *telegramtest.Server) (*app, []string) {
	t.Helper()
	return startOrganiserAppWith(t, fake, organiser.Options{})
}

// startOrganiserAppWith is startOrganiserApp with the Service's options.
func startOrganiserAppWith(t *testing.T, fake *telegramtest.Server, opts organiser.Options) (*app, []string) {
	t.Helper()
	var svc *organiser.Service
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.OrganiserUsers = []int64{orgUser}
		o.Organiser = lazyService{&svc}
	})
	q := flows.DefaultQuestionnaire()
	opts.Outbox = a.eng
	svc = organiser.New(a.db, q, opts)
	svc.AddChannel(bot.ChannelTelegram, a.ad.Layout(), nil)
	runService(t, svc)
	th, qu := q.Themes[0].ID, q.Themes[0].Questions[0].ID
	var who []string
	for i, text := range seedTexts {
		p := fmt.Sprintf("telegram:seed%d", i)
		seedAnswer(t, a.db, p, th, qu, text)
		who = append(who, p)
	}
	return a, who
}

// lazyService lets the Service be built over the store startApp opens.
type lazyService struct{ s **organiser.Service }

func (l lazyService) Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error) {
	return (*l.s).Submit(ctx, req)
}

// runService runs s's workers until the test ends, before the app stops.
func runService(t *testing.T, s *organiser.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("organiser service: %v", err)
		}
	})
}

// waitNew waits for messages in chatID beyond the first seen, until the
// last one contains want, and returns the new ones.
func waitNew(t *testing.T, fake *telegramtest.Server, chatID int64, seen int, want string) []telegramtest.Message {
	t.Helper()
	var msgs []telegramtest.Message
	err := fake.Wait(waitCtx(t), func() bool {
		msgs = fake.Messages(chatID)
		return len(msgs) > seen && strings.Contains(msgs[len(msgs)-1].Text, want)
	})
	if err != nil {
		t.Fatalf("no message containing %q in chat %d: %v; got %s", want, chatID, err, dumpTG(msgs[min(seen, len(msgs)):]))
	}
	return msgs[seen:]
}

func dumpTG(msgs []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n[%s] %.300q", m.Kind, m.Text)
	}
	return b.String()
}

func joined(msgs []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// checkDigest checks a digest as a chat receives it: the chart first, a
// real PNG with a caption, then HTML messages within Telegram's limit.
func checkDigest(t *testing.T, msgs []telegramtest.Message) {
	t.Helper()
	if len(msgs) < 2 {
		t.Fatalf("digest in %d messages, want the chart and at least one text: %s", len(msgs), dumpTG(msgs))
	}
	if msgs[0].Kind != "photo" || !bytes.HasPrefix(msgs[0].File, pngMagic) {
		t.Fatalf("first message is a %s of %d bytes, want the PNG chart first", msgs[0].Kind, len(msgs[0].File))
	}
	if !strings.Contains(msgs[0].Text, "Contributions par thème") {
		t.Errorf("chart caption = %q", msgs[0].Text)
	}
	for _, m := range msgs[1:] {
		if m.Kind != "text" || m.ParseMode != "HTML" {
			t.Errorf("digest message kind %s parse mode %q, want HTML text", m.Kind, m.ParseMode)
		}
	}
}

func TestOrganiserDigestChartFirstThenHideLeavesIt(t *testing.T) {
	fake := newFake(t)
	a, _ := startOrganiserApp(t, fake)
	org := telegramtest.User{ID: orgUser, FirstName: "Orga", LanguageCode: "fr"}

	fake.SendText(org, "/synthese")
	msgs := waitNew(t, fake, orgUser, 0, "#")
	checkDigest(t, msgs)
	text := joined(msgs)
	target := answerID(t, a.db, seedTexts[0])
	if !strings.Contains(text, fmt.Sprintf("#%d", target)) {
		t.Fatalf("digest does not quote answer #%d:%s", target, dumpTG(msgs))
	}
	seen := len(fake.Messages(orgUser))

	fake.SendText(org, fmt.Sprintf("/masquer %d", target))
	reply := waitNew(t, fake, orgUser, seen, "masquée")
	if len(reply) != 1 {
		t.Errorf("hide answered with %d messages: %s", len(reply), dumpTG(reply))
	}
	if _, hidden, err := a.db.AnswerByID(target); err != nil || !hidden {
		t.Fatalf("answer %d hidden = %v, %v; want hidden", target, hidden, err)
	}
	seen = len(fake.Messages(orgUser))

	fake.SendText(org, "/digest")
	msgs = waitNew(t, fake, orgUser, seen, "#")
	checkDigest(t, msgs)
	text = joined(msgs)
	if strings.Contains(text, fmt.Sprintf("#%d", target)) || strings.Contains(text, "prêté à chaque élève") {
		t.Errorf("hidden answer #%d still in the next digest:%s", target, dumpTG(msgs))
	}
	other := answerID(t, a.db, seedTexts[1])
	if !strings.Contains(text, fmt.Sprintf("#%d", other)) {
		t.Errorf("visible answer #%d missing from the digest:%s", other, dumpTG(msgs))
	}
}

func TestOrganiserCommandsRefusedToOthers(t *testing.T) {
	fake := newFake(t)
	a, who := startOrganiserApp(t, fake)
	target := answerID(t, a.db, seedTexts[0])
	before := storeState(t, a.db, who...)

	parent := telegramtest.User{ID: 77, FirstName: "Parent", LanguageCode: "fr"}
	group := telegramtest.Group{ID: -100}
	fake.SendText(parent, fmt.Sprintf("/masquer %d", target))
	fake.SendText(parent, fmt.Sprintf("/bannir %d", target))
	fake.GroupMessage(group, parent, fmt.Sprintf("/masquer@%s %d", fake.BotUsername(), target))
	fake.GroupMessage(group, parent, "/synthese")

	for chat, n := range map[int64]int{77: 2, group.ID: 2} {
		msgs, err := fake.WaitMessages(waitCtx(t), chat, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Text != refusalFR {
				t.Errorf("chat %d got %q, want the refusal %q", chat, m.Text, refusalFR)
			}
			if m.Kind != "text" {
				t.Errorf("chat %d got a %s", chat, m.Kind)
			}
		}
	}
	if err := fake.Wait(waitCtx(t), func() bool { return fake.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	if after := storeState(t, a.db, who...); after != before {
		t.Errorf("a refused command changed the store: %s, was %s", after, before)
	}
	if _, ok, _ := a.db.Session("telegram:77"); ok {
		t.Error("a refused command started a consultation")
	}
	// The same command from the organiser does change it: the refusal
	// was about who asked.
	fake.SendText(telegramtest.User{ID: orgUser, LanguageCode: "fr"}, fmt.Sprintf("/bannir %d", target))
	waitNew(t, fake, orgUser, 0, "banni")
	if after := storeState(t, a.db, who...); after == before {
		t.Errorf("the organiser's ban changed nothing: %s", after)
	}
}

func TestOrganiserGroupGetsCommandsAndHelp(t *testing.T) {
	fake := newFake(t)
	startOrganiserApp(t, fake)
	member := telegramtest.User{ID: 31, FirstName: "Membre", LanguageCode: "fr"}
	g := telegramtest.Group{ID: orgGroup}

	fake.GroupMessage(g, member, "/aide@"+fake.BotUsername())
	help := waitNew(t, fake, orgGroup, 0, "/synthese")
	if !strings.Contains(help[0].Text, "/masquer") || strings.Contains(help[0].Text, "arrivent bientôt") {
		t.Errorf("organisers' chat help = %q", help[0].Text)
	}
	fake.GroupMessage(g, member, "/stats@"+fake.BotUsername())
	stats := waitNew(t, fake, orgGroup, 1, "")
	if stats[0].Text == refusalFR || stats[0].Kind != "text" {
		t.Errorf("stats in the organisers' chat = %s", dumpTG(stats))
	}
	fake.GroupMessage(g, member, "/synthese@"+fake.BotUsername()+" 99")
	bad := waitNew(t, fake, orgGroup, 2, "")
	if !strings.Contains(bad[0].Text, "99") {
		t.Errorf("unknown theme answered %q", bad[0].Text)
	}
	fake.GroupMessage(g, member, "/masquer@"+fake.BotUsername()+" abc")
	bad = waitNew(t, fake, orgGroup, 3, "")
	if !strings.Contains(bad[0].Text, "abc") || !strings.Contains(bad[0].Text, "123") {
		t.Errorf("malformed command answered %q, want how to write it", bad[0].Text)
	}
	fake.GroupMessage(g, member, "/synthese@"+fake.BotUsername())
	checkDigest(t, waitNew(t, fake, orgGroup, 4, "#"))
}

// scripted is an Organiser that answers every command with a fixed
// result, laid out by the adapter and posted through the engine, and
// counts the commands.
type scripted struct {
	mu    sync.Mutex
	calls []organiser.Command
	res   organiser.Result
	app   *app
}

func (s *scripted) Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error) {
	cmd, err := organiser.ParseCommand(req.Text)
	if err != nil {
		return organiser.NotMine, nil
	}
	s.mu.Lock()
	s.calls = append(s.calls, cmd)
	a := s.app
	s.mu.Unlock()
	return organiser.Queued, a.eng.Post(ctx, a.ad.Layout().Render(req.Reply, s.res, req.Lang))
}

// longDigest has enough long quotes to need several Telegram messages.
func longDigest() *digest.Digest {
	d := &digest.Digest{Lang: "fr", Until: time.Now(), Period: digest.Figures{Participants: 40, Contributions: 120}, Total: digest.Figures{Participants: 40, Contributions: 120}}
	th := digest.ThemeDigest{ID: "acces", Title: "Égal accès", NewAnswers: 120, TotalAnswers: 120}
	for q := 0; q < 12; q++ {
		qd := digest.QuestionDigest{ID: fmt.Sprintf("q%d", q), Title: fmt.Sprintf("Question <%d> & co", q), NewAnswers: 10, TotalAnswers: 10}
		for k := 0; k < 3; k++ {
			qd.Quotes = append(qd.Quotes, digest.Quote{AnswerID: uint64(100*q + k + 1), Text: strings.Repeat(fmt.Sprintf("Réponse <b>%d</b> & suite ", k), 12)})
		}
		th.Questions = append(th.Questions, qd)
	}
	d.Themes = []digest.ThemeDigest{th}
	return d
}

func TestOrganiserRepliesSplitWithinLimits(t *testing.T) {
	fake := newFake(t)
	long := strings.Repeat("Ligne avec <balise> & esperluette, assez longue pour remplir. ", 180)
	s := &scripted{res: organiser.Result{Text: long, Digest: longDigest(), Chart: append(append([]byte{}, pngMagic...), 1, 2, 3)}}
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.OrganiserUsers = []int64{orgUser}
		o.Organiser = s
	})
	s.mu.Lock()
	s.app = a
	s.mu.Unlock()
	fake.SendText(telegramtest.User{ID: orgUser, LanguageCode: "fr"}, "/stats")
	rendered := digest.RenderTelegram(*s.res.Digest)
	want := 1 + len(rendered)
	var msgs []telegramtest.Message
	if err := fake.Wait(waitCtx(t), func() bool {
		msgs = fake.Messages(orgUser)
		return len(msgs) >= want+2 && msgs[len(msgs)-1].Raw == rendered[len(rendered)-1]
	}); err != nil {
		t.Fatalf("got %d messages, want the chart, the text in 2+ parts and the digest: %v", len(msgs), err)
	}
	if msgs[0].Kind != "photo" {
		t.Fatalf("first message is a %s, want the chart", msgs[0].Kind)
	}
	var text strings.Builder
	for _, m := range msgs[1 : len(msgs)-(want-1)] {
		if n := len([]rune(m.Text)); n > 4096 {
			t.Errorf("message of %d characters", n)
		}
		text.WriteString(m.Text + " ")
	}
	if strings.Join(strings.Fields(text.String()), " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("the long text did not arrive whole and unescaped")
	}
	if len(rendered) < 2 {
		t.Error("the test digest fits in one message: it proves no split")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) != 1 || s.calls[0].Name != organiser.CmdStats {
		t.Errorf("calls = %+v, want one stats", s.calls)
	}
}

func TestPostDigestToGroup(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	fake.JoinGroup(telegramtest.Group{ID: orgGroup})
	d := longDigest()
	chart, err := digest.Chart(*d)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := a.ad.Layout().DigestAddress(fmt.Sprint(orgGroup))
	if err != nil {
		t.Fatal(err)
	}
	out := a.ad.Layout().Render(bot.Outgoing{Channel: bot.ChannelTelegram, Address: addr}, organiser.Result{Digest: d, Chart: chart}, "fr")
	if err := a.eng.Post(waitCtx(t), out); err != nil {
		t.Fatal(err)
	}
	msgs, err := fake.WaitMessages(waitCtx(t), orgGroup, 1+len(digest.RenderTelegram(*d)))
	if err != nil {
		t.Fatal(err)
	}
	checkDigest(t, msgs)
	if len(msgs) != 1+len(digest.RenderTelegram(*d)) {
		t.Errorf("posted %d messages, want the chart and %d", len(msgs), len(digest.RenderTelegram(*d)))
	}
	if !bytes.Equal(msgs[0].File, chart) {
		t.Error("the chart arrived altered")
	}
	if _, err := a.ad.Layout().DigestAddress("not-a-chat"); err == nil {
		t.Error("a digest for a malformed chat id was rendered")
	}
}

// gate is a chart function that holds a digest in the organiser
// service's worker until released.
type gate struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gate) chart(d digest.Digest) ([]byte, error) {
	g.once.Do(func() { close(g.started) })
	<-g.release
	return digest.Chart(d)
}

func TestSlowOrganiserCommandDoesNotHoldUpParticipants(t *testing.T) {
	fake := newFake(t)
	g := &gate{started: make(chan struct{}), release: make(chan struct{})}
	startOrganiserAppWith(t, fake, organiser.Options{Chart: g.chart})
	fake.SendText(telegramtest.User{ID: orgUser, LanguageCode: "fr"}, "/synthese")
	select {
	case <-g.started:
	case <-waitCtx(t).Done():
		t.Fatal("the organiser command never ran")
	}
	// The digest is still being computed: a parent is answered meanwhile.
	p := newParent(t, fake, 42)
	p.say("/start")
	p.expect("Avant de commencer")
	if n := len(fake.Messages(orgUser)); n != 0 {
		t.Fatalf("organiser got %d messages before the command finished", n)
	}
	close(g.release)
	checkDigest(t, waitNew(t, fake, orgUser, 0, "#"))
}

func TestOrganiserChatsGetTheirCommandMenu(t *testing.T) {
	fake := newFake(t)
	startOrganiserApp(t, fake)
	names := func(cs []telegramtest.BotCommand) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Command)
		}
		return strings.Join(out, " ")
	}
	for _, chat := range []int64{orgGroup, orgUser} {
		var fr string
		if err := fake.Wait(waitCtx(t), func() bool {
			fr = names(fake.ChatCommands(chat, ""))
			return strings.Contains(fr, "debannir") && len(fake.ChatCommands(chat, "en")) > 0
		}); err != nil {
			t.Fatalf("chat %d menu = %q, want the organiser commands", chat, fr)
		}
		if !strings.Contains(fr, "synthese") || !strings.Contains(fr, "aide") {
			t.Errorf("chat %d French menu = %q", chat, fr)
		}
		if en := names(fake.ChatCommands(chat, "en")); !strings.Contains(en, "digest") || !strings.Contains(en, "unban") {
			t.Errorf("chat %d English menu = %q", chat, en)
		}
	}
	if def := names(fake.Commands("")); strings.Contains(def, "synthese") || strings.Contains(def, "annonce") {
		t.Errorf("everyone's menu shows organiser commands: %q", def)
	}
	// The announcements, with their descriptions from the catalogue.
	for _, lang := range []string{text.FR, text.EN} {
		code := ""
		if lang == text.EN {
			code = "en"
		}
		got := map[string]string{}
		for _, c := range fake.ChatCommands(orgUser, code) {
			got[c.Command] = c.Description
		}
		for _, id := range []string{organiser.CmdAnnounce, organiser.CmdAnnounceSend} {
			spec, _ := organiser.Lookup(id)
			want := spec.Text(lang).Menu
			if d, ok := got[spec.Name(lang)]; !ok || d != want || want == "" {
				t.Errorf("%s menu: /%s = %q (listed %v), want %q", lang, spec.Name(lang), d, ok, want)
			}
		}
	}
}
