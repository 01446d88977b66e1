package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/organiser"
)

// Organiser runs organiser commands; *organiser.Service implements it.
// The adapter calls it only for organisers (see Options).
type Organiser interface {
	Execute(ctx context.Context, cmd organiser.Command, lang string) (organiser.Result, error)
}

var _ organiser.Poster = (*Adapter)(nil)

// Limits of the organiser queue. Commands run in the background so that
// a digest over a large store never holds up the poll loop and the
// participants behind it; their results go through the engine's outbox,
// like every reply. Commands from one chat run in order (a hide, then a
// digest, shows the answer gone); at most maxOrganiserRuns execute at
// once, and past maxOrganiserQueue waiting commands new ones are dropped
// with a log line (a flood, not a team). Only organisers' commands take a
// place: a refusal or a usage note goes straight to the outbox.
const (
	maxOrganiserRuns  = 2
	maxOrganiserQueue = 64
	organiserTimeout  = 5 * time.Minute
	// organiserDrain is how long Run's end waits for running commands.
	organiserDrain = 10 * time.Second
	// One person is told at most maxRefusals times per refusalWindow that
	// the organiser commands are not theirs; beyond, they get nothing.
	maxRefusals   = 5
	refusalWindow = time.Minute
	// postTimeout bounds the commit of an organiser reply.
	postTimeout = 10 * time.Second
)

// poster is what organiser replies need from the Handler: *bot.Engine
// commits them to its outbox and delivers them under its policy.
type poster interface {
	Post(ctx context.Context, outs ...bot.Outgoing) error
}

// orgState is the adapter's organiser queue.
type orgState struct {
	mu      sync.Mutex
	base    context.Context // nil before Run: context.Background
	lanes   map[int64][]func(context.Context)
	pending int
	sem     chan struct{}
	wg      sync.WaitGroup
	// refused counts, per user, the refusals sent in the current window,
	// so that a flood of commands that are not theirs costs nothing.
	refused map[int64]refusals
}

// refusals is one user's refusals since start.
type refusals struct {
	start time.Time
	n     int
}

// startOrganiser gives the organiser queue a context that outlives ctx
// by a short drain, and returns the function that drains it and cancels
// what is left (Run defers it).
func (a *Adapter) startOrganiser(ctx context.Context) (stop func()) {
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.org.mu.Lock()
	a.org.base = base
	a.org.mu.Unlock()
	a.org.wg.Add(1)
	go func() {
		defer a.org.wg.Done()
		if err := a.setOrganiserMenus(base); err != nil && base.Err() == nil {
			// Cosmetic: the commands work without the menu.
			a.log.Warn("set organiser command menus", "err", err)
		}
	}()
	return func() {
		done := make(chan struct{})
		go func() {
			a.org.wg.Wait()
			close(done)
		}()
		t := time.NewTimer(organiserDrain)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			a.log.Warn("organiser commands still running at shutdown; dropping them")
		}
		cancel()
		<-done
	}
}

// organiserMenu lists the organiser commands for Telegram's menu, in
// French and in English.
var organiserMenu = []struct{ fr, en, descFR, descEN string }{
	{"synthese", "digest", "Synthèse depuis la dernière (thème en option)", "Digest since the last one (optional theme)"},
	{"stats", "stats", "Chiffres de la consultation", "Consultation figures"},
	{"masquer", "hide", "Masquer la réponse n° N des synthèses", "Hide answer #N from digests"},
	{"afficher", "unhide", "Afficher de nouveau la réponse n° N", "Show answer #N again"},
	{"bannir", "ban", "Ignorer la personne qui a écrit la réponse n° N", "Ignore the person who wrote answer #N"},
	{"debannir", "unban", "Lever le bannissement (réponse n° N)", "Lift the ban (answer #N)"},
}

// setOrganiserMenus gives every organisers' chat, and every organiser's
// private chat, a command menu with the organiser commands after the
// participants' ones; everyone else keeps the default menu.
func (a *Adapter) setOrganiserMenus(ctx context.Context) error {
	chats := map[int64]bool{}
	for id := range a.organisers {
		chats[id] = true
	}
	for id := range a.orgUsers {
		chats[id] = true // a private chat's id is its user's
	}
	if len(chats) == 0 || a.opts.Organiser == nil {
		return nil
	}
	var fr, en []tgbotapi.BotCommand
	for _, c := range flows.CommandList() {
		fr = append(fr, tgbotapi.BotCommand{Command: c.NameFR, Description: c.DescriptionFR})
		en = append(en, tgbotapi.BotCommand{Command: c.NameEN, Description: c.DescriptionEN})
	}
	for _, c := range organiserMenu {
		fr = append(fr, tgbotapi.BotCommand{Command: c.fr, Description: c.descFR})
		en = append(en, tgbotapi.BotCommand{Command: c.en, Description: c.descEN})
	}
	var errs []error
	for id := range chats {
		scope := tgbotapi.NewBotCommandScopeChat(id)
		if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: fr, Scope: &scope}); err != nil {
			errs = append(errs, fmt.Errorf("chat %d: %w", id, err))
			continue
		}
		if _, err := a.request(ctx, tgbotapi.SetMyCommandsConfig{Commands: en, Scope: &scope, LanguageCode: "en"}); err != nil {
			errs = append(errs, fmt.Errorf("chat %d (english): %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// enqueueOrganiser runs job after chatID's earlier organiser jobs; false
// when the queue is full.
func (a *Adapter) enqueueOrganiser(chatID int64, job func(context.Context)) bool {
	o := &a.org
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending >= maxOrganiserQueue {
		return false
	}
	if o.lanes == nil {
		o.lanes = map[int64][]func(context.Context){}
		o.sem = make(chan struct{}, maxOrganiserRuns)
	}
	o.pending++
	_, running := o.lanes[chatID]
	o.lanes[chatID] = append(o.lanes[chatID], job)
	if !running {
		base := o.base
		if base == nil {
			base = context.Background()
		}
		o.wg.Add(1)
		go a.runOrganiserLane(base, chatID)
	}
	return true
}

func (a *Adapter) runOrganiserLane(ctx context.Context, chatID int64) {
	o := &a.org
	defer o.wg.Done()
	for {
		o.mu.Lock()
		jobs := o.lanes[chatID]
		if len(jobs) == 0 {
			delete(o.lanes, chatID)
			o.mu.Unlock()
			return
		}
		job := jobs[0]
		o.lanes[chatID] = jobs[1:]
		o.mu.Unlock()
		jctx, cancel := context.WithTimeout(ctx, organiserTimeout)
		job(jctx)
		cancel()
		o.mu.Lock()
		o.pending--
		o.mu.Unlock()
	}
}

// Texts the adapter adds around organiser results, by language.
var orgTexts = map[string]struct {
	refused, failed, done, chart, noChart, private, help string
}{
	"fr": {
		refused: "Cette commande est réservée à l'équipe d'organisation.",
		failed:  "Désolé, un problème technique a empêché la commande d'aboutir. Réessayez dans un instant.",
		done:    "C'est fait.",
		chart:   "📊 <b>Contributions par thème</b> : sur la période et au total",
		noChart: "(graphique indisponible)",
		private: "Hors des groupes de l'équipe, je vous envoie les résultats en privé : ouvrez d'abord une conversation avec moi (%s), puis relancez la commande.",
		help: "<b>Commandes de l'équipe d'organisation</b>\n" +
			"/synthese [thème] : la synthèse depuis la dernière. Le thème est facultatif : son numéro ou son identifiant.\n" +
			"/stats : les chiffres de la consultation.\n" +
			"/masquer N : retirer la réponse n° N des synthèses. /afficher N la remet.\n" +
			"/bannir N : ignorer désormais la personne qui a écrit la réponse n° N. Rien n'est supprimé. /debannir N annule.\n\n" +
			"Pour répondre vous-même à la consultation, écrivez-moi en privé.",
	},
	"en": {
		refused: "This command is reserved for the organising team.",
		failed:  "Sorry, the command could not be completed because of a technical problem. Please try again in a moment.",
		done:    "Done.",
		chart:   "📊 <b>Contributions per theme</b>: in the period and in total",
		noChart: "(chart unavailable)",
		private: "Outside the team's groups I send results privately: first open a chat with me (%s), then run the command again.",
		help: "<b>Organising team commands</b>\n" +
			"/digest [theme]: the digest since the last one. The theme is optional: its number or its id.\n" +
			"/stats: the consultation's figures.\n" +
			"/hide N: take answer #N out of digests. /unhide N puts it back.\n" +
			"/ban N: ignore the person who wrote answer #N from now on. Nothing is deleted. /unban N undoes it.\n\n" +
			"To answer the consultation yourself, write to me privately.",
	},
}

func orgLang(code string) string {
	if strings.HasPrefix(code, "en") {
		return "en"
	}
	return "fr"
}

// isOrganiser reports whether m comes from an organiser: a listed user,
// or anyone in a listed chat (a private chat's id is its user's).
func (a *Adapter) isOrganiser(m *tgbotapi.Message) bool {
	if m.From != nil && a.orgUsers[m.From.ID] {
		return true
	}
	return m.Chat != nil && a.organisers[m.Chat.ID]
}

// organiserUpdate takes u when it is an organiser command, in a private
// chat or addressed to the bot in a group, and reports whether it did:
// organisers get the command run, anyone else a polite refusal and no
// change. Everything else is left to the usual routes.
func (a *Adapter) organiserUpdate(u tgbotapi.Update) bool {
	m := u.Message
	if m == nil || m.From == nil || m.From.IsBot || m.Chat == nil || !strings.HasPrefix(m.Text, "/") {
		return false
	}
	switch m.Chat.Type {
	case "private":
	case "group", "supergroup":
		if !a.addressedToMe(m) {
			return false
		}
		if a.allowed != nil && !a.allowed[m.Chat.ID] && !a.isOrganiser(m) {
			return false // a group the bot does not serve: silence
		}
	default:
		return false
	}
	cmd, err := organiser.ParseCommand(m.Text)
	if errors.Is(err, organiser.ErrNotCommand) {
		return false
	}
	lang := orgLang(m.From.LanguageCode)
	t := orgTexts[lang]
	chatID := m.Chat.ID
	base := a.organiserReply(u, lang)
	switch {
	case !a.isOrganiser(m) || a.opts.Organiser == nil:
		a.log.Info("organiser command refused", "participant", base.Participant)
		if a.refuseNow(m.From.ID) {
			base.Reply.Text = t.refused
			a.post(base)
		}
	case err != nil:
		// A malformed command: the parser's message says how to write it.
		base.Reply.Text = err.Error()
		a.post(base)
	default:
		job := func(ctx context.Context) {
			res, err := a.execute(ctx, cmd, lang)
			if err != nil {
				a.log.Error("organiser command failed", "chat", chatID, "command", cmd.Name, "err", err)
				res = organiser.Result{Text: t.failed}
			}
			a.post(resultReply(base, res, lang))
		}
		if !a.enqueueOrganiser(chatID, job) {
			a.log.Warn("organiser queue full; command dropped", "chat", chatID)
		}
	}
	return true
}

// organiserReply is the reply to an organiser command before its content:
// in the chat of the command, quoting it; or, for an organiser user
// writing in a group that is not an organisers' chat, in their private
// chat with the bot, so that digests and quotes never show in a public
// group, with a short note for the group if they never opened that chat.
func (a *Adapter) organiserReply(u tgbotapi.Update, lang string) bot.Outgoing {
	m := u.Message
	out := bot.Outgoing{
		Channel:     bot.ChannelTelegram,
		Address:     address(m.Chat.ID, m.MessageID),
		Participant: a.participant(m.From.ID),
		EventID:     "telegram:update:" + strconv.Itoa(u.UpdateID),
		CreatedAt:   time.Now(),
	}
	if m.Chat.Type != "private" && !a.organisers[m.Chat.ID] && a.isOrganiser(m) {
		out.Address = address(m.From.ID, 0) // their private chat
		out.Instead = &bot.Redirect{
			Address: address(m.Chat.ID, m.MessageID),
			Text:    fmt.Sprintf(orgTexts[lang].private, "https://t.me/"+a.username),
		}
	}
	return out
}

// refuseNow reports whether userID is to be told now that the organiser
// commands are not theirs: at most maxRefusals times per refusalWindow.
func (a *Adapter) refuseNow(userID int64) bool {
	o := &a.org
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if o.refused == nil || len(o.refused) > 10000 {
		o.refused = map[int64]refusals{} // forget, rather than grow
	}
	r := o.refused[userID]
	if now.Sub(r.start) >= refusalWindow {
		r = refusals{start: now}
	}
	r.n++
	o.refused[userID] = r
	return r.n <= maxRefusals
}

// resultReply fills base with an organiser result: the chart first (its
// note instead if Telegram will not take it), then the text, then the
// digest's HTML messages, each within Telegram's limit.
func resultReply(base bot.Outgoing, res organiser.Result, lang string) bot.Outgoing {
	t, ok := orgTexts[lang]
	if !ok {
		t = orgTexts["fr"]
	}
	out := base
	out.Reply = flows.Reply{Text: strings.TrimSpace(res.Text)}
	if res.Digest != nil {
		out.Markup = digest.RenderTelegram(*res.Digest)
	}
	if len(res.Chart) > 0 {
		out.Image = &bot.Image{Name: "synthese.png", Data: res.Chart, Caption: t.chart, Note: t.noChart}
	}
	if out.Reply.Text == "" && out.Markup == nil && out.Image == nil {
		out.Reply.Text = t.done
	}
	return out
}

// post commits organiser replies to the engine's outbox, which delivers
// them; a failure to commit is logged (the organiser can run the command
// again).
func (a *Adapter) post(outs ...bot.Outgoing) {
	p, ok := a.h.(poster)
	if !ok {
		a.log.Error("organiser replies cannot be sent: the handler keeps no outbox")
		return
	}
	a.org.mu.Lock()
	base := a.org.base
	a.org.mu.Unlock()
	if base == nil {
		base = context.Background()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(base), postTimeout)
	defer cancel()
	if err := p.Post(ctx, outs...); err != nil {
		a.log.Error("post organiser reply", "err", err)
	}
}

// execute runs cmd in one of the maxOrganiserRuns slots. Only the
// computation takes a slot: sending the result waits on the chat's
// sending limits, which must not hold up other chats' commands.
func (a *Adapter) execute(ctx context.Context, cmd organiser.Command, lang string) (organiser.Result, error) {
	a.org.mu.Lock()
	sem := a.org.sem
	a.org.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return organiser.Result{}, fmt.Errorf("wait for a free organiser slot: %w", ctx.Err())
	}
	defer func() { <-sem }()
	res, err := a.opts.Organiser.Execute(ctx, cmd, lang)
	if err != nil {
		return res, fmt.Errorf("execute %s: %w", cmd.Name, err)
	}
	return res, nil
}

// organiserHelp answers an organisers' chat that addressed the bot with
// something other than an organiser command: it lists those commands
// (such a chat is never told to take the consultation privately).
func (a *Adapter) organiserHelp(m *tgbotapi.Message) {
	lang := "fr"
	if m.From != nil {
		lang = orgLang(m.From.LanguageCode)
	}
	out := bot.Outgoing{
		Channel:   bot.ChannelTelegram,
		Address:   address(m.Chat.ID, m.MessageID),
		EventID:   "telegram:organiser-help",
		Markup:    []string{orgTexts[lang].help},
		CreatedAt: time.Now(),
	}
	if m.From != nil {
		out.Participant = a.participant(m.From.ID)
	}
	a.post(out)
}

// DigestReply renders a periodic digest for the Telegram chat whose id is
// address, as a reply for the engine's outbox: the chart first, then the
// digest's messages, within the sending limits (a group takes 20 a minute,
// so a long digest there takes a while).
func (a *Adapter) DigestReply(address string, d *digest.Digest, chart []byte) (bot.Outgoing, error) {
	if _, err := strconv.ParseInt(address, 10, 64); err != nil {
		return bot.Outgoing{}, fmt.Errorf("digest reply: bad telegram chat id %q", address)
	}
	if d == nil {
		return bot.Outgoing{}, errors.New("digest reply: no digest")
	}
	base := bot.Outgoing{Channel: bot.ChannelTelegram, Address: address, CreatedAt: time.Now()}
	return resultReply(base, organiser.Result{Digest: d, Chart: chart}, orgLang(d.Lang)), nil
}
