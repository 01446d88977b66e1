package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/internal/fault"
	"consultbot/storage"
)

// soakConfig is what one soak run does.
type soakConfig struct {
	kills        int
	updates      int
	participants int // Telegram parents answering at once
	educators    int // Discord educators answering at once
	patience     time.Duration
	faults       float64       // percent of the bot's routine requests the fakes fail
	budget       time.Duration // the bot's delivery attempt budget
	seed         uint64
	timeout      time.Duration
	bin          string // a prebuilt consultbot binary; empty: go build
	keep         bool
	verbose      bool
	backend      string // bolt or etcd
	replicas     int    // consultbot run processes sharing the etcd cluster
	members      int    // etcd members, each a process of its own
	webhook      bool   // Telegram posts updates to every replica's webhook
}

// runSoak is `consultload soak`: the real consultbot binary against the
// in-repo fakes, killed with SIGKILL at random moments and restarted on the
// same database, then checked for lost or double-counted answers and lost
// replies. It returns an error (exit status 1) on any loss.
func runSoak(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload soak", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var c soakConfig
	fs.IntVar(&c.kills, "kills", 20, "SIGKILLs of the bot during the run")
	fs.IntVar(&c.updates, "updates", 20000, "updates (Telegram) and interactions (Discord) the participants send in all")
	fs.IntVar(&c.participants, "participants", 100, "Telegram parents answering at once (1-1000)")
	fs.IntVar(&c.educators, "educators", 0, "Discord educators answering at once (0-200; default participants/10, at least 1)")
	fs.DurationVar(&c.patience, "patience", 20*time.Second, "how long a Discord educator waits for a reply before acting again")
	fs.Float64Var(&c.faults, "faults", 0, "percent of the bot's sends, uploads, edits, getUpdates and interaction callbacks the fakes fail (500, HTML 502, timeouts, broken JSON, resets; seeded)")
	fs.DurationVar(&c.budget, "budget", bot.DefaultBudget, "the bot's [delivery] attempt_budget; the run fails if anyone waits longer than it plus 30s for a reply")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the kill schedule and answers (0: from the clock; printed)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	fs.StringVar(&c.bin, "bin", "", "consultbot binary to run (default: go build ./cmd/consultbot into a temp dir)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp dir (database, config, bot logs) for inspection")
	fs.BoolVar(&c.verbose, "v", false, "progress lines on stderr")
	fs.StringVar(&c.backend, "backend", "bolt", "storage: bolt (one bot on a file) or etcd (replicas sharing a cluster; each kill is then of the leading replica, then of an etcd member)")
	fs.IntVar(&c.replicas, "replicas", 2, "with -backend etcd: consultbot run processes (1-5)")
	fs.IntVar(&c.members, "members", 3, "with -backend etcd: etcd members, each a process of its own (1-7)")
	fs.BoolVar(&c.webhook, "webhook", false, "Telegram in webhook mode: the fake posts each update to the next replica's webhook in turn (every replica applies, the leader delivers), instead of the leader polling")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.participants < 1 || c.participants > 1000 {
		return errors.New("soak: -participants must be 1 to 1000")
	}
	if c.educators == 0 {
		c.educators = max(1, c.participants/10)
	}
	if c.educators < 0 || c.educators > 200 {
		return errors.New("soak: -educators must be 0 to 200")
	}
	if c.kills < 0 || c.updates < 1 || c.timeout <= 0 || c.patience <= 0 {
		return errors.New("soak: -kills must be ≥ 0, -updates ≥ 1, -timeout and -patience positive")
	}
	if c.faults < 0 || c.faults > 100 || c.budget < 5*time.Second {
		return errors.New("soak: -faults must be 0 to 100 (percent), -budget at least 5s")
	}
	if c.backend != "bolt" && c.backend != "etcd" {
		return errors.New("soak: -backend must be bolt or etcd")
	}
	if c.replicas < 1 || c.replicas > 5 || c.members < 1 || c.members > 7 {
		return errors.New("soak: -replicas must be 1 to 5, -members 1 to 7")
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano()) | 1
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rep, err := soak(ctx, c, stdout)
	if rep != nil {
		rep.print(stdout)
	}
	if err != nil {
		return fmt.Errorf("soak (seed %d): %w", c.seed, err)
	}
	return rep.verdict()
}

// soakReport holds the counts a soak run prints.
type soakReport struct {
	seed            uint64
	elapsed         time.Duration
	kills, restarts int
	checks          int // bbolt consistency checks passed
	backend         string
	webhook         bool
	replicas        int
	memberKills     int             // etcd members SIGKILLed and restarted
	revived         int             // replicas restarted after stopping on their own (lost lease)
	failovers       []time.Duration // from a leader's SIGKILL to the next leader
	updates         int             // Telegram updates sent by parents
	interactions    int             // Discord interactions sent by educators
	parents         int
	educators       int

	tgAnswers     int // answers whose update Telegram saw confirmed
	dcAnswers     int // answers whose interaction was acked and replied to
	dcUnacked     int // answers resubmitted because no reply came
	stored        int // soak answers found in the database
	lost          int // acknowledged answers not stored
	doubled       int // answers stored more than once
	wrongPrompt   int // participants whose last prompt is not where their session stands
	noSession     int
	stuck         int // participants left without a reply
	dupReplies    int // replies received twice (expected around kills)
	retries       int // Discord actions repeated after no reply came
	faultRate     float64
	tgFaults      map[fault.Kind]int
	dcFaults      map[fault.Kind]int
	tgMaxWait     time.Duration // longest wait of a parent for their next reply
	dcMaxWait     time.Duration // of an educator, from the first try of an action
	waitLimit     time.Duration // budget + waitMargin
	sigterm       error         // the bot's exit after the final SIGTERM
	problems      []string
	checkFailures []string
}

func (r *soakReport) fail(format string, args ...any) {
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

func (r *soakReport) print(w io.Writer) {
	fmt.Fprintf(w, "soak: seed %d, %s, %d Telegram parents and %d Discord educators in all\n", r.seed, r.elapsed.Round(time.Millisecond), r.parents, r.educators)
	if r.backend == "etcd" {
		fmt.Fprintf(w, "storage:                       etcd, %d replicas of the bot\n", r.replicas)
		if r.webhook {
			fmt.Fprintf(w, "telegram:                      webhook, each update posted to the next replica\n")
		}
		fmt.Fprintf(w, "leader kills (SIGKILL):        %d, restarts %d\n", r.kills, r.restarts)
		fmt.Fprintf(w, "etcd member kills (SIGKILL):   %d, each restarted\n", r.memberKills)
		fmt.Fprintf(w, "replicas that lost their lease: %d (stopped by themselves; restarted as a service manager does)\n", r.revived)
		f := slices.Sorted(slices.Values(r.failovers))
		fmt.Fprintf(w, "failover (kill → new leader):  p50 %s, p99 %s, max %s\n", percentile(f, 50).Round(time.Millisecond),
			percentile(f, 99).Round(time.Millisecond), percentile(f, 100).Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "kills (SIGKILL):               %d, restarts %d\n", r.kills, r.restarts)
		fmt.Fprintf(w, "bbolt checks passed:           %d of %d\n", r.checks, r.checks+len(r.checkFailures))
	}
	fmt.Fprintf(w, "updates sent:                  %d Telegram + %d Discord interactions = %d\n", r.updates, r.interactions, r.updates+r.interactions)
	fmt.Fprintf(w, "acknowledged answers:          %d Telegram + %d Discord\n", r.tgAnswers, r.dcAnswers)
	fmt.Fprintf(w, "soak answers stored:           %d\n", r.stored)
	fmt.Fprintf(w, "lost answers:                  %d\n", r.lost)
	fmt.Fprintf(w, "answers stored twice:          %d\n", r.doubled)
	fmt.Fprintf(w, "participants without a reply:  %d\n", r.stuck)
	fmt.Fprintf(w, "last prompt ≠ session stage:   %d (sessions not found: %d)\n", r.wrongPrompt, r.noSession)
	fmt.Fprintf(w, "duplicate replies (allowed):   %d\n", r.dupReplies)
	fmt.Fprintf(w, "Discord actions retried:       %d (answers resubmitted: %d)\n", r.retries, r.dcUnacked)
	fmt.Fprintf(w, "faults injected (%g %%):        Telegram %s; Discord %s\n", r.faultRate, faultCounts(r.tgFaults), faultCounts(r.dcFaults))
	fmt.Fprintf(w, "longest wait for a reply:      Telegram %s, Discord %s (limit %s)\n", r.tgMaxWait.Round(time.Millisecond), r.dcMaxWait.Round(time.Millisecond), r.waitLimit)
	fmt.Fprintf(w, "exit after the final SIGTERM:  %s\n", exitText(r.sigterm))
	for _, p := range r.checkFailures {
		fmt.Fprintln(w, "CHECK FAILED:", p)
	}
	for _, p := range r.problems {
		fmt.Fprintln(w, "PROBLEM:", p)
	}
}

// verdict is nil when nothing was lost or counted twice, nobody waited
// past the limit and the bot stopped cleanly.
func (r *soakReport) verdict() error {
	slow := 0
	if max(r.tgMaxWait, r.dcMaxWait) > r.waitLimit {
		slow = 1
	}
	if r.lost+r.doubled+r.stuck+r.wrongPrompt+r.noSession+len(r.checkFailures)+slow > 0 || r.sigterm != nil {
		return fmt.Errorf("soak (seed %d) failed: %d lost, %d doubled, %d stuck, %d wrong prompts, %d sessions missing, %d failed checks, longest wait %s (limit %s), exit after SIGTERM: %s",
			r.seed, r.lost, r.doubled, r.stuck, r.wrongPrompt, r.noSession, len(r.checkFailures), max(r.tgMaxWait, r.dcMaxWait).Round(time.Millisecond), r.waitLimit, exitText(r.sigterm))
	}
	return nil
}

// waitMargin is what a reply may take beyond the bot's attempt budget:
// a restart after a kill, the sending limits, the retries' last wait.
const waitMargin = 30 * time.Second

func faultCounts(c map[fault.Kind]int) string {
	if len(c) == 0 {
		return "none"
	}
	var parts []string
	total := 0
	for _, k := range fault.All {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
			total += c[k]
		}
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// botProcess is the consultbot child process, restarted after each kill.
type botProcess struct {
	bin, cfg, dbPath string
	env              []string
	cmd              *exec.Cmd
	exited           chan struct{}
	waitErr          error // how the process ended, once exited is closed
	log              *os.File
}

func (b *botProcess) start() error {
	cmd := exec.Command(b.bin, "-config", b.cfg, "run")
	cmd.Env = b.env
	cmd.Stdout = b.log
	cmd.Stderr = b.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start bot: %w", err)
	}
	b.cmd = cmd
	exited := make(chan struct{})
	b.exited = exited
	go func() { b.waitErr = cmd.Wait(); close(exited) }()
	return nil
}

// stop sends sig and waits for the process to end (SIGKILL after 30 s);
// it returns how the process ended.
func (b *botProcess) stop(sig syscall.Signal) error {
	if b.cmd == nil {
		return nil
	}
	_ = b.cmd.Process.Signal(sig)
	select {
	case <-b.exited:
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
	b.cmd = nil
	return b.waitErr
}

// checkDB opens the database while the bot is stopped and runs bbolt's
// consistency check, then checks that the digest index agrees with the
// answers and sessions (it is written in their transactions).
func checkDB(path string) error {
	db, err := storage.Open(path, storage.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	return errors.Join(db.Check(), db.CheckDigestIndex(), db.Close())
}

// buildBot builds ./cmd/consultbot of this module into dir.
func buildBot(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "consultbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/consultbot")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/consultbot: %w\n%s", err, b)
	}
	return bin, nil
}

// soakIDKey is the participant id key handed to the bot; the soak derives
// the same pseudonymous participant ids to read the database back.
const soakIDKey = "soak-participant-id-key-0123456789abcdef"

// soakHookSecret is the replicas' webhook secret, with -webhook.
const soakHookSecret = "soak_webhook_secret-1"

// freeLoopback returns a loopback address free a moment ago, for a
// replica's webhook listener.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func soak(ctx context.Context, c soakConfig, stdout io.Writer) (*soakReport, error) {
	rep := &soakReport{seed: c.seed, faultRate: c.faults, waitLimit: c.budget + waitMargin, backend: c.backend, webhook: c.webhook}
	start := time.Now()
	defer func() { rep.elapsed = time.Since(start) }()
	rng := rand.New(rand.NewPCG(c.seed, c.seed^0x9e3779b97f4a7c15))
	progress := func(format string, args ...any) {
		if c.verbose {
			fmt.Fprintf(os.Stderr, "soak: "+format+"\n", args...)
		}
	}

	dir, err := os.MkdirTemp("", "consultsoak-")
	if err != nil {
		return nil, err
	}
	if c.keep {
		fmt.Fprintln(stdout, "soak: files kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := c.bin
	if bin == "" {
		if bin, err = buildBot(ctx, dir); err != nil {
			return nil, err
		}
	}

	// The soak is about losing nothing, not about flood limits: both the
	// fake and the bot allow far more than Telegram, so the bot is busy
	// with storage, not waiting on its limiter.
	parents := newInboxes()
	// With -faults, both fakes fail that share of the bot's routine
	// requests, each platform from its own seed.
	faults := func(salt uint64) fault.Options {
		return fault.Options{Rate: c.faults / 100, Seed: c.seed ^ salt}
	}
	tg := telegramtest.NewServer(telegramtest.Options{
		Limits:    telegramtest.Limits{Global: 100000, GlobalBurst: 100000, PerChat: 1000, PerChatBurst: 1000},
		OnMessage: parents.deliver,
		Faults:    faults(0x7e1e),
	})
	defer tg.Close()
	dc := discordtest.NewServer(discordtest.Options{Faults: faults(0xd15c)})
	defer dc.Close()

	logf, err := os.Create(filepath.Join(dir, "bot.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	var cluster *soakCluster
	storageExtra := ""
	if c.backend == "etcd" {
		if cluster, err = startSoakCluster(ctx, dir, c.members, logf); err != nil {
			return rep, err
		}
		defer cluster.stop()
		storageExtra = fmt.Sprintf("backend = \"etcd\"\nendpoints = [\"%s\"]\nlease_seconds = 2\n", strings.Join(cluster.endpoints(), `", "`))
	} else {
		c.replicas = 1
	}
	rep.replicas = c.replicas

	dbPath := filepath.Join(dir, "soak.db")
	cfg := fmt.Sprintf(`[storage]
path = %q
`+storageExtra+`[log]
level = "warn"
[telegram]
api_endpoint = %q
global_rate = 1000
chat_rate = 100
[discord]
api_base = %q
application_id = %q
guild_ids = [%q]
organiser_channel_ids = []
organiser_role_ids = []
[delivery]
attempt_budget = %q
`, dbPath, tg.URL(), dc.URL+"/api/v9", dc.AppID, dc.GuildID, c.budget.String())
	env := append(os.Environ(),
		"TELEGRAM_TOKEN="+tg.Token(), "DISCORD_TOKEN="+dc.Token,
		"CONSULTBOT_ID_KEY="+soakIDKey, "TELEGRAM_WEBHOOK_SECRET="+soakHookSecret)
	var hooks []string // the replicas' webhooks, with -webhook
	// Each replica has its own directory (its admin socket lives beside
	// storage.path); with bbolt there is one.
	var replicas []*botProcess
	for i := range c.replicas {
		rdir, rcfg := dir, cfg
		if c.replicas > 1 {
			rdir = filepath.Join(dir, fmt.Sprintf("replica%d", i+1))
			if err := os.Mkdir(rdir, 0o700); err != nil {
				return rep, err
			}
			rcfg = strings.Replace(cfg, fmt.Sprintf("path = %q", dbPath), fmt.Sprintf("path = %q", filepath.Join(rdir, "soak.db")), 1)
		}
		if c.webhook {
			listen, err := freeLoopback()
			if err != nil {
				return rep, err
			}
			hooks = append(hooks, "http://"+listen)
			rcfg = strings.Replace(rcfg, "[telegram]\n", fmt.Sprintf("[telegram]\nmode = \"webhook\"\nwebhook_listen = %q\nwebhook_url = \"https://consultation.example.org/telegram\"\n", listen), 1)
		}
		rcfgPath := filepath.Join(rdir, "soak.toml")
		if err := os.WriteFile(rcfgPath, []byte(rcfg), 0o600); err != nil {
			return nil, err
		}
		r := &botProcess{bin: bin, cfg: rcfgPath, dbPath: dbPath, env: env, log: logf}
		if err := r.start(); err != nil {
			return nil, err
		}
		defer r.stop(syscall.SIGKILL)
		replicas = append(replicas, r)
	}
	b := replicas[0]
	pushed := make(chan struct{})
	pushCtx, stopPush := context.WithCancel(ctx)
	if c.webhook {
		// Telegram's side: forty connections, as its default
		// max_connections, spread over the replicas.
		go func() {
			defer close(pushed)
			tg.PushWebhook(pushCtx, hooks, soakHookSecret, 40)
		}()
	} else {
		close(pushed)
	}
	defer func() { stopPush(); <-pushed }()
	if _, err := dc.WaitCommands(dc.GuildID, 30*time.Second); err != nil {
		return rep, fmt.Errorf("bot did not register its Discord commands (see %s): %w", logf.Name(), err)
	}

	// The kill schedule: after a random number of updates each, plus a
	// random delay so kills fall anywhere in the processing of an update.
	var sent atomic.Int64
	points := make([]int, c.kills)
	for i := range points {
		points[i] = 1 + rng.IntN(max(1, c.updates*9/10))
	}
	slices.Sort(points)
	delays := make([]time.Duration, c.kills)
	for i := range delays {
		delays[i] = time.Duration(rng.IntN(250)) * time.Millisecond
	}
	var textSeed atomic.Uint64
	textSeed.Store(rng.Uint64())

	driveCtx, stopDrive := context.WithCancel(ctx)
	defer stopDrive()
	killerDone := make(chan error, 1)
	go func() {
		killerDone <- func() error {
			// Until the run ends, replicas that stopped by themselves
			// are started again at once, as a service manager does, not
			// only at the next kill: with every replica stopped and no
			// kill left, nobody would answer.
			reviveAll := func() error {
				if cluster == nil {
					return nil
				}
				n, err := revive(replicas)
				rep.revived += n
				return err
			}
			// reviveUntil keeps the replicas running until done reports
			// true; false when the drive ended first.
			reviveUntil := func(done func() bool) (bool, error) {
				for !done() {
					if err := reviveAll(); err != nil {
						return false, err
					}
					select {
					case <-driveCtx.Done():
						return false, nil
					case <-time.After(5 * time.Millisecond):
					}
				}
				return true, nil
			}
			for i, p := range points {
				if ok, err := reviveUntil(func() bool { return int(sent.Load()) >= p }); !ok {
					return err
				}
				time.Sleep(delays[i])
				if cluster != nil {
					if err := reviveAll(); err != nil {
						return err
					}
					failover, err := cluster.killLeader(driveCtx, replicas, reviveAll)
					if err != nil {
						return err
					}
					rep.kills++
					rep.restarts++
					rep.failovers = append(rep.failovers, failover)
					// Separately, a member of the cluster.
					if err := cluster.killMember(i, delays[i]); err != nil {
						return err
					}
					rep.memberKills++
					progress("kill %d/%d at %d updates: failover %s", i+1, c.kills, sent.Load(), failover.Round(time.Millisecond))
					continue
				}
				b.stop(syscall.SIGKILL)
				rep.kills++
				if err := checkDB(dbPath); err != nil {
					rep.checkFailures = append(rep.checkFailures, fmt.Sprintf("after kill %d: %v", i+1, err))
				} else {
					rep.checks++
				}
				if err := b.start(); err != nil {
					return err
				}
				rep.restarts++
				progress("kill %d/%d at %d updates", i+1, c.kills, sent.Load())
			}
			_, err := reviveUntil(func() bool { return false })
			return err
		}()
	}()

	// Each platform counts what it sent within the shared budget.
	var tgSent, dcSent atomic.Int64
	budgetOf := func(n *atomic.Int64) func() bool {
		return func() bool {
			if sent.Add(1) > int64(c.updates) {
				return false
			}
			n.Add(1)
			return true
		}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		tgPeople []*parent
		dcPeople []*educator
	)
	var nextParent, nextEducator atomic.Int64
	for range c.participants {
		wg.Go(func() {
			for driveCtx.Err() == nil && sent.Load() < int64(c.updates) {
				n := nextParent.Add(1)
				p := &parent{
					user:       telegramtest.User{ID: 500000 + n, LanguageCode: "fr"},
					inbox:      parents.register(500000 + n),
					salt:       textSeed.Load() + uint64(n),
					stuckAfter: rep.waitLimit + 15*time.Second,
				}
				mu.Lock()
				tgPeople = append(tgPeople, p)
				mu.Unlock()
				if !p.run(driveCtx, tg, budgetOf(&tgSent)) {
					return
				}
			}
		})
	}
	for range c.educators {
		wg.Go(func() {
			for driveCtx.Err() == nil && sent.Load() < int64(c.updates) {
				n := nextEducator.Add(1)
				e := &educator{user: dc.NewUser(fmt.Sprintf("soak-educ-%d", n), "fr"), salt: textSeed.Load() + uint64(n), patience: c.patience, stuckAfter: rep.waitLimit + 15*time.Second}
				mu.Lock()
				dcPeople = append(dcPeople, e)
				mu.Unlock()
				if !e.run(driveCtx, dc, budgetOf(&dcSent)) {
					return
				}
			}
		})
	}
	wg.Wait()
	stopDrive()
	if err := <-killerDone; err != nil {
		return rep, err
	}
	if ctx.Err() != nil {
		return rep, fmt.Errorf("timed out after %s: raise -timeout or lower -updates", c.timeout)
	}

	// Let the bot confirm its last updates, then stop it gracefully.
	wait, cancelWait := context.WithTimeout(ctx, 60*time.Second)
	defer cancelWait()
	if err := tg.Wait(wait, func() bool { return tg.PendingUpdates() == 0 }); err != nil {
		rep.fail("%d Telegram updates never confirmed by the bot", tg.PendingUpdates())
	}
	stopPush()
	<-pushed
	// Clean even with replies left (they wait in the outbox): status 0.
	// Stand-bys first, so that the leader's stop hands the lead to no one.
	if cluster != nil {
		pid := cluster.leaderPID(ctx)
		slices.SortStableFunc(replicas, func(a, b *botProcess) int {
			return cmp.Compare(b2i(a.cmd != nil && a.cmd.Process.Pid == pid), b2i(b.cmd != nil && b.cmd.Process.Pid == pid))
		})
	}
	for _, r := range replicas {
		if r.cmd != nil && cluster != nil {
			select {
			case <-r.exited: // it lost its lease and stopped by itself
				r.cmd = nil
				rep.revived++
				continue
			default:
			}
		}
		if err := r.stop(syscall.SIGTERM); err != nil && rep.sigterm == nil {
			rep.sigterm = err
		}
	}
	rep.tgFaults, rep.dcFaults = tg.Faults().Counts(), dc.Faults().Counts()
	rep.parents, rep.educators = len(tgPeople), len(dcPeople)
	rep.updates, rep.interactions = int(tgSent.Load()), int(dcSent.Load())
	var db *storage.DB
	if cluster != nil {
		db, err = cluster.openStore()
	} else {
		if err := checkDB(dbPath); err != nil {
			rep.checkFailures = append(rep.checkFailures, fmt.Sprintf("at the end: %v", err))
		} else {
			rep.checks++
		}
		db, err = storage.Open(dbPath, storage.Options{})
	}
	if err != nil {
		return rep, err
	}
	defer db.Close()
	return rep, verifySoak(db, dc, tgPeople, dcPeople, rep)
}

// inboxes routes the messages the Telegram fake sees the bot send to the
// simulated parent of that chat.
type inboxes struct {
	mu sync.Mutex
	by map[int64]*inbox
}

func newInboxes() *inboxes { return &inboxes{by: map[int64]*inbox{}} }

func (in *inboxes) register(chat int64) *inbox {
	in.mu.Lock()
	defer in.mu.Unlock()
	b := &inbox{wake: make(chan struct{}, 1)}
	in.by[chat] = b
	return b
}

func (in *inboxes) deliver(m telegramtest.Message) {
	in.mu.Lock()
	b := in.by[m.ChatID]
	in.mu.Unlock()
	if b == nil {
		return
	}
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// inbox is what one parent received, in order, as sent (before edits).
type inbox struct {
	mu   sync.Mutex
	msgs []telegramtest.Message
	wake chan struct{}
}

func (b *inbox) snapshot() []telegramtest.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.msgs)
}

// sentAnswer is one free-text answer a participant gave.
type sentAnswer struct {
	text  string
	acked bool // the platform confirmed the bot took it
}

// parent is one simulated Telegram parent.
type parent struct {
	user    telegramtest.User
	inbox   *inbox
	salt    uint64
	answers []sentAnswer
	seen    map[string]bool // prompts already acted on or skipped
	stuck   bool
	last    telegramtest.Message // last prompt received
	started bool
	// stuckAfter is how long the parent waits for the bot's reply before
	// counting it lost: past the wait limit, so that a slow reply is
	// measured, not mistaken for a lost one.
	stuckAfter time.Duration
	acted      time.Time     // when the parent last sent something
	maxWait    time.Duration // longest wait from an action to the next prompt
}

func promptKey(text string, labels []string) string {
	return text + "\x00" + strings.Join(labels, "\x00")
}

// nextPrompt waits for a prompt (a message with buttons) not seen before.
func (p *parent) nextPrompt(ctx context.Context) (telegramtest.Message, bool) {
	deadline := time.NewTimer(p.stuckAfter)
	defer deadline.Stop()
	for {
		for _, m := range p.inbox.snapshot() {
			if m.Keyboard == nil {
				continue
			}
			if k := promptKey(m.Raw, m.Labels()); !p.seen[k] {
				p.seen[k] = true
				p.last = m
				p.maxWait = max(p.maxWait, m.Sent.Sub(p.acted))
				return m, true
			}
		}
		select {
		case <-p.inbox.wake:
		case <-deadline.C:
			p.stuck = true
			return telegramtest.Message{}, false
		case <-ctx.Done():
			return telegramtest.Message{}, false
		}
	}
}

// run plays the parent through onboarding and the themes until every
// theme is validated (true) or the update budget or ctx ends (false). Each
// action waits for the reply, as a person does, whatever the kills.
func (p *parent) run(ctx context.Context, fake *telegramtest.Server, budget func() bool) bool {
	p.seen = map[string]bool{}
	p.started = true
	if !budget() {
		return false
	}
	p.acted = time.Now()
	fake.SendText(p.user, "/start")
	n := 0
	for {
		m, ok := p.nextPrompt(ctx)
		if !ok {
			return false
		}
		tap := func(prefix string) bool {
			for _, l := range m.Labels() {
				if strings.HasPrefix(l, prefix) {
					if !budget() {
						return false
					}
					p.acted = time.Now()
					_, _, err := fake.TapButton(p.user, m, l)
					return err == nil
				}
			}
			return false
		}
		switch {
		case strings.Contains(m.Text, "Avant de commencer"):
			ok = tap("J'accepte")
		case strings.Contains(m.Text, "Vous répondez en tant que"):
			ok = tap("Parent")
		case strings.Contains(m.Text, "· Question "):
			if !budget() {
				return false
			}
			n++
			text := fmt.Sprintf("soak t%d a%d %x : plus de temps pour lire avec les enfants.", p.user.ID, n, p.salt)
			p.acted = time.Now()
			fake.SendText(p.user, text)
			// Telegram keeps the update until the bot confirms it, and the
			// soak waits for every confirmation before it checks.
			p.answers = append(p.answers, sentAnswer{text: text, acked: true})
		case strings.Contains(m.Text, "Dans quelle académie"):
			ok = tap("Passer")
		case strings.Contains(m.Text, "Relecture"):
			ok = tap("Valider")
		case strings.Contains(m.Text, "Voulez-vous un rappel"):
			ok = tap("Non merci")
		case strings.Contains(m.Text, "Les thèmes"):
			next := nextTheme(m.Labels())
			if next == "" {
				return true
			}
			ok = tap(next)
		default:
			return false // an unexpected prompt: counted at the check
		}
		if !ok {
			return false
		}
	}
}

// educator is one simulated Discord educator.
type educator struct {
	user     discordtest.User
	salt     uint64
	patience time.Duration // before acting again when no reply came
	answers  []sentAnswer
	seen     map[string]bool
	retries  int
	stuck    bool
	last     discordtest.Message
	started  bool
	// stuckAfter is how long the educator keeps trying one action before
	// counting it lost; maxWait the longest time from the first try of an
	// action to the prompt that answers it.
	stuckAfter time.Duration
	maxWait    time.Duration
}

func discordKey(m discordtest.Message) string {
	var labels []string
	for _, b := range m.Buttons() {
		labels = append(labels, b.Label)
	}
	return promptKey(m.Content, labels)
}

// nextPrompt waits up to d for a prompt not seen before.
func (e *educator) nextPrompt(fake *discordtest.Server, d time.Duration) (discordtest.Message, bool) {
	var found discordtest.Message
	_, err := fake.WaitUser(e.user.ID, d, func(ms []discordtest.Message) bool {
		for _, m := range ms {
			if len(m.Rows) > 0 && !e.seen[discordKey(m)] {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		return discordtest.Message{}, false
	}
	e.seen[discordKey(found)] = true
	e.last = found
	return found, true
}

// run plays the educator: /contribuer, onboarding, every theme answered in
// the modal and validated. An interaction the bot never answered (it was
// killed before committing it) is repeated, as a person clicks again after
// "interaction failed".
func (e *educator) run(ctx context.Context, fake *discordtest.Server, budget func() bool) bool {
	e.seen = map[string]bool{}
	e.started = true
	patience := e.patience
	var act func() bool
	act = func() bool {
		if !budget() {
			return false
		}
		_, err := fake.SlashCommand(e.user, fake.Guild(), "contribuer")
		return err == nil
	}
	n := 0
	var answerIx string
	var first time.Time // the first try of the current action
	for tries := 0; ctx.Err() == nil; {
		if tries == 0 {
			first = time.Now()
		}
		if !act() {
			return false
		}
		m, ok := e.nextPrompt(fake, patience)
		if !ok {
			tries++
			e.retries++
			if time.Since(first) > e.stuckAfter {
				e.stuck = true
				return false
			}
			continue // the same action again
		}
		tries = 0
		e.maxWait = max(e.maxWait, time.Since(first))
		if answerIx != "" {
			e.answers[len(e.answers)-1].acked = acked(fake, answerIx)
			answerIx = ""
		}
		click := func(label string) func() bool {
			return func() bool {
				b, ok := m.Button(label)
				if !ok || !budget() {
					return false
				}
				_, err := fake.ClickButton(e.user, m, b.CustomID)
				return err == nil
			}
		}
		switch {
		case strings.Contains(m.Content, "Avant de commencer"):
			act = click("J'accepte")
		case strings.Contains(m.Content, "Vous répondez en tant que"):
			act = click("Enseignant")
		case strings.Contains(m.Content, "Dans quelle académie"):
			act = click("Passer")
		case strings.Contains(m.Content, "Relecture"):
			act = click("Valider")
		case strings.Contains(m.Content, "Voulez-vous un rappel"):
			act = click("Non merci")
		default:
			if b, ok := m.Button("Répondre"); ok {
				n++
				text := fmt.Sprintf("soak d%s a%d %x : des outils simples et sobres.", e.user.ID, n, e.salt)
				e.answers = append(e.answers, sentAnswer{text: text})
				first := true
				act = func() bool {
					if !budget() {
						return false
					}
					if !first {
						e.answers[len(e.answers)-1].acked = false
					}
					first = false
					if _, err := fake.ClickButton(e.user, m, b.CustomID); err != nil {
						return false
					}
					if _, err := fake.WaitModal(e.user.ID, patience); err != nil {
						return true // no modal: the next wait times out and this repeats
					}
					if !budget() {
						return false
					}
					id, err := fake.SubmitModal(e.user, text)
					answerIx = id
					return err == nil
				}
				continue
			}
			next := ""
			for _, b := range m.Buttons() {
				if strings.Contains(b.CustomID, ".theme.") && !strings.HasPrefix(b.Label, "✓") {
					next = b.Label
					break
				}
			}
			if next == "" {
				return true
			}
			act = click(next)
		}
	}
	return false
}

// acked reports whether the interaction was acknowledged in time and the
// bot replied to it.
func acked(fake *discordtest.Server, id string) bool {
	ok := false
	for _, a := range fake.Acks() {
		if a.InteractionID == id && !a.Late {
			ok = true
		}
	}
	return ok
}

// verifySoak checks the database against what the participants sent and
// received.
func verifySoak(db *storage.DB, dc *discordtest.Server, tgPeople []*parent, dcPeople []*educator, rep *soakReport) error {
	count := map[string]int{}
	owner := map[string]string{} // answer text → stored participant id
	err := db.ForEachAnswer(context.Background(), func(a storage.Answer) error {
		if strings.HasPrefix(a.Text, "soak ") {
			count[a.Text]++
			owner[a.Text] = a.Participant
			rep.stored++
		}
		return nil
	})
	if err != nil {
		return err
	}
	q := flows.DefaultQuestionnaire()
	checkAnswers := func(who string, answers []sentAnswer) {
		for _, a := range answers {
			n := count[a.text]
			if a.acked {
				if strings.HasPrefix(who, "telegram") {
					rep.tgAnswers++
				} else {
					rep.dcAnswers++
				}
				if n == 0 {
					rep.lost++
					rep.fail("%s: acknowledged answer %q not stored", who, a.text)
				}
			} else {
				rep.dcUnacked++
			}
			if n > 1 {
				rep.doubled++
				rep.fail("%s: answer %q stored %d times", who, a.text, n)
			}
			if n > 0 && owner[a.text] != who {
				rep.fail("%s: answer %q stored under another participant", who, a.text)
			}
		}
	}
	session := func(who string) (flows.Session, bool) {
		s, ok, err := db.Session(who)
		return s, err == nil && ok
	}
	for _, p := range tgPeople {
		who := bot.ParticipantID(bot.ChannelTelegram, strconv.FormatInt(p.user.ID, 10), []byte(soakIDKey))
		checkAnswers(who, p.answers)
		rep.dupReplies += countDups(p.inbox.snapshot())
		rep.tgMaxWait = max(rep.tgMaxWait, p.maxWait)
		if p.stuck {
			rep.stuck++
			rep.fail("%s: no reply within %s", who, p.stuckAfter)
			continue
		}
		if !p.started || p.last.Keyboard == nil {
			continue
		}
		s, ok := session(who)
		if !ok {
			rep.noSession++
			rep.fail("%s: no session found", who)
			continue
		}
		// The prompt last received must be the one the session stands at:
		// read it from the fake, which has every message sent since.
		if !promptMatches(q, s, lastPrompt(p.inbox.snapshot())) {
			rep.wrongPrompt++
			rep.fail("%s: session at %s %s/%s, last prompt %q", who, s.Stage, s.Theme, s.Question, firstLine(lastPrompt(p.inbox.snapshot())))
		}
	}
	for _, e := range dcPeople {
		who := bot.ParticipantID(bot.ChannelDiscord, e.user.ID, []byte(soakIDKey))
		checkAnswers(who, e.answers)
		rep.retries += e.retries
		rep.dcMaxWait = max(rep.dcMaxWait, e.maxWait)
		if e.stuck {
			rep.stuck++
			rep.fail("%s: no reply after repeated tries", who)
			continue
		}
		if !e.started || len(e.last.Rows) == 0 {
			continue
		}
		s, ok := session(who)
		if !ok {
			continue // an educator whose first command was lost in a kill
		}
		var last string
		var trail []string
		for _, m := range dc.Messages(e.user.ID) {
			if len(m.Rows) > 0 {
				last = m.Content
				trail = append(trail, firstLine(m.Content)+" ["+m.InteractionID+"]")
			}
		}
		if !promptMatches(q, s, last) {
			rep.wrongPrompt++
			rep.fail("%s: session at %s %s/%s, %d retries, last prompts %q", who, s.Stage, s.Theme, s.Question, e.retries, trail[max(0, len(trail)-4):])
		}
	}
	return nil
}

func lastPrompt(ms []telegramtest.Message) string {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Keyboard != nil {
			return ms[i].Text
		}
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// countDups counts prompts received more than once: every prompt of a
// parent's conversation differs from the others, so a repeat is a reply
// sent again after a kill.
func countDups(ms []telegramtest.Message) int {
	seen := map[string]bool{}
	n := 0
	for _, m := range ms {
		if m.Keyboard == nil {
			continue
		}
		k := promptKey(m.Raw, m.Labels())
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}

// promptMatches reports whether text is the prompt of the session's stage.
func promptMatches(q *flows.Questionnaire, s flows.Session, text string) bool {
	if s.Pending.OffersReminders() {
		// A run whose budget ends at the offer stops there.
		return strings.Contains(text, "Voulez-vous un rappel")
	}
	switch s.Stage {
	case flows.StageConsent:
		return strings.Contains(text, "Avant de commencer")
	case flows.StageProfile:
		return strings.Contains(text, "Vous répondez en tant que")
	case flows.StageAcademie:
		return strings.Contains(text, "Dans quelle académie")
	case flows.StageReview:
		return strings.Contains(text, "Relecture")
	case flows.StageMenu:
		return strings.Contains(text, "Les thèmes")
	case flows.StageQuestion:
		qq := q.Question(s.Theme, s.Question)
		return qq != nil && strings.Contains(text, qq.Prompt.In(s.Lang))
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
