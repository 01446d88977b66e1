package organiser

import (
	"cmp"
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
	"consultbot/text"
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
	// DefaultWorkers is how many commands run at once, over every chat:
	// a digest over a large store takes a core for a while, and the
	// machine has few.
	DefaultWorkers = 2
	// DefaultQueue is how many commands may wait or run at once, and
	// DefaultLaneQueue how many of them for one chat; past either, a
	// command is answered "busy" (a flood, not a team).
	DefaultQueue     = 64
	DefaultLaneQueue = 8
	// DefaultTimeout bounds one command, well inside the 15 minutes a
	// Discord interaction accepts follow-ups.
	DefaultTimeout = 5 * time.Minute
)

// Refusals: one person is told at most maxRefusals times per
// refusalWindow that the organiser commands are not theirs; beyond, they
// get nothing, so that a flood of them costs no message.
const (
	maxRefusals   = 5
	refusalWindow = time.Minute
	// postTimeout bounds the commit of an answer to the outbox.
	postTimeout = 10 * time.Second
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
	// Outbox delivers every answer and the periodic digests; without it
	// answers are dropped (logged) and periodic digests stay pending.
	Outbox Outbox
	// Workers, Queue, LaneQueue and Timeout default to DefaultWorkers,
	// DefaultQueue, DefaultLaneQueue and DefaultTimeout.
	Workers, Queue, LaneQueue int
	Timeout                   time.Duration
	// OnCompute, when set, learns how long each digest (periodic, on
	// demand, or behind /stats) took to compute: metrics.
	OnCompute func(time.Duration)
}

// Service runs the organisers' commands and the periodic digests over one
// database. Its methods are safe for concurrent use. Commands are taken
// by Submit and run by Run's workers; answers go out through the outbox.
type Service struct {
	db   *storage.DB
	q    *flows.Questionnaire
	opts Options
	log  *slog.Logger
	pool *pool

	mu       sync.Mutex
	channels map[string]channel // by channel name
	refused  map[string]refusals
	// wake nudges Run when a channel is added after it started.
	wake chan struct{}
}

// channel is a channel's renderer and the organiser chats or channels
// periodic digests go to there.
type channel struct {
	r        Renderer
	digestTo []string
}

// refusals is one person's refusals in the current window.
type refusals struct {
	start time.Time
	n     int
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
		opts.Location = DefaultLocation()
	}
	opts.Workers = cmp.Or(max(opts.Workers, 0), DefaultWorkers)
	opts.Queue = cmp.Or(max(opts.Queue, 0), DefaultQueue)
	opts.LaneQueue = cmp.Or(max(opts.LaneQueue, 0), DefaultLaneQueue)
	opts.Timeout = cmp.Or(max(opts.Timeout, 0), DefaultTimeout)
	return &Service{
		db: db, q: q, opts: opts, log: opts.Logger,
		pool:     newPool(opts.Workers, opts.Queue, opts.LaneQueue),
		channels: map[string]channel{}, refused: map[string]refusals{},
		wake: make(chan struct{}, 1),
	}
}

// DefaultLocation loads DefaultTimeZone, or falls back to UTC (which the
// digests then name) where the system has no time zone database; the
// consultbot binary embeds one.
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// AddChannel registers the renderer of a channel (bot.ChannelTelegram,
// bot.ChannelDiscord, bot.ChannelTerminal) and the organiser chats or
// channels periodic digests go to there. Call it before Run:
// destinations are fixed when a digest is recorded.
func (s *Service) AddChannel(name string, r Renderer, digestTo []string) {
	s.mu.Lock()
	s.channels[name] = channel{r: r, digestTo: append([]string(nil), digestTo...)}
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
	names := slices.Sorted(maps.Keys(s.channels))
	slices.SortStableFunc(names, func(a, b string) int { return rank(a) - rank(b) })
	var dests []storage.DigestDestination
	for _, ch := range names {
		for _, a := range s.channels[ch].digestTo {
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

func (s *Service) renderer(name string) (Renderer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[name]
	return c.r, ok
}

// Run runs the command workers (Serve) and posts the periodic digests
// (Schedule) until ctx ends. It returns once every worker has stopped: a
// command running then sees its context cancelled, and one still waiting
// is answered that it did not run. So nothing of the Service touches the
// database after Run returns, and the caller can close it.
func (s *Service) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ctx)
	}()
	s.Schedule(ctx)
	<-done
	return nil
}

// Serve runs the command workers until ctx ends, as Run does, without
// the digest schedule: replicas that each take events run the commands
// they receive, and only the one that leads posts the periodic digests
// (Schedule). Serve runs once per Service.
func (s *Service) Serve(ctx context.Context) { s.pool.run(ctx) }

// Submit takes one message an adapter thinks may be an organiser
// command, and decides: a message that is no organiser command is not
// its business (NotMine), unless it comes from a team's place, which gets
// the organisers' help; a person who may not run the command is refused,
// at no cost (no queue slot; at most maxRefusals messages a minute);
// a malformed command gets how to write it; anything else is queued for
// the workers, whose answer follows through the outbox. Every answer goes
// through the outbox, laid out by the Renderer of req.Reply's channel.
// An error means an answer could not be committed (logged too).
func (s *Service) Submit(ctx context.Context, req Request) (Outcome, error) {
	t := &text.For(req.Lang).Organiser
	var (
		spec Spec
		cmd  Command
		err  error
	)
	if req.Command != nil {
		var ok bool
		if spec, ok = specOf(req.Command.Name); !ok {
			return NotMine, nil
		}
		cmd = *req.Command
		err = check(spec, cmd, req.Lang)
	} else {
		cmd, err = ParseCommand(req.Text)
		if errors.Is(err, ErrNotCommand) {
			if !req.Team || req.Role < Organiser {
				return NotMine, nil
			}
			if note, ok := noSlash(req.Text, req.Lang); ok {
				return Answered, s.answer(ctx, req, Result{Text: note})
			}
			return Answered, s.answer(ctx, req, s.help(req.Lang))
		}
		var u *UsageError
		if errors.As(err, &u) {
			spec = u.Spec
		} else {
			spec, _ = specOf(cmd.Name)
		}
	}
	if req.Role < spec.Who {
		s.log.Info("organiser command refused", "command", spec.ID, "participant", req.From)
		if !s.refuseNow(req.From) {
			return Ignored, nil
		}
		return Refused, s.answer(ctx, req, Result{Text: t.Refused})
	}
	if err != nil {
		return Answered, s.answer(ctx, req, Result{Text: Message(err, req.Lang)})
	}
	lang := text.Lang(req.Lang)
	queued := s.pool.add(req.Lane, job{
		run: func(ctx context.Context) { s.run(ctx, req, cmd, lang) },
		drop: func() {
			s.log.Warn("organiser command dropped at shutdown", "command", cmd.Name, "chat", req.Lane)
			if err := s.answer(context.Background(), req, Result{Text: t.Stopped}); err != nil {
				s.log.Error("tell an organiser their command did not run", "err", err)
			}
		},
	})
	if !queued {
		s.log.Warn("organiser queue full; command refused", "command", cmd.Name, "chat", req.Lane)
		return Busy, s.answer(ctx, req, Result{Text: t.Busy})
	}
	return Queued, nil
}

// noSlash reads a line that begins with a command's name but not its
// slash ("masquer 10", "synthese"): it says how to type it, or, when the
// command would be malformed anyway, how to write it, rather than the
// whole list of commands.
func noSlash(line, lang string) (string, bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "/") {
		return "", false
	}
	_, err := ParseCommand("/" + line)
	if errors.Is(err, ErrNotCommand) {
		return "", false
	}
	t := &text.For(lang).Organiser
	if err != nil {
		return t.NoSlashUsage + " " + Message(err, lang), true
	}
	return fmt.Sprintf(t.NoSlash, "/"+strings.Join(strings.Fields(line), " ")), true
}

func specOf(id string) (Spec, bool) {
	for _, c := range commands {
		if c.ID == id {
			return c, true
		}
	}
	return Spec{}, false
}

// run executes a queued command and posts its answer.
func (s *Service) run(ctx context.Context, req Request, cmd Command, lang string) {
	cctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	res, err := s.Execute(cctx, cmd, lang)
	if err != nil {
		s.log.Error("organiser command failed", "command", cmd.Name, "chat", req.Lane, "err", err)
		res = Result{Text: Message(err, lang)}
		if ctx.Err() != nil {
			res = Result{Text: text.For(lang).Organiser.Stopped}
		}
	}
	// The answer goes even when Run is stopping: the outbox outlives it.
	if err := s.answer(context.WithoutCancel(ctx), req, res); err != nil {
		s.log.Error("post organiser answer", "command", cmd.Name, "chat", req.Lane, "err", err)
	}
}

// answer lays res out for req's channel and commits it to the outbox,
// which delivers it under the engine's policy.
func (s *Service) answer(ctx context.Context, req Request, res Result) error {
	r, ok := s.renderer(req.Reply.Channel)
	if !ok || s.opts.Outbox == nil {
		if req.Posted != nil {
			req.Posted(0)
		}
		return fmt.Errorf("answer organiser: no renderer or outbox for channel %q", req.Reply.Channel)
	}
	out := req.Reply
	out.CreatedAt = s.opts.Now()
	out = r.Render(out, res, text.Lang(req.Lang))
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	var seq uint64
	err := s.opts.Outbox.Commit(ctx, func(ctx context.Context) ([]bot.Outgoing, error) {
		outs, err := s.db.Post(ctx, []bot.Outgoing{out})
		if len(outs) > 0 {
			seq = outs[len(outs)-1].Seq
		}
		return outs, err
	})
	if req.Posted != nil {
		req.Posted(seq) // 0 when it failed
	}
	if err != nil {
		return fmt.Errorf("answer organiser: %w", err)
	}
	return nil
}

// refuseNow reports whether person is to be told now that the organiser
// commands are not theirs: at most maxRefusals times per refusalWindow.
func (s *Service) refuseNow(person string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if len(s.refused) > 10000 {
		clear(s.refused) // forget, rather than grow
	}
	r := s.refused[person]
	if now.Sub(r.start) >= refusalWindow {
		r = refusals{start: now}
	}
	r.n++
	s.refused[person] = r
	return r.n <= maxRefusals
}

// help lists the organiser commands, from the command table.
func (s *Service) help(lang string) Result {
	t := &text.For(lang).Organiser
	var b strings.Builder
	for i, c := range commands {
		ct := c.Text(lang)
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, t.HelpLine, strings.TrimSpace(c.Name(lang)+" "+ct.Args), ct.Help)
	}
	return Result{Title: t.HelpTitle, Text: b.String(), Help: true}
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
	case CmdAnnounce:
		return s.announce(ctx, cmd.Text, lang)
	case CmdAnnounceSend:
		return s.sendAnnouncement(ctx, cmd.Draft, lang)
	}
	return Result{Text: text.For(lang).Organiser.Unknown}, nil
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
	fmt.Fprintf(&b, text.For(lang).Organiser.UnknownTheme, arg)
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
	t := &text.For(lang).Organiser
	where := s.questionLabel(a.Theme, a.Question, lang)
	switch {
	case hide && changed:
		return Result{Text: fmt.Sprintf(t.Hidden, id, where, id)}, nil
	case hide:
		return Result{Text: fmt.Sprintf(t.AlreadyHidden, id)}, nil
	case changed:
		return Result{Text: fmt.Sprintf(t.Unhidden, id, where)}, nil
	default:
		return Result{Text: fmt.Sprintf(t.NotHidden, id)}, nil
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
	t := &text.For(lang).Organiser
	switch {
	case ban && changed:
		return Result{Text: fmt.Sprintf(t.Banned, id, id)}, nil
	case ban:
		return Result{Text: fmt.Sprintf(t.AlreadyBanned, id)}, nil
	case changed:
		return Result{Text: fmt.Sprintf(t.Unbanned, id)}, nil
	default:
		return Result{Text: fmt.Sprintf(t.NotBanned, id)}, nil
	}
}

func noAnswer(id uint64, lang string) string {
	return fmt.Sprintf(text.For(lang).Organiser.NoAnswer, id)
}

func (s *Service) questionLabel(theme, question, lang string) string {
	if qu := s.q.Question(theme, question); qu != nil {
		return qu.Title.In(lang)
	}
	return theme + "/" + question
}
