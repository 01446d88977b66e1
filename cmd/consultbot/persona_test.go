package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/bot/telegram/telegramtest"
)

// personas is `consultbot run` with both chat channels, pointed at the
// in-repo Telegram and Discord fakes, and driven by people (tgPerson,
// dcPerson) who act as a parent or an educator would and read what the
// bot shows them.
type personas struct {
	t  *testing.T
	tg *telegramtest.Server
	dc *discordtest.Server
	r  *runningBot
}

const personaDiscordToken = "discord-token-for-personas"

// startPersonas starts `run` with Telegram and Discord in the current
// test's temporary directory. guilds sets Discord's guild_ids to the
// fake's guild (else commands are registered globally, so that they work
// in direct messages too). People here act faster than anyone can tap:
// flood control lets them, unless flood is set (then the defaults hold).
func startPersonas(t *testing.T, guilds bool, flood ...bool) *personas {
	t.Helper()
	tg := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(tg.Close)
	dc := discordtest.NewServer(discordtest.Options{Token: personaDiscordToken})
	t.Cleanup(dc.Close)
	t.Chdir(t.TempDir())
	guildLine := ""
	if guilds {
		guildLine = fmt.Sprintf("guild_ids = [%q]\n", dc.GuildID)
	}
	cfg := fmt.Sprintf("[storage]\npath = \"run.db\"\n[telegram]\napi_endpoint = %q\n[discord]\napi_base = %q\napplication_id = %q\n%s",
		tg.URL(), dc.URL+"/api/v9", dc.AppID, guildLine)
	if len(flood) == 0 || !flood[0] {
		cfg += "[security]\nflood_burst = 1000\n"
	}
	r := runReplica(t, writeConfig(t, cfg), map[string]string{"TELEGRAM_TOKEN": tg.Token(), "DISCORD_TOKEN": personaDiscordToken})
	t.Cleanup(func() {
		wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
		defer stop()
		r.stop(t, wait)
	})
	guild := ""
	if guilds {
		guild = dc.GuildID
	}
	if _, err := dc.WaitCommands(guild, 30*time.Second); err != nil {
		t.Fatalf("no Discord commands registered: %v\nstderr:\n%s", err, r.stderr)
	}
	return &personas{t: t, tg: tg, dc: dc, r: r}
}

// settle waits until the bot has taken every Telegram update, answered
// every tap and interaction, and delivered every reply of channel.
func (p *personas) settle(channel string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := p.r.m.db.OutboxStats(context.Background())
		done := err == nil && st[channel].Depth == 0
		switch channel {
		case bot.ChannelTelegram:
			done = done && p.tg.PendingUpdates() == 0
		case bot.ChannelDiscord:
			done = done && len(p.dc.Unacknowledged()) == 0
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the bot never settled on %s: %v %v\nstderr:\n%s", channel, st, err, p.r.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tgPerson is someone in a private Telegram chat with the bot; seen is
// what they last read of every message, to tell what changed.
type tgPerson struct {
	p    *personas
	u    telegramtest.User
	seen map[int]string
	log  strings.Builder
}

func (p *personas) telegram(id int64, name, lang string) *tgPerson {
	return &tgPerson{p: p, u: telegramtest.User{ID: id, FirstName: name, LanguageCode: lang}, seen: map[int]string{}}
}

func tgView(m telegramtest.Message) string {
	s := m.Text
	if m.Kind != "text" {
		s = fmt.Sprintf("[%s, %d bytes] %s", m.Kind, len(m.File), s)
	}
	if len(m.Keyboard) > 0 {
		s += "\n   [" + strings.Join(m.Labels(), "] [") + "]"
	}
	return s
}

// await waits for a change in what the person sees (a new message or an
// edited one), then for the bot to settle, and returns what changed.
func (pp *tgPerson) await(action string) []telegramtest.Message {
	pp.p.t.Helper()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	_ = pp.p.tg.Wait(wait, func() bool { return len(pp.changed()) > 0 })
	pp.p.settle(bot.ChannelTelegram)
	ch := pp.changed()
	fmt.Fprintf(&pp.log, "> %s\n", action)
	if len(ch) == 0 {
		fmt.Fprintf(&pp.log, "   (nothing)\n")
	}
	for _, m := range ch {
		verb := "<"
		if _, ok := pp.seen[m.ID]; ok {
			verb = "< (edit #" + fmt.Sprint(m.ID) + ")"
		}
		fmt.Fprintf(&pp.log, "%s %s\n", verb, strings.ReplaceAll(tgView(m), "\n", "\n   "))
		pp.seen[m.ID] = tgView(m)
	}
	return ch
}

func (pp *tgPerson) changed() []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range pp.p.tg.Messages(pp.u.ID) {
		if v, ok := pp.seen[m.ID]; !ok || v != tgView(m) {
			out = append(out, m)
		}
	}
	return out
}

func (pp *tgPerson) say(s string) []telegramtest.Message {
	pp.p.tg.SendText(pp.u, s)
	return pp.await(fmt.Sprintf("%q", s))
}

// last is the latest message offering label.
func (pp *tgPerson) last(label string) telegramtest.Message {
	pp.p.t.Helper()
	return latest(pp.p.t, pp.p.tg.Messages(pp.u.ID), label, &pp.log, func(m telegramtest.Message) bool {
		return slices.Contains(m.Labels(), label)
	})
}

// latest returns the newest of ms that offers label (offers says whether
// one does), or fails the test with what the person read.
func latest[M any](t *testing.T, ms []M, label string, log *strings.Builder, offers func(M) bool) M {
	t.Helper()
	for i := len(ms) - 1; i >= 0; i-- {
		if offers(ms[i]) {
			return ms[i]
		}
	}
	t.Fatalf("no message offers %q\n%s", label, log.String())
	var none M
	return none
}

func (pp *tgPerson) tap(label string) []telegramtest.Message {
	return pp.tapOn(pp.last(label), label)
}

func (pp *tgPerson) tapOn(m telegramtest.Message, label string) []telegramtest.Message {
	pp.p.t.Helper()
	_, q, err := pp.p.tg.TapButton(pp.u, m, label)
	if err != nil {
		pp.p.t.Fatal(err)
	}
	return pp.awaitTap(q, fmt.Sprintf("tap [%s] on #%d", label, m.ID))
}

// awaitTap awaits the reply to the tap q, and notes a tap left unanswered
// (its button's clock would spin on).
func (pp *tgPerson) awaitTap(q, action string) []telegramtest.Message {
	pp.p.t.Helper()
	out := pp.await(action)
	if !pp.p.tg.CallbackAnswered(q) {
		fmt.Fprintf(&pp.log, "   !! tap never answered (clock spins)\n")
	}
	return out
}

// dcPerson is an educator on Discord; seen is what they last read of
// every message, modal the last form they saw open.
type dcPerson struct {
	p     *personas
	u     discordtest.User
	seen  map[string]string
	modal string // the interaction of the last form seen open
	log   strings.Builder
}

func (p *personas) discord(name, locale string) *dcPerson {
	return &dcPerson{p: p, u: p.dc.NewUser(name, locale), seen: map[string]string{}}
}

func dcView(m discordtest.Message) string {
	s := m.Content
	var ls []string
	for _, b := range m.Buttons() {
		l := b.Label
		if b.Disabled {
			l += " (off)"
		}
		ls = append(ls, l)
	}
	if len(ls) > 0 {
		s += "\n   [" + strings.Join(ls, "] [") + "]"
	}
	if m.Ephemeral {
		s = "(only you) " + s
	}
	return s
}

func (pp *dcPerson) changed() []discordtest.Message {
	var out []discordtest.Message
	for _, m := range pp.p.dc.Messages(pp.u.ID) {
		if v, ok := pp.seen[m.ID]; !ok || v != dcView(m) {
			out = append(out, m)
		}
	}
	return out
}

func (pp *dcPerson) await(action string, err error) []discordtest.Message {
	pp.p.t.Helper()
	fmt.Fprintf(&pp.log, "> %s\n", action)
	if err != nil {
		fmt.Fprintf(&pp.log, "   !! %v\n", err)
	}
	newModal := func() (discordtest.Modal, bool) {
		m, ok := pp.p.dc.Modal(pp.u.ID)
		return m, ok && m.InteractionID != pp.modal
	}
	_ = pp.p.dc.Wait(10*time.Second, func() bool {
		_, opened := newModal()
		return opened || len(pp.changed()) > 0
	})
	pp.p.settle(bot.ChannelDiscord)
	ch := pp.changed()
	m, opened := newModal()
	if len(ch) == 0 && !opened {
		fmt.Fprintf(&pp.log, "   (nothing)\n")
	}
	if opened {
		pp.modal = m.InteractionID
		fmt.Fprintf(&pp.log, "< form %q:", m.Title)
		for _, in := range m.Inputs {
			fmt.Fprintf(&pp.log, " {%q, at most %d characters, required %v}", in.Label, in.MaxLength, in.Required)
		}
		fmt.Fprintln(&pp.log)
	}
	for _, m := range ch {
		verb := "<"
		if _, ok := pp.seen[m.ID]; ok {
			verb = "< (edit " + m.ID + ")"
		}
		fmt.Fprintf(&pp.log, "%s %s\n", verb, strings.ReplaceAll(dcView(m), "\n", "\n   "))
		pp.seen[m.ID] = dcView(m)
	}
	return ch
}

func (pp *dcPerson) slash(place discordtest.Place, name string, opts map[string]any) []discordtest.Message {
	_, err := pp.p.dc.SlashCommandWith(pp.u, place, name, opts)
	return pp.await(fmt.Sprintf("/%s %v", name, opts), err)
}

func (pp *dcPerson) lastWith(label string) discordtest.Message {
	pp.p.t.Helper()
	return latest(pp.p.t, pp.p.dc.Messages(pp.u.ID), label, &pp.log, func(m discordtest.Message) bool {
		_, ok := m.Button(label)
		return ok
	})
}

func (pp *dcPerson) click(label string) []discordtest.Message {
	return pp.clickOn(pp.lastWith(label), label)
}

func (pp *dcPerson) clickOn(m discordtest.Message, label string) []discordtest.Message {
	b, _ := m.Button(label)
	_, err := pp.p.dc.ClickButton(pp.u, m, b.CustomID)
	return pp.await(fmt.Sprintf("click [%s]", b.Label), err)
}

func (pp *dcPerson) submit(values ...string) []discordtest.Message {
	_, err := pp.p.dc.SubmitModal(pp.u, values...)
	short := make([]string, len(values))
	for i, v := range values {
		short[i] = v
		if len(v) > 60 {
			short[i] = fmt.Sprintf("%.60s…(%d chars)", v, len([]rune(v)))
		}
	}
	return pp.await(fmt.Sprintf("submit %q", short), err)
}

func (pp *dcPerson) dm(s string, files ...discordtest.Attachment) []discordtest.Message {
	_, err := pp.p.dc.DirectMessage(pp.u, s, files...)
	return pp.await(fmt.Sprintf("DM %q", s), err)
}

// tapStale taps label as it stood on m when the person read it, even if
// the bot has since changed m: a tap on a stale keyboard.
func (pp *tgPerson) tapStale(m telegramtest.Message, label string) []telegramtest.Message {
	pp.p.t.Helper()
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == label {
				_, q := pp.p.tg.TapData(pp.u, m, b.CallbackData)
				return pp.awaitTap(q, fmt.Sprintf("tap stale [%s] on #%d", label, m.ID))
			}
		}
	}
	pp.p.t.Fatalf("message %d never offered %q", m.ID, label)
	return nil
}

// answers reads what the store holds for a Telegram person: question id
// → text.
func (p *personas) answers(channel, id string) map[string]string {
	p.t.Helper()
	s, ok, err := p.r.m.db.Session(bot.ParticipantID(channel, id, []byte(testIDKey)))
	if err != nil || !ok {
		p.t.Fatalf("session of %s: %v %v", id, ok, err)
	}
	out := map[string]string{}
	for k, a := range s.Answers {
		out[k] = a.Text
	}
	return out
}

// onQuestion brings a new parent on Telegram to the first question of
// theme 1, tapping as they would.
func (pp *tgPerson) onQuestion() {
	pp.say("/start")
	pp.tap("J'accepte")
	pp.tap("Parent")
	pp.tap("Passer")
	pp.say("1")
}

// TestTypedWaysOnAtTheShortAnswerCheck: a parent who writes only « non »
// is asked whether that is their answer; « passer », « retour » or « plus
// tard » typed then do what they say at the question, and none of them
// is stored as the answer.
func TestTypedWaysOnAtTheShortAnswerCheck(t *testing.T) {
	p := startPersonas(t, true)
	for i, c := range []struct{ typed, want string }{
		{"passer", "Question 2/5"},
		{"retour", "Question 1/5"},
		{"je continue plus tard", "[Reprendre]"},
	} {
		a := p.telegram(int64(7000+i), "Nadia", "fr")
		a.onQuestion()
		if c.typed == "retour" {
			a.say("on a un ordi pour trois")
		}
		a.say("non")
		got := a.say(c.typed)
		if len(got) == 0 || !strings.Contains(tgView(got[len(got)-1]), c.want) {
			t.Errorf("%q at « Est-ce votre réponse ? »: want %q shown\n%s", c.typed, c.want, a.log.String())
		}
		for k, v := range p.answers(bot.ChannelTelegram, fmt.Sprint(a.u.ID)) {
			if v == c.typed || v == "non" {
				t.Errorf("%q at « Est-ce votre réponse ? » stored %s = %q", c.typed, k, v)
			}
		}
	}
}

// TestDiscordAnswerButtonSpeaksTheChosenLanguage: an educator whose
// Discord is in French switches the bot to English with /langue (and one
// whose Discord is in English switches it to French): every word of the
// question they then see, the button that opens the form included, is in
// the language they chose.
func TestDiscordAnswerButtonSpeaksTheChosenLanguage(t *testing.T) {
	p := startPersonas(t, true)
	for _, c := range []struct{ locale, consent, profile, skip, theme, want, wrong string }{
		{"fr", "J'accepte", "Enseignant", "Passer", "Égal accès", "✍️ Answer", "Répondre"},
		{"en-GB", "I agree", "Teacher", "Skip", "Equal access", "✍️ Répondre", "Answer"},
	} {
		e := p.discord("claire-"+c.locale, c.locale)
		g := p.dc.Guild()
		e.slash(g, "contribuer", nil)
		e.click(c.consent)
		e.click(c.profile)
		e.click(c.skip)
		e.click(c.theme)
		got := e.slash(g, "langue", nil)
		if len(got) == 0 {
			t.Fatalf("nothing after /langue\n%s", e.log.String())
		}
		last := got[len(got)-1]
		if _, ok := last.Button(c.want); !ok {
			t.Errorf("client %s after /langue: no button %q\n%s", c.locale, c.want, e.log.String())
		}
		if _, ok := last.Button(c.wrong); ok {
			t.Errorf("client %s after /langue: a button still reads %q\n%s", c.locale, c.wrong, e.log.String())
		}
	}
}

// TestEditedMessageIsAnsweredNotIgnored: a parent on Telegram and an
// educator in Discord's direct messages fix a typo by editing the answer
// they sent. The bot reads no edit, so it says so, with how to change an
// answer, and shows the question again; the answer stored stays the one
// sent.
func TestEditedMessageIsAnsweredNotIgnored(t *testing.T) {
	p := startPersonas(t, false)
	const want = "je ne lis pas les modifications"

	a := p.telegram(7100, "Lucie", "fr")
	a.onQuestion()
	reply := a.say("on a pas dordi")
	// Which message was edited makes no difference: no edit is read.
	p.tg.EditText(a.u, reply[0].ID-1, "on a pas d'ordinateur")
	got := a.await("edit the answer")
	if len(got) == 0 || !strings.Contains(got[0].Text, want) || !slices.Contains(got[len(got)-1].Labels(), "Passer") {
		t.Errorf("Telegram: editing an answer got no word on it, or no question after\n%s", a.log.String())
	}
	if ans := p.answers(bot.ChannelTelegram, fmt.Sprint(a.u.ID)); ans["acces/equipement"] != "on a pas dordi" {
		t.Errorf("Telegram: answers after the edit %q, want the one sent", ans)
	}

	e := p.discord("marc", "fr")
	e.dm("/contribuer")
	e.click("accepte")
	e.click("Enseignant")
	e.click("Passer")
	e.click("Égal accès")
	msgID, err := p.dc.DirectMessage(e.u, "Nous avons 1 ordi pour 30")
	e.await("DM an answer", err)
	p.dc.EditDirectMessage(e.u, msgID, "Nous avons 1 ordinateur pour 30 élèves")
	dgot := e.await("edit that DM", nil)
	if len(dgot) == 0 || !strings.Contains(dgot[0].Content, want) {
		t.Errorf("Discord: editing a direct message got no word on it\n%s", e.log.String())
	}
}

// TestFloodNoticeSpeaksTheChosenLanguage: a parent whose Telegram is in
// French chose English with /langue, then sends many messages at once;
// the notice that they are handled in order is in English too.
func TestFloodNoticeSpeaksTheChosenLanguage(t *testing.T) {
	p := startPersonas(t, true, true)
	a := p.telegram(7200, "Karim", "fr")
	a.onQuestion()
	a.say("/langue")
	for i := range 12 {
		p.tg.SendText(a.u, fmt.Sprintf("message %d", i))
	}
	got := a.await("12 messages at once")
	var notice string
	for _, m := range got {
		if strings.Contains(m.Text, "in order") || strings.Contains(m.Text, "dans l'ordre") {
			notice = m.Text
		}
	}
	if !strings.Contains(notice, "in order") {
		t.Errorf("flood notice %q, want it in English\n%s", notice, a.log.String())
	}
}

// quiet settles after an action that should change nothing the person
// sees (a repeated update), and notes in the log whether it did.
func (pp *tgPerson) quiet(action string) {
	pp.p.t.Helper()
	pp.p.settle(bot.ChannelTelegram)
	fmt.Fprintf(&pp.log, "> %s\n", action)
	if ch := pp.changed(); len(ch) > 0 {
		fmt.Fprintf(&pp.log, "   !! %d messages changed\n", len(ch))
		for _, m := range ch {
			pp.seen[m.ID] = tgView(m)
		}
		return
	}
	fmt.Fprintf(&pp.log, "   (nothing, as expected)\n")
}
