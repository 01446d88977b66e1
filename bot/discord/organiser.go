package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

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
// while, and the machine has few.
const maxOrganiserRuns = 2

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
	refused, failed, badID, done, chart string
}{
	"fr": {
		refused: "Cette commande est réservée à l'équipe d'organisation.",
		failed:  "Désolé, un problème technique a empêché la commande d'aboutir. Réessayez dans un instant.",
		badID:   "Le numéro de réponse est un nombre entier, par exemple 123. Il figure à côté de chaque citation des synthèses (#123).",
		done:    "C'est fait.",
		chart:   "📊 Contributions par thème : sur la période et au total",
	},
	"en": {
		refused: "This command is reserved for the organising team.",
		failed:  "Sorry, the command could not be completed because of a technical problem. Please try again in a moment.",
		badID:   "The answer number is a whole number, for example 123. It is shown beside each quote in digests (#123).",
		done:    "Done.",
		chart:   "📊 Contributions per theme: in the period and in total",
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
	ix := &discordgo.Interaction{AppID: a.opts.ApplicationID, Token: i.Token}
	a.enqueue("organiser:"+u.ID, func(ctx context.Context) {
		if err := <-acked; err != nil {
			// Without the acknowledgement there is nowhere to answer; the
			// organiser saw "interaction failed" and can retry.
			a.log.Warn("acknowledge organiser command", "interaction", i.ID, "err", err)
			return
		}
		send := func(ctx context.Context, content string, png []byte) error {
			return a.retryRateLimit(ctx, func() error {
				params := &discordgo.WebhookParams{Content: content, AllowedMentions: noMentions()}
				if !public {
					params.Flags = discordgo.MessageFlagsEphemeral
				}
				if png != nil {
					params.Files = []*discordgo.File{chartFile(png)}
				}
				_, err := a.dg.FollowupMessageCreate(ix, true, params, discordgo.WithContext(ctx))
				return err
			})
		}
		a.runOrganiser(ctx, cmd, lang, send)
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

// sendFunc posts one message, with the chart attached when png is set.
// It builds the file's reader on each attempt, so a retry uploads it whole.
type sendFunc func(ctx context.Context, content string, png []byte) error

// runOrganiser executes cmd and delivers its result through send.
func (a *Adapter) runOrganiser(ctx context.Context, cmd organiser.Command, lang string, send sendFunc) {
	ctx, cancel := context.WithTimeout(ctx, organiserTimeout)
	defer cancel()
	res, err := a.execute(ctx, cmd, lang)
	if err != nil {
		a.log.Error("organiser command failed", "command", cmd.Name, "err", err)
		res = organiser.Result{Text: orgTexts[lang].failed}
	}
	if err := deliverResult(ctx, res, lang, send); err != nil {
		a.log.Warn("deliver organiser result", "command", cmd.Name, "err", err)
	}
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

// deliverResult posts a result: the chart first, as an attachment with a
// short caption, then the text, then the digest's messages, each within
// Discord's 2000 characters.
func deliverResult(ctx context.Context, res organiser.Result, lang string, send sendFunc) error {
	if _, ok := orgTexts[lang]; !ok {
		lang = "fr"
	}
	var msgs []string
	if res.Text != "" {
		msgs = append(msgs, split(escapeMarkdown(res.Text), maxContent)...)
	}
	if res.Digest != nil {
		msgs = append(msgs, digest.RenderDiscord(*res.Digest)...)
	}
	if len(res.Chart) > 0 {
		if err := send(ctx, orgTexts[lang].chart, res.Chart); err != nil {
			return fmt.Errorf("send chart: %w", err)
		}
	} else if len(msgs) == 0 {
		msgs = []string{orgTexts[lang].done}
	}
	for n, m := range msgs {
		if err := send(ctx, m, nil); err != nil {
			return fmt.Errorf("send message %d/%d: %w", n+1, len(msgs), err)
		}
	}
	return nil
}

func chartFile(png []byte) *discordgo.File {
	return &discordgo.File{Name: "synthese.png", ContentType: "image/png", Reader: bytes.NewReader(png)}
}

// retryRateLimit calls fn, waiting out rate limits under ctx (the session
// does not retry them itself) a few times.
func (a *Adapter) retryRateLimit(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = sanitize(fn())
		if err == nil || !waitRateLimit(ctx, err) {
			return err
		}
	}
	return err
}

// PostDigest posts a periodic digest to the Discord channel whose id is
// address: the chart as an attachment first, then the digest's messages.
// After a failure part of it may have been posted; the caller decides
// whether to post it again.
func (a *Adapter) PostDigest(ctx context.Context, address string, d *digest.Digest, chart []byte) error {
	if !isSnowflake(address) {
		return fmt.Errorf("post digest: %q is not a Discord channel id", address)
	}
	if d == nil {
		return errors.New("post digest: no digest")
	}
	send := func(ctx context.Context, content string, png []byte) error {
		return a.retryRateLimit(ctx, func() error {
			msg := &discordgo.MessageSend{Content: content, AllowedMentions: noMentions()}
			if png != nil {
				msg.Files = []*discordgo.File{chartFile(png)}
			}
			_, err := a.dg.ChannelMessageSendComplex(address, msg, discordgo.WithContext(ctx))
			return err
		})
	}
	lang := orgLang(d.Lang)
	if err := deliverResult(ctx, organiser.Result{Digest: d, Chart: chart}, lang, send); err != nil {
		return fmt.Errorf("post digest to discord channel %s: %w", address, err)
	}
	return nil
}
