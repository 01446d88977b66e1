package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

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

// Organiser commands run in the background, at most this many at once
// over the whole adapter: a digest over a large store takes a core for a
// while, and the machine has few. Their results go through the engine's
// outbox, like every reply.
const maxOrganiserRuns = 2

// addrPublic is the address prefix of interaction follow-ups the whole
// channel sees (results in an organisers' channel); addrInteraction's are
// ephemeral.
const addrPublic = "ixp:"

// postTimeout bounds the commit of an organiser result.
const postTimeout = 10 * time.Second

// poster is what organiser results need from the Handler: *bot.Engine
// commits them to its outbox and delivers them under its policy.
type poster interface {
	Post(ctx context.Context, outs ...bot.Outgoing) error
}

// organiserTimeout bounds one command, well inside the 15 minutes an
// interaction token accepts follow-ups.
const organiserTimeout = 5 * time.Minute

// manageGuild is the permission bit set given to organiser commands as
// default_member_permissions: Discord then hides them from members
// without "Manage Server". Server admins can grant them to a role in the
// integration settings; the adapter checks the configured channels and
// roles itself anyway, since those settings are outside its control.
const manageGuild = int64(discordgo.PermissionManageGuild)

// orgState is the adapter's organiser machinery, made on first use.
type orgState struct {
	once sync.Once
	sem  chan struct{}
}

func (a *Adapter) orgSem() chan struct{} {
	a.org.once.Do(func() { a.org.sem = make(chan struct{}, maxOrganiserRuns) })
	return a.org.sem
}

// orgOption says which option an organiser command takes.
type orgOption int

const (
	optNone   orgOption = iota
	optTheme            // optional string "theme", one of the questionnaire's themes
	optAnswer           // required integer "id", an answer id
)

// orgCommand is one organiser slash command.
type orgCommand struct {
	canonical      string // organiser.Cmd…
	fr, en         string
	descFR, descEN string
	option         orgOption
}

// organiserCommands are the organiser slash commands, French names with
// English localisations, like the educators' ones.
var organiserCommands = []orgCommand{
	{organiser.CmdDigest, "synthese", "digest", "Synthèse des contributions depuis la dernière (organisation)", "Digest of the contributions since the last one (organisers)", optTheme},
	{organiser.CmdStats, "stats", "stats", "Statistiques de la consultation (organisation)", "Consultation statistics (organisers)", optNone},
	{organiser.CmdHide, "masquer", "hide", "Masquer une réponse des synthèses, par son numéro", "Hide an answer from digests, by its number", optAnswer},
	{organiser.CmdUnhide, "afficher", "unhide", "Afficher de nouveau une réponse masquée", "Show a hidden answer again", optAnswer},
	{organiser.CmdBan, "bannir", "ban", "Bannir la personne qui a écrit une réponse (rien n'est supprimé)", "Ban the person who wrote an answer (nothing is deleted)", optAnswer},
	{organiser.CmdUnban, "debannir", "unban", "Lever le bannissement de la personne qui a écrit une réponse", "Lift the ban on the person who wrote an answer", optAnswer},
}

func organiserCommandFor(name string) (orgCommand, bool) {
	for _, c := range organiserCommands {
		if c.fr == name || c.en == name {
			return c, true
		}
	}
	return orgCommand{}, false
}

// organiserApplicationCommands builds the organiser commands to register,
// none when no Organiser is configured. They are guild-only and hidden
// from members without Manage Server.
func (a *Adapter) organiserApplicationCommands() []*discordgo.ApplicationCommand {
	if a.opts.Organiser == nil {
		return nil
	}
	perms := manageGuild
	dm := false
	var cmds []*discordgo.ApplicationCommand
	for _, c := range organiserCommands {
		names := map[discordgo.Locale]string{discordgo.EnglishUS: c.en, discordgo.EnglishGB: c.en}
		descs := map[discordgo.Locale]string{discordgo.EnglishUS: truncate(c.descEN, 100), discordgo.EnglishGB: truncate(c.descEN, 100)}
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     c.fr,
			NameLocalizations:        &names,
			Description:              truncate(c.descFR, 100),
			DescriptionLocalizations: &descs,
			DefaultMemberPermissions: &perms,
			DMPermission:             &dm,
			Options:                  []*discordgo.ApplicationCommandOption{},
		}
		switch c.option {
		case optTheme:
			cmd.Options = append(cmd.Options, a.themeOption())
		case optAnswer:
			one := 1.0
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionInteger,
				Name:                     "id",
				Description:              "Numéro de la réponse (affiché dans les synthèses)",
				DescriptionLocalizations: map[discordgo.Locale]string{discordgo.EnglishUS: "Answer number (shown in digests)", discordgo.EnglishGB: "Answer number (shown in digests)"},
				Required:                 true,
				MinValue:                 &one,
			})
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// themeOption is /synthese's optional theme, whose choices are the
// questionnaire's themes (Discord shows at most 25).
func (a *Adapter) themeOption() *discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{
		Type:                     discordgo.ApplicationCommandOptionString,
		Name:                     "theme",
		NameLocalizations:        map[discordgo.Locale]string{discordgo.EnglishUS: "theme", discordgo.EnglishGB: "theme"},
		Description:              "Un seul thème (par défaut : tous)",
		DescriptionLocalizations: map[discordgo.Locale]string{discordgo.EnglishUS: "One theme only (default: all)", discordgo.EnglishGB: "One theme only (default: all)"},
	}
	q := a.opts.Questionnaire
	if q == nil {
		return o
	}
	for i, th := range q.Themes {
		if i == 25 {
			break
		}
		fr := truncate(fmt.Sprintf("%d. %s", i+1, th.Title.In(flows.LangFR)), 100)
		en := truncate(fmt.Sprintf("%d. %s", i+1, th.Title.In(flows.LangEN)), 100)
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{
			Name:              fr,
			NameLocalizations: map[discordgo.Locale]string{discordgo.EnglishUS: en, discordgo.EnglishGB: en},
			Value:             th.ID,
		})
	}
	return o
}

// Texts the adapter adds around organiser results, by language.
var orgTexts = map[string]struct {
	refused, failed, badID, done, chart, noChart string
}{
	"fr": {
		refused: "Cette commande est réservée à l'équipe d'organisation.",
		failed:  "Désolé, un problème technique a empêché la commande d'aboutir. Réessayez dans un instant.",
		badID:   "Le numéro de réponse est un nombre entier, par exemple 123. Il figure à côté de chaque citation des synthèses (#123).",
		done:    "C'est fait.",
		chart:   "📊 Contributions par thème : sur la période et au total",
		noChart: "(graphique indisponible)",
	},
	"en": {
		refused: "This command is reserved for the organising team.",
		failed:  "Sorry, the command could not be completed because of a technical problem. Please try again in a moment.",
		badID:   "The answer number is a whole number, for example 123. It is shown beside each quote in digests (#123).",
		done:    "Done.",
		chart:   "📊 Contributions per theme: in the period and in total",
		noChart: "(chart unavailable)",
	},
}

func orgLang(locale string) string {
	if strings.HasPrefix(locale, "en") {
		return "en"
	}
	return "fr"
}

// organiserAllowed reports whether the invoker of i is an organiser: the
// interaction comes from an organisers' channel, or the member has an
// organiser role. public reports the former: results are then posted
// for the whole channel to see, where the team works; anywhere else
// they stay ephemeral, so that moderation never shows in a public channel.
func (a *Adapter) organiserAllowed(i *discordgo.Interaction) (allowed, public bool) {
	if i.GuildID != "" && i.ChannelID != "" && slices.Contains(a.opts.OrganiserChannelIDs, i.ChannelID) {
		return true, true
	}
	if i.Member != nil {
		for _, r := range i.Member.Roles {
			if slices.Contains(a.opts.OrganiserRoleIDs, r) {
				return true, false
			}
		}
	}
	return false, false
}

// organiserInteraction handles an organiser slash command and reports
// whether i was one. It runs on the gateway goroutine, so everything slow
// happens in the background: the acknowledgement at once, the command
// behind the invoker's earlier ones, within maxOrganiserRuns.
func (a *Adapter) organiserInteraction(i *discordgo.Interaction) bool {
	if i.Type != discordgo.InteractionApplicationCommand {
		return false
	}
	data := i.ApplicationCommandData()
	oc, ok := organiserCommandFor(data.Name)
	if !ok {
		return false
	}
	u := interactionUser(i)
	lang := orgLang(string(i.Locale))
	t := orgTexts[lang]
	allowed, public := a.organiserAllowed(i)
	if !allowed || a.opts.Organiser == nil {
		a.log.Info("organiser command refused", "command", oc.canonical, "channel", i.ChannelID)
		a.replyNow(i, t.refused)
		return true
	}
	cmd := organiser.Command{Name: oc.canonical}
	for _, o := range data.Options {
		switch o.Name {
		case "theme":
			if o.Type == discordgo.ApplicationCommandOptionString {
				cmd.Theme = o.StringValue()
			}
		case "id":
			if o.Type == discordgo.ApplicationCommandOptionInteger && o.IntValue() > 0 {
				cmd.AnswerID = uint64(o.IntValue())
			}
		}
	}
	if oc.option == optAnswer && cmd.AnswerID == 0 {
		a.replyNow(i, t.badID)
		return true
	}
	acked := make(chan error, 1)
	go func() {
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		if !public {
			resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
		}
		acked <- a.respond(i, resp)
	}()
	base := bot.Outgoing{
		Channel:     bot.ChannelDiscord,
		Address:     interactionAddress(u.ID, i.Token),
		Participant: a.participant(u.ID),
		EventID:     "discord:interaction:" + i.ID,
	}
	if public {
		base.Address = addrPublic + u.ID + ":" + i.Token
	}
	a.enqueue("organiser:"+u.ID, func(ctx context.Context) {
		if err := <-acked; err != nil {
			// The organiser saw "interaction failed"; the results still
			// reach them, in a direct message if the token cannot carry
			// follow-ups.
			a.log.Warn("acknowledge organiser command", "interaction", i.ID, "err", err)
		}
		a.runOrganiser(ctx, cmd, lang, base)
	})
	return true
}

// replyNow answers i at once with an ephemeral message, changing nothing.
func (a *Adapter) replyNow(i *discordgo.Interaction, text string) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		resp := &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: text, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
		}
		if err := a.respond(i, resp); err != nil && codeOf(err) != codeAlreadyAcked {
			a.log.Warn("answer organiser command", "interaction", i.ID, "err", err)
		}
	}()
}

// runOrganiser executes cmd and commits its result to the outbox, as
// base says (address, participant).
func (a *Adapter) runOrganiser(ctx context.Context, cmd organiser.Command, lang string, base bot.Outgoing) {
	ctx, cancel := context.WithTimeout(ctx, organiserTimeout)
	defer cancel()
	res, err := a.execute(ctx, cmd, lang)
	if err != nil {
		a.log.Error("organiser command failed", "command", cmd.Name, "err", err)
		res = organiser.Result{Text: orgTexts[lang].failed}
	}
	a.post(ctx, resultReply(base, res, lang))
}

// execute runs cmd within the adapter's bound on concurrent commands.
func (a *Adapter) execute(ctx context.Context, cmd organiser.Command, lang string) (organiser.Result, error) {
	sem := a.orgSem()
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

// resultReply fills base with an organiser result: the chart first, as an
// attachment with a short caption (its note instead if Discord will not
// take it), then the text, then the digest's messages, each within
// Discord's 2000 characters.
func resultReply(base bot.Outgoing, res organiser.Result, lang string) bot.Outgoing {
	t, ok := orgTexts[lang]
	if !ok {
		t = orgTexts["fr"]
	}
	out := base
	out.CreatedAt = time.Now()
	out.Reply = flows.Reply{Text: strings.TrimSpace(res.Text)}
	if res.Digest != nil {
		out.Markup = digest.RenderDiscord(*res.Digest)
	}
	if len(res.Chart) > 0 {
		out.Image = &bot.Image{Name: "synthese.png", Data: res.Chart, Caption: t.chart, Note: t.noChart}
	}
	if out.Reply.Text == "" && out.Markup == nil && out.Image == nil {
		out.Reply.Text = t.done
	}
	return out
}

// post commits organiser results to the engine's outbox, which delivers
// them; a failure to commit is logged (the organiser can run the command
// again).
func (a *Adapter) post(ctx context.Context, outs ...bot.Outgoing) {
	p, ok := a.h.(poster)
	if !ok {
		a.log.Error("organiser results cannot be sent: the handler keeps no outbox")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	if err := p.Post(ctx, outs...); err != nil {
		a.log.Error("post organiser result", "err", err)
	}
}

// DigestReply renders a periodic digest for the Discord channel whose id
// is address, as a reply for the engine's outbox: the chart as an
// attachment first, then the digest's messages.
func (a *Adapter) DigestReply(address string, d *digest.Digest, chart []byte) (bot.Outgoing, error) {
	if !isSnowflake(address) {
		return bot.Outgoing{}, fmt.Errorf("digest reply: %q is not a Discord channel id", address)
	}
	if d == nil {
		return bot.Outgoing{}, errors.New("digest reply: no digest")
	}
	base := bot.Outgoing{Channel: bot.ChannelDiscord, Address: addrChannel + address}
	return resultReply(base, organiser.Result{Digest: d, Chart: chart}, orgLang(d.Lang)), nil
}
