package discord_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
	"consultbot/text"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

const (
	refusalFR     = "Cette commande est réservée à l'équipe d'organisation."
	organiserRole = "424242424242"
)

// orgHarness is the harness with an organisers' channel and role.
type orgHarness struct {
	*harness
	orgCh discordtest.Place
	svc   *organiser.Service // nil when a scripted Organiser is used
	who   []string           // seeded participants
}

// lazyService lets the Service be built over the store the harness opens.
type lazyService struct{ s **organiser.Service }

func (l lazyService) Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error) {
	return (*l.s).Submit(ctx, req)
}

var seedTexts = []string{
	"Il faudrait un ordinateur portable prêté à chaque élève, avec une connexion internet pour les familles.",
	"Les familles ont besoin d'une connexion internet et d'un ordinateur pour les devoirs du soir.",
	"Prêter des ordinateurs aux élèves et former les parents à les utiliser.",
}

// newOrgHarness runs the adapter with org, or with the real Service over
// the harness's store (seeded with three answers) when org is nil.
func newOrgHarness(t *testing.T, org discord.Organiser) *orgHarness {
	t.Helper()
	srv := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(srv.Close)
	t.Cleanup(func() { checkContract(t, srv.Requests()) })
	oh := &orgHarness{orgCh: srv.AddChannel()}
	if org == nil {
		org = lazyService{&oh.svc}
	}
	h := &harness{t: t, srv: srv, dbPath: filepath.Join(t.TempDir(), "consult.db"), opts: func(o *discord.Options) {
		o.OrganiserChannelIDs = []string{oh.orgCh.ChannelID}
		o.OrganiserRoleIDs = []string{organiserRole}
		o.Organiser = org
		o.Questionnaire = flows.DefaultQuestionnaire()
	}}
	h.start()
	t.Cleanup(h.stop)
	oh.harness = h
	if s, ok := org.(*scripted); ok {
		s.mu.Lock()
		s.oh = oh
		s.mu.Unlock()
	}
	if _, ok := org.(lazyService); ok {
		q := flows.DefaultQuestionnaire()
		oh.svc = organiser.New(h.db, q, organiser.Options{Outbox: h.eng})
		oh.svc.AddChannel(bot.ChannelDiscord, h.ad.Layout(), nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- oh.svc.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("organiser service: %v", err)
			}
		})
		for i, text := range seedTexts {
			p := fmt.Sprintf("discord:seed%d", i)
			seedAnswer(t, h.db, p, q.Themes[0].ID, q.Themes[0].Questions[0].ID, text)
			oh.who = append(oh.who, p)
		}
	}
	return oh
}

// seedAnswer stores one text answer of participant as if the conversation
// had recorded it, through the store's one-transaction Apply.
func seedAnswer(t *testing.T, db *storage.DB, participant, theme, question, text string) {
	t.Helper()
	now := time.Now().Add(-time.Minute)
	in := bot.Inbound{
		ID: "seed:" + participant + ":" + theme + "/" + question, Channel: bot.ChannelDiscord,
		Participant: participant, Address: "ch:1", At: now,
		Event: flows.Event{Kind: flows.EventText, Text: text},
	}
	_, err := db.Apply(context.Background(), in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Participant, s.Stage, s.Profile, s.ConsentAt = participant, flows.StageMenu, "enseignant", now
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

// storeState is what organiser commands can change.
func (oh *orgHarness) storeState() string {
	oh.t.Helper()
	hidden, err := oh.db.HiddenAnswers()
	if err != nil {
		oh.t.Fatal(err)
	}
	state := fmt.Sprintf("hidden=%v", hidden)
	for _, p := range oh.who {
		s, _, err := oh.db.Session(p)
		if err != nil {
			oh.t.Fatal(err)
		}
		state += fmt.Sprintf(" %s banned=%v", p, s.Banned)
	}
	return state
}

func (oh *orgHarness) slashWith(u discordtest.User, p discordtest.Place, name string, values map[string]any) string {
	oh.t.Helper()
	id, err := oh.srv.SlashCommandWith(u, p, name, values)
	if err != nil {
		oh.t.Fatal(err)
	}
	return id
}

// channelAfter waits until the organisers' channel holds more than seen
// messages, the last one containing want, and returns the new ones.
// digestEnd is in the last message of a digest that quotes answers: the
// hint on hiding one.
const digestEnd = "/masquer suivi"

func (oh *orgHarness) channelAfter(seen int, want string) []discordtest.Message {
	oh.t.Helper()
	var msgs []discordtest.Message
	err := oh.srv.Wait(wait, func() bool {
		msgs = oh.srv.ChannelMessages(oh.orgCh.ChannelID)
		return len(msgs) > seen && strings.Contains(msgs[len(msgs)-1].Content, want)
	})
	if err != nil {
		oh.t.Fatalf("no message containing %q in the organisers' channel: %v;%s", want, err, dump(msgs[min(seen, len(msgs)):]))
	}
	return msgs[seen:]
}

func joined(msgs []discordtest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}

// checkDigest checks a digest as Discord shows it: the chart first, a PNG
// attachment with a caption, then messages within 2000 characters.
func checkDigest(t *testing.T, msgs []discordtest.Message) {
	t.Helper()
	if len(msgs) < 2 {
		t.Fatalf("digest in %d messages, want the chart and text:%s", len(msgs), dump(msgs))
	}
	first := msgs[0]
	if len(first.Files) != 1 || first.Files[0].ContentType != "image/png" || !bytes.HasPrefix(first.Files[0].Data, pngMagic) {
		t.Fatalf("first message files = %+v, want the PNG chart first", first.Files)
	}
	if !strings.Contains(first.Content, "Contributions par thème") {
		t.Errorf("chart caption = %q", first.Content)
	}
	for _, m := range msgs[1:] {
		if len(m.Files) > 0 {
			t.Errorf("a later message carries files: %+v", m.Files)
		}
		if !m.NoMentions {
			t.Error("a digest message may ping: allowed_mentions not empty")
		}
	}
}

func TestOrganiserCommandsRegisteredHiddenFromMembers(t *testing.T) {
	oh := newOrgHarness(t, nil)
	byName := map[string]discordtest.Command{}
	for _, c := range oh.srv.Commands(oh.srv.GuildID) {
		byName[c.Name] = c
	}
	for fr, en := range map[string]string{"synthese": "digest", "stats": "stats", "masquer": "hide", "afficher": "unhide", "bannir": "ban", "debannir": "unban"} {
		c, ok := byName[fr]
		if !ok {
			t.Errorf("organiser command /%s not registered", fr)
			continue
		}
		if c.DefaultMemberPermissions != "32" {
			t.Errorf("/%s default_member_permissions = %q, want Manage Guild (32)", fr, c.DefaultMemberPermissions)
		}
		if !slices.Equal(c.Contexts, []int{discordtest.ContextGuild}) || !slices.Equal(c.IntegrationTypes, []int{discordtest.InstallGuild}) {
			t.Errorf("/%s contexts %v, integration types %v, want servers only, server install", fr, c.Contexts, c.IntegrationTypes)
		}
		if c.NameLocalizations["en-US"] != en || c.NameLocalizations["en-GB"] != en {
			t.Errorf("/%s English names = %v, want %s", fr, c.NameLocalizations, en)
		}
	}
	if c := byName["contribuer"]; c.DefaultMemberPermissions != "" {
		t.Errorf("/contribuer is hidden from members (%q)", c.DefaultMemberPermissions)
	}
	if c := byName["contribuer"]; !slices.Equal(c.Contexts, []int{discordtest.ContextGuild, discordtest.ContextBotDM}) || !slices.Equal(c.IntegrationTypes, []int{discordtest.InstallGuild}) {
		t.Errorf("/contribuer contexts %v, integration types %v, want servers and the bot's DMs, server install", c.Contexts, c.IntegrationTypes)
	}
	if o := byName["synthese"].Options; len(o) != 1 || o[0].Name != "theme" || o[0].Required || len(o[0].Choices) != len(flows.DefaultQuestionnaire().Themes) {
		t.Errorf("/synthese options = %+v, want an optional theme with one choice per theme", o)
	}
	if o := byName["masquer"].Options; len(o) != 1 || o[0].Name != "id" || o[0].Type != 4 || !o[0].Required {
		t.Errorf("/masquer options = %+v, want a required integer id", o)
	}
}

func TestOrganiserChannelDigestThenHideLeavesIt(t *testing.T) {
	oh := newOrgHarness(t, nil)
	member := oh.srv.NewUser("orga", "fr")

	id := oh.slashWith(member, oh.orgCh, "synthese", nil)
	if ack, err := oh.srv.WaitAck(id, wait); err != nil || ack.Type != discordtest.CallbackDeferred || ack.Late {
		t.Fatalf("ack = %+v, %v; want a deferred response in time", ack, err)
	}
	msgs := oh.channelAfter(0, digestEnd)
	checkDigest(t, msgs)
	target := answerID(t, oh.db, seedTexts[0])
	if !strings.Contains(joined(msgs), fmt.Sprintf("#%d", target)) {
		t.Fatalf("digest does not quote answer #%d:%s", target, dump(msgs))
	}
	seen := len(oh.srv.ChannelMessages(oh.orgCh.ChannelID))

	oh.slashWith(member, oh.orgCh, "masquer", map[string]any{"id": int(target)})
	reply := oh.channelAfter(seen, "masquée")
	if len(reply) != 1 {
		t.Errorf("hide answered in %d messages:%s", len(reply), dump(reply))
	}
	if _, hidden, err := oh.db.AnswerByID(target); err != nil || !hidden {
		t.Fatalf("answer %d hidden = %v, %v", target, hidden, err)
	}
	seen += len(reply)

	oh.slashWith(member, oh.orgCh, "synthese", map[string]any{"theme": flows.DefaultQuestionnaire().Themes[0].ID})
	msgs = oh.channelAfter(seen, digestEnd)
	checkDigest(t, msgs)
	text := joined(msgs)
	if strings.Contains(text, fmt.Sprintf("#%d", target)) || strings.Contains(text, "prêté à chaque élève") {
		t.Errorf("hidden answer #%d still in the next digest:%s", target, dump(msgs))
	}
	if other := answerID(t, oh.db, seedTexts[1]); !strings.Contains(text, fmt.Sprintf("#%d", other)) {
		t.Errorf("visible answer #%d missing:%s", other, dump(msgs))
	}
	if n := len(oh.srv.Messages(member.ID)); n != 0 {
		t.Errorf("in the organisers' channel results are public, yet %d ephemeral messages", n)
	}
}

func TestOrganiserRoleGetsEphemeralResults(t *testing.T) {
	oh := newOrgHarness(t, nil)
	u := oh.srv.NewUser("moderatrice", "fr")
	u.Roles = []string{"1", organiserRole}
	oh.slashWith(u, oh.srv.Guild(), "stats", nil)
	m, _ := oh.await(u, 0, "stats", func(m discordtest.Message) bool { return m.Content != "" })
	if !m.Ephemeral || m.Content == refusalFR {
		t.Errorf("stats for an organiser role in a public channel = %+v, want ephemeral figures", m)
	}
	oh.slashWith(u, oh.srv.Guild(), "synthese", nil)
	if _, err := oh.srv.WaitUser(u.ID, wait, func(ms []discordtest.Message) bool {
		return len(ms) > 1 && strings.Contains(ms[len(ms)-1].Content, "#")
	}); err != nil {
		t.Fatal(err)
	}
	msgs := oh.srv.Messages(u.ID)[1:]
	checkDigest(t, msgs)
	for _, m := range msgs {
		if !m.Ephemeral {
			t.Error("a digest asked for in a public channel is visible to all")
		}
	}
	if p := oh.srv.PublicMessages(); len(p) > 0 {
		t.Errorf("public messages:%s", dump(p))
	}
}

func TestOrganiserCommandsRefusedToOthers(t *testing.T) {
	oh := newOrgHarness(t, nil)
	target := answerID(t, oh.db, seedTexts[0])
	before := oh.storeState()
	u := oh.srv.NewUser("curieux", "fr")
	u.Roles = []string{"1"}
	ids := []string{
		oh.slashWith(u, oh.srv.Guild(), "masquer", map[string]any{"id": int(target)}),
		oh.slashWith(u, oh.srv.Guild(), "bannir", map[string]any{"id": int(target)}),
		oh.slashWith(u, oh.srv.Guild(), "synthese", nil),
		oh.slashWith(u, oh.srv.Guild(), "stats", nil),
	}
	for _, id := range ids {
		if ack, err := oh.srv.WaitAck(id, wait); err != nil || ack.Type != discordtest.CallbackDeferred || ack.Late {
			t.Errorf("refusal ack = %+v, %v; want a deferred response in time", ack, err)
		}
	}
	msgs, err := oh.srv.WaitMessages(u.ID, len(ids), wait)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Content != refusalFR || len(m.Files) > 0 {
			t.Errorf("got %q, want the refusal %q", m.Content, refusalFR)
		}
		if m.GuildID != "" && !m.Ephemeral {
			t.Error("a refusal in a guild channel is public")
		}
	}
	if after := oh.storeState(); after != before {
		t.Errorf("a refused command changed the store: %s, was %s", after, before)
	}
	if p := oh.srv.ChannelMessages(oh.orgCh.ChannelID); len(p) > 0 {
		t.Errorf("organisers' channel got messages:%s", dump(p))
	}
	// The same ban from the organisers' channel does change it.
	oh.slashWith(u, oh.orgCh, "bannir", map[string]any{"id": int(target)})
	oh.channelAfter(0, "banni")
	if after := oh.storeState(); after == before {
		t.Errorf("the organiser's ban changed nothing: %s", after)
	}
}

// scripted is an Organiser that answers every command with a fixed
// result, laid out by the adapter and posted through the engine, and
// counts the commands.
type scripted struct {
	mu    sync.Mutex
	calls []organiser.Command
	res   organiser.Result
	oh    *orgHarness
}

func (s *scripted) Submit(ctx context.Context, req organiser.Request) (organiser.Outcome, error) {
	s.mu.Lock()
	s.calls = append(s.calls, *req.Command)
	oh := s.oh
	s.mu.Unlock()
	return organiser.Queued, oh.eng.Post(ctx, oh.ad.Layout().Render(req.Reply, s.res, req.Lang))
}

// longDigest has enough long quotes to need several Discord messages.
func longDigest() *digest.Digest {
	d := &digest.Digest{Lang: "fr", Until: time.Now(), Period: digest.Figures{Participants: 40, Contributions: 120}, Total: digest.Figures{Participants: 40, Contributions: 120}}
	th := digest.ThemeDigest{ID: "acces", Title: "Égal accès", NewAnswers: 120, TotalAnswers: 120}
	for q := 0; q < 8; q++ {
		qd := digest.QuestionDigest{ID: fmt.Sprintf("q%d", q), Title: fmt.Sprintf("Question *%d* _co_", q), NewAnswers: 10, TotalAnswers: 10}
		for k := 0; k < 3; k++ {
			qd.Quotes = append(qd.Quotes, digest.Quote{AnswerID: uint64(100*q + k + 1), Text: strings.Repeat(fmt.Sprintf("Réponse **%d** @everyone suite ", k), 8)})
		}
		th.Questions = append(th.Questions, qd)
	}
	d.Themes = []digest.ThemeDigest{th}
	return d
}

func TestOrganiserRepliesSplitWithinLimits(t *testing.T) {
	long := strings.Repeat("Ligne avec *étoiles* et _soulignés_, assez longue pour remplir. ", 70)
	s := &scripted{res: organiser.Result{Text: long, Digest: longDigest(), Chart: append(append([]byte{}, pngMagic...), 1, 2, 3)}}
	oh := newOrgHarness(t, s)
	member := oh.srv.NewUser("orga", "fr")
	oh.slashWith(member, oh.orgCh, "masquer", map[string]any{"id": 7})
	rendered := digest.RenderDiscord(*s.res.Digest)
	if len(rendered) < 2 {
		t.Fatal("the test digest fits in one message: it proves no split")
	}
	var msgs []discordtest.Message
	if err := oh.srv.Wait(wait, func() bool {
		msgs = oh.srv.ChannelMessages(oh.orgCh.ChannelID)
		return len(msgs) > 0 && msgs[len(msgs)-1].Content == rendered[len(rendered)-1]
	}); err != nil {
		t.Fatalf("digest did not arrive whole: %v;%s", err, dump(msgs))
	}
	checkDigest(t, msgs)
	textParts := msgs[1 : len(msgs)-len(rendered)]
	if len(textParts) < 2 {
		t.Errorf("a %d-character text went in %d message(s)", len(long), len(textParts))
	}
	var got strings.Builder
	for _, m := range textParts {
		got.WriteString(strings.NewReplacer(`\*`, "*", `\_`, "_").Replace(m.Content) + " ")
	}
	if strings.Join(strings.Fields(got.String()), " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("the long text did not arrive whole")
	}
	if r := oh.srv.Rejected(); len(r) > 0 {
		t.Errorf("fake Discord refused requests: %q", r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) != 1 || s.calls[0] != (organiser.Command{Name: organiser.CmdHide, AnswerID: 7}) {
		t.Errorf("calls = %+v, want hide 7", s.calls)
	}
}

func TestPostDigestToChannel(t *testing.T) {
	oh := newOrgHarness(t, &scripted{})
	d := longDigest()
	chart, err := digest.Chart(*d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	addr, err := oh.ad.Layout().DigestAddress(oh.orgCh.ChannelID)
	if err != nil {
		t.Fatal(err)
	}
	out := oh.ad.Layout().Render(bot.Outgoing{Channel: bot.ChannelDiscord, Address: addr}, organiser.Result{Digest: d, Chart: chart}, "fr")
	if err := oh.eng.Post(ctx, out); err != nil {
		t.Fatal(err)
	}
	want := 1 + len(digest.RenderDiscord(*d))
	var msgs []discordtest.Message
	if err := oh.srv.Wait(wait, func() bool {
		msgs = oh.srv.ChannelMessages(oh.orgCh.ChannelID)
		return len(msgs) >= want
	}); err != nil {
		t.Fatalf("%d messages in the channel, want %d: %v", len(msgs), want, err)
	}
	checkDigest(t, msgs)
	if len(msgs) != 1+len(digest.RenderDiscord(*d)) {
		t.Errorf("posted %d messages, want the chart and %d", len(msgs), len(digest.RenderDiscord(*d)))
	}
	if !bytes.Equal(msgs[0].Files[0].Data, chart) {
		t.Error("the chart arrived altered")
	}
	if _, err := oh.ad.Layout().DigestAddress("general"); err == nil {
		t.Error("a digest for a malformed channel id was rendered")
	}
}

// TestRefusalsTakeNoOrganiserSlot: a hundred organiser commands from a
// member who is not an organiser are refused a few times and cost
// nothing else; an organiser's /stats right behind them is answered
// within a few seconds.
func TestRefusalsTakeNoOrganiserSlot(t *testing.T) {
	oh := newOrgHarness(t, nil)
	before := oh.storeState()
	stranger := oh.srv.NewUser("curieux", "fr")
	stranger.Roles = []string{"1"}
	target := answerID(t, oh.db, seedTexts[0])
	for i := range 100 {
		switch i % 3 {
		case 0:
			oh.slashWith(stranger, oh.srv.Guild(), "stats", nil)
		case 1:
			oh.slashWith(stranger, oh.srv.Guild(), "synthese", nil)
		default:
			oh.slashWith(stranger, oh.srv.Guild(), "masquer", map[string]any{"id": int(target)})
		}
	}
	asked := time.Now()
	oh.slashWith(oh.srv.NewUser("orga", "fr"), oh.orgCh, "stats", nil)
	if err := oh.srv.Wait(10*time.Second, func() bool {
		msgs := oh.srv.ChannelMessages(oh.orgCh.ChannelID)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Content, "participants ayant répondu au total")
	}); err != nil {
		t.Fatalf("the organiser's /stats behind a hundred refused commands: %v", err)
	}
	t.Logf("the organiser's /stats answered %v after it was sent, behind 100 refused commands", time.Since(asked).Round(time.Millisecond))
	if err := oh.srv.Wait(wait, func() bool { return len(oh.srv.Messages(stranger.ID)) >= 5 }); err != nil {
		t.Fatal(err)
	}
	refusals := 0
	for _, m := range oh.srv.Messages(stranger.ID) {
		if m.Content != refusalFR || !m.Ephemeral {
			t.Errorf("the stranger got %q (ephemeral %v), want only the refusal, ephemeral", m.Content, m.Ephemeral)
		}
		refusals++
	}
	if refusals != 5 {
		t.Errorf("%d refusals, want five", refusals)
	}
	if after := oh.storeState(); after != before {
		t.Errorf("refused commands changed the store: %s, was %s", after, before)
	}
}

// TestAnnouncementCommandsRegistered: /annonce and /annonce_envoyer are
// registered for organisers with their English names, their descriptions
// and their options' from the text catalogue, in French and English.
func TestAnnouncementCommandsRegistered(t *testing.T) {
	oh := newOrgHarness(t, nil)
	byName := map[string]discordtest.Command{}
	for _, c := range oh.srv.Commands(oh.srv.GuildID) {
		byName[c.Name] = c
	}
	fr, en := text.For(text.FR).Organiser, text.For(text.EN).Organiser
	english := func(s string) map[string]string { return map[string]string{"en-US": s, "en-GB": s} }
	for _, want := range []struct {
		fr, en, id       string
		opt, optEN       string
		typ              int
		optDesc, optDesE string
	}{
		{"annonce", "announce", organiser.CmdAnnounce, "texte", "text", 3, fr.Announce.TextOption, en.Announce.TextOption},
		{"annonce_envoyer", "announce_send", organiser.CmdAnnounceSend, "numero", "number", 4, fr.Announce.DraftOption, en.Announce.DraftOption},
	} {
		c, ok := byName[want.fr]
		if !ok {
			t.Errorf("/%s not registered", want.fr)
			continue
		}
		if c.DefaultMemberPermissions != "32" {
			t.Errorf("/%s default_member_permissions = %q, want Manage Guild (32)", want.fr, c.DefaultMemberPermissions)
		}
		if !maps.Equal(c.NameLocalizations, english(want.en)) {
			t.Errorf("/%s English names = %v, want %s", want.fr, c.NameLocalizations, want.en)
		}
		if d := fr.Commands[want.id].Menu; c.Description != d || d == "" {
			t.Errorf("/%s description = %q, want %q", want.fr, c.Description, d)
		}
		if d := en.Commands[want.id].Menu; !maps.Equal(c.DescriptionLocalizations, english(d)) || d == "" {
			t.Errorf("/%s English descriptions = %v, want %q", want.fr, c.DescriptionLocalizations, d)
		}
		if len(c.Options) != 1 {
			t.Errorf("/%s options = %+v, want one", want.fr, c.Options)
			continue
		}
		o := c.Options[0]
		if o.Name != want.opt || o.Type != want.typ || !o.Required || !maps.Equal(o.NameLocalizations, english(want.optEN)) {
			t.Errorf("/%s option = %+v, want a required %q (%q in English) of type %d", want.fr, o, want.opt, want.optEN, want.typ)
		}
		if o.Description != want.optDesc || !maps.Equal(o.DescriptionLocalizations, english(want.optDesE)) {
			t.Errorf("/%s option descriptions = %q, %v; want %q, %q", want.fr, o.Description, o.DescriptionLocalizations, want.optDesc, want.optDesE)
		}
	}
}
