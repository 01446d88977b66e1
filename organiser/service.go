package organiser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// Defaults for Options.
const (
	// DefaultSettle is how long after a digest's due time the schedule
	// waits before reading the store: an answer is stamped with its
	// event's time before its transaction commits, so an answer created
	// just before the due time may commit just after it. Waiting lets it
	// land before the period is read, so that it is not skipped by both
	// digests.
	DefaultSettle = 10 * time.Second
	// DefaultRetry is how long the schedule waits before handing over
	// again a periodic digest it could not hand to the outbox (its
	// channel not running yet, a storage failure).
	DefaultRetry = time.Minute
	// DefaultTimeZone is the consultation's time zone when none is set.
	DefaultTimeZone = "Europe/Paris"
)

// Options configure a Service. The zero value is valid: no schedule (no
// periodic digests, on-demand ones only), French, the system clock.
type Options struct {
	Logger *slog.Logger
	// Schedule sets when periodic digests are posted.
	Schedule Schedule
	// Lang is the language of periodic digests: "fr" (default) or "en".
	Lang string
	// Location is the consultation's time zone, in which digests show
	// their times and name it. When nil: the daily schedule's, else
	// DefaultTimeZone.
	Location *time.Location
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Settle and Retry default to DefaultSettle and DefaultRetry.
	Settle, Retry time.Duration
	// Chart draws a digest's chart; digest.Chart when nil.
	Chart func(digest.Digest) ([]byte, error)
	// Outbox delivers the periodic digests; without it they stay pending.
	Outbox Outbox
	// OnCompute, when set, learns how long each digest (periodic, on
	// demand, or behind /stats) took to compute: metrics.
	OnCompute func(time.Duration)
}

// Service runs the organisers' commands and the periodic digests over one
// database. Its methods are safe for concurrent use.
type Service struct {
	db   *storage.DB
	q    *flows.Questionnaire
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	posters map[string]poster // by channel
	// wake nudges Run when a poster is added after it started.
	wake chan struct{}
}

type poster struct {
	p         Poster
	addresses []string
}

// New returns a Service over db and q.
func New(db *storage.DB, q *flows.Questionnaire, opts Options) *Service {
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lang != flows.LangEN {
		opts.Lang = flows.LangFR
	}
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.Retry <= 0 {
		opts.Retry = DefaultRetry
	}
	if opts.Chart == nil {
		opts.Chart = digest.Chart
	}
	if opts.Location == nil {
		opts.Location = opts.Schedule.Location
	}
	if opts.Location == nil {
		opts.Location = defaultLocation()
	}
	return &Service{db: db, q: q, opts: opts, log: opts.Logger, posters: map[string]poster{}, wake: make(chan struct{}, 1)}
}

// defaultLocation loads DefaultTimeZone, or falls back to UTC (which the
// digests then name) where the system has no time zone database; the
// consultbot binary embeds one.
func defaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// AddPoster registers the poster of a channel (bot.ChannelTelegram,
// bot.ChannelDiscord) and the organiser chats or channels periodic digests
// go to there. Call it before Run: destinations are fixed when a digest is
// recorded.
func (s *Service) AddPoster(channel string, p Poster, addresses []string) {
	s.mu.Lock()
	s.posters[channel] = poster{p: p, addresses: append([]string(nil), addresses...)}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) destinations() []storage.DigestDestination {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Telegram first, then Discord, then any other, in a stable order.
	channels := slices.Sorted(maps.Keys(s.posters))
	slices.SortStableFunc(channels, func(a, b string) int { return rank(a) - rank(b) })
	var dests []storage.DigestDestination
	for _, ch := range channels {
		for _, a := range s.posters[ch].addresses {
			dests = append(dests, storage.DigestDestination{Channel: ch, Address: a})
		}
	}
	return dests
}

func rank(channel string) int {
	switch channel {
	case bot.ChannelTelegram:
		return 0
	case bot.ChannelDiscord:
		return 1
	}
	return 2
}

func (s *Service) poster(channel string) (Poster, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posters[channel]
	return p.p, ok
}

// Execute runs one organiser command. Mistakes an organiser can fix (an
// unknown answer id, an unknown theme) come back as a Result with a clear
// French (or English) Text, not as an error; an error means the store
// failed, and adapters answer it with a generic apology.
func (s *Service) Execute(ctx context.Context, cmd Command, lang string) (Result, error) {
	if lang != flows.LangEN {
		lang = flows.LangFR
	}
	switch cmd.Name {
	case CmdDigest:
		return s.onDemand(ctx, cmd.Theme, lang)
	case CmdStats:
		return s.stats(ctx, lang)
	case CmdHide, CmdUnhide:
		return s.hide(cmd.AnswerID, cmd.Name == CmdHide, lang)
	case CmdBan, CmdUnban:
		return s.ban(cmd.AnswerID, cmd.Name == CmdBan, lang)
	}
	return Result{Text: tr(lang, "Commande inconnue.", "Unknown command.")}, nil
}

func tr(lang, fr, en string) string {
	if lang == flows.LangEN {
		return en
	}
	return fr
}

// onDemand computes the digest since the last periodic one, without moving
// the cursor.
func (s *Service) onDemand(ctx context.Context, themeArg, lang string) (Result, error) {
	theme := ""
	if themeArg != "" {
		th := ResolveTheme(s.q, themeArg)
		if th == nil {
			return Result{Text: s.unknownTheme(themeArg, lang)}, nil
		}
		theme = th.ID
	}
	since, err := s.db.DigestCursor()
	if err != nil {
		return Result{}, err
	}
	d, err := s.Compute(ctx, since, s.opts.Now(), theme, lang)
	if err != nil {
		return Result{}, err
	}
	return Result{Digest: &d, Chart: s.chart(d)}, nil
}

// chart draws d's chart; nil, logged, if it cannot: the digest goes
// without it.
func (s *Service) chart(d digest.Digest) []byte {
	chart, err := s.opts.Chart(d)
	if err != nil {
		s.log.Error("draw digest chart; the digest goes without it", "err", err)
		return nil
	}
	return chart
}

// ResolveTheme finds a theme by id or by its number in the questionnaire
// ("2" is the second theme), or returns nil.
func ResolveTheme(q *flows.Questionnaire, arg string) *flows.Theme {
	if th := q.Theme(arg); th != nil {
		return th
	}
	if n, err := strconv.Atoi(arg); err == nil && n >= 1 && n <= len(q.Themes) {
		return &q.Themes[n-1]
	}
	return nil
}

func (s *Service) unknownTheme(arg, lang string) string {
	var b strings.Builder
	b.WriteString(tr(lang, "Le thème « "+arg+" » n'existe pas. Indiquez son numéro ou son identifiant :", "There is no theme “"+arg+"”. Give its number or its id:"))
	for i, th := range s.q.Themes {
		fmt.Fprintf(&b, "\n%d. %s (%s)", i+1, th.Title.In(lang), th.ID)
	}
	return b.String()
}

func (s *Service) hide(id uint64, hide bool, lang string) (Result, error) {
	a, changed, err := s.db.SetHidden(id, hide, s.opts.Now())
	if errors.Is(err, storage.ErrNoAnswer) {
		return Result{Text: noAnswer(id, lang)}, nil
	}
	if err != nil {
		return Result{}, err
	}
	s.log.Info("answer moderated", "answer", id, "hidden", hide, "changed", changed)
	where := s.questionLabel(a.Theme, a.Question, lang)
	switch {
	case hide && changed:
		return Result{Text: tr(lang,
			fmt.Sprintf("Réponse n° %d masquée (%s). Elle n'apparaîtra plus dans les synthèses. Les exports la signalent comme masquée. Pour annuler : /afficher %d", id, where, id),
			fmt.Sprintf("Answer #%d hidden (%s). It will no longer appear in digests. Exports flag it as hidden. To undo: /unhide %d", id, where, id))}, nil
	case hide:
		return Result{Text: tr(lang, fmt.Sprintf("La réponse n° %d était déjà masquée.", id), fmt.Sprintf("Answer #%d was already hidden.", id))}, nil
	case changed:
		return Result{Text: tr(lang,
			fmt.Sprintf("Réponse n° %d de nouveau visible (%s). Elle figurera dans les prochaines synthèses.", id, where),
			fmt.Sprintf("Answer #%d visible again (%s). It will appear in the next digests.", id, where))}, nil
	default:
		return Result{Text: tr(lang, fmt.Sprintf("La réponse n° %d n'était pas masquée.", id), fmt.Sprintf("Answer #%d was not hidden.", id))}, nil
	}
}

func (s *Service) ban(id uint64, ban bool, lang string) (Result, error) {
	_, changed, err := s.db.SetBanned(id, ban)
	if errors.Is(err, storage.ErrNoAnswer) {
		return Result{Text: noAnswer(id, lang)}, nil
	}
	if err != nil {
		return Result{}, err
	}
	// The participant's id is a platform user id: not logged, not shown.
	s.log.Info("participant moderated", "answer", id, "banned", ban, "changed", changed)
	switch {
	case ban && changed:
		return Result{Text: tr(lang,
			fmt.Sprintf("La personne qui a écrit la réponse n° %d est bannie. Le bot ignorera poliment ses messages. Ses réponses ne figurent plus dans les synthèses. Rien n'est supprimé. Pour annuler : /debannir %d", id, id),
			fmt.Sprintf("The person who wrote answer #%d is banned. The bot will politely ignore their messages. Their answers no longer appear in digests. Nothing is deleted. To undo: /unban %d", id, id))}, nil
	case ban:
		return Result{Text: tr(lang, fmt.Sprintf("La personne qui a écrit la réponse n° %d était déjà bannie.", id), fmt.Sprintf("The person who wrote answer #%d was already banned.", id))}, nil
	case changed:
		return Result{Text: tr(lang,
			fmt.Sprintf("La personne qui a écrit la réponse n° %d n'est plus bannie. Ses réponses figureront dans les prochaines synthèses.", id),
			fmt.Sprintf("The person who wrote answer #%d is no longer banned. Their answers will appear in the next digests.", id))}, nil
	default:
		return Result{Text: tr(lang, fmt.Sprintf("La personne qui a écrit la réponse n° %d n'était pas bannie.", id), fmt.Sprintf("The person who wrote answer #%d was not banned.", id))}, nil
	}
}

func noAnswer(id uint64, lang string) string {
	return tr(lang, fmt.Sprintf("Aucune réponse ne porte le n° %d. Le numéro figure à côté de chaque citation de la synthèse.", id),
		fmt.Sprintf("No answer has number %d. The number is shown beside each quote in the digest.", id))
}

func (s *Service) questionLabel(theme, question, lang string) string {
	if qu := s.q.Question(theme, question); qu != nil {
		return qu.Title.In(lang)
	}
	return theme + "/" + question
}
