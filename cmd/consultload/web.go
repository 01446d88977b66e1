package main

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// webLoadConfig is what one web load run does.
type webLoadConfig struct {
	participants       int
	duration           time.Duration
	pauseMin, pauseMax time.Duration
	scale              float64
	bin                string
	seed               uint64
}

// runWeb is `consultload web`: simulated people in browsers, through real
// HTTP posts and server-sent event streams, against the real consultbot
// binary serving its web page on loopback.
func runWeb(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("consultload web", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var c webLoadConfig
	fs.IntVar(&c.participants, "participants", 1000, "people answering at once, each with a page open (1-5000)")
	fs.DurationVar(&c.duration, "duration", time.Minute, "how long they answer (at most 10m)")
	fs.DurationVar(&c.pauseMin, "pause-min", 10*time.Second, "shortest pause before an action, as people read and type")
	fs.DurationVar(&c.pauseMax, "pause-max", 30*time.Second, "longest pause before an action")
	fs.Float64Var(&c.scale, "scale", 1, "multiplies every pause (0.1: ten times faster than people)")
	fs.StringVar(&c.bin, "bin", "", "consultbot binary to run (default: go build ./cmd/consultbot into a temp dir)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the pauses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.participants < 1 || c.participants > 5000 {
		return errors.New("web load: -participants must be 1 to 5000")
	}
	if c.duration <= 0 || c.duration > 10*time.Minute {
		return errors.New("web load: -duration must be positive and at most 10m")
	}
	if c.pauseMin < 0 || c.pauseMax < c.pauseMin || c.scale <= 0 {
		return errors.New("web load: need 0 ≤ -pause-min ≤ -pause-max and a positive -scale")
	}
	// The run ends with the drive, the shutdown and the check.
	ctx, cancel := context.WithTimeout(ctx, c.duration+3*time.Minute)
	defer cancel()
	res, err := webLoad(ctx, c)
	if err != nil {
		return err
	}
	lo, hi := scaled(c.pauseMin, c.scale), scaled(c.pauseMax, c.scale)
	fmt.Fprintf(stdout, "web load: %d people with a page open, pausing %s–%s before each action, for %s (real consultbot run on loopback, fsync on)\n",
		c.participants, lo, hi, res.elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "streams open:        %d of %d\n", res.streams, c.participants)
	fmt.Fprintf(stdout, "actions:             %d (%.1f/s), refused %d, retried %d\n", res.actions, float64(res.actions)/res.elapsed.Seconds(), res.refused, res.retried)
	fmt.Fprintf(stdout, "post→acknowledged:   p50 %s  p99 %s\n", pct(res.acks, 50), pct(res.acks, 99))
	fmt.Fprintf(stdout, "update→reply:        p50 %s  p99 %s  max %s  (%d samples, post sent → first reply on the event stream)\n",
		pct(res.latencies, 50), pct(res.latencies, 99), pct(res.latencies, 100), len(res.latencies))
	fmt.Fprintf(stdout, "answers stored:      %d, acknowledged %d\n", res.stored, res.answered)
	if res.stored != res.answered {
		return fmt.Errorf("web load: %d answers acknowledged but %d stored", res.answered, res.stored)
	}
	return nil
}

func scaled(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * f).Round(time.Millisecond)
}

// webLoadResult is what one web load run measured.
type webLoadResult struct {
	elapsed          time.Duration
	streams          int
	actions          int64
	refused, retried int64
	acks, latencies  []time.Duration // sorted
	answered, stored int
}

// webLoadIDKey keys the participant ids of the load's bot.
const webLoadIDKey = "web-load-participant-id-key-0123456789"

func webLoad(ctx context.Context, c webLoadConfig) (webLoadResult, error) {
	var res webLoadResult
	dir, err := os.MkdirTemp("", "consultload-web-")
	if err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	defer os.RemoveAll(dir)
	bin := c.bin
	if bin == "" {
		if bin, err = buildBot(ctx, dir); err != nil {
			return res, fmt.Errorf("web load: %w", err)
		}
	}
	dbPath := filepath.Join(dir, "web.db")
	cfgPath := filepath.Join(dir, "consultbot.toml")
	// The load comes through a "proxy" on 127.0.0.1 that names each
	// person's address, so that flood control counts them apart.
	cfg := fmt.Sprintf("[storage]\npath = %q\n[log]\nlevel = \"warn\"\n[web]\nenabled = true\nlisten = \"127.0.0.1:0\"\ntrusted_proxies = [\"127.0.0.1\"]\n", dbPath)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	logFile, err := os.Create(filepath.Join(dir, "bot.log"))
	if err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-config", cfgPath, "run")
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TELEGRAM_TOKEN=") || strings.HasPrefix(kv, "DISCORD_TOKEN=") || strings.HasPrefix(kv, "CONSULTBOT_ID_KEY=")
	}), "CONSULTBOT_ID_KEY="+webLoadIDKey)
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("web load: start bot: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	base, err := pageAddress(ctx, out)
	if err != nil {
		stop()
		log, _ := os.ReadFile(logFile.Name())
		return res, fmt.Errorf("web load: %w\n%s", err, log)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	transport := &http.Transport{MaxIdleConns: 4 * c.participants, MaxIdleConnsPerHost: 4 * c.participants, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	var (
		mu      sync.Mutex
		streams atomic.Int64
		wg      sync.WaitGroup
	)
	driveCtx, endDrive := context.WithTimeout(ctx, c.duration)
	defer endDrive()
	start := time.Now()
	people := make([]*webPerson, c.participants)
	for i := range people {
		people[i] = &webPerson{
			base:    base,
			addr:    fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255+1),
			rng:     rand.New(rand.NewPCG(c.seed, uint64(i))),
			lo:      scaled(c.pauseMin, c.scale),
			hi:      scaled(c.pauseMax, c.scale),
			streams: &streams,
		}
		jar, _ := cookiejar.New(nil)
		people[i].client = &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second}
		// Arrivals spread over the longest pause, as people open a link.
		delay := time.Duration(float64(people[i].hi) * float64(i) / float64(c.participants))
		wg.Go(func() {
			p := people[i]
			p.run(driveCtx, delay)
			mu.Lock()
			res.acks = append(res.acks, p.acks...)
			res.latencies = append(res.latencies, p.latencies...)
			res.actions += p.actions
			res.refused += p.refused
			res.retried += p.retried
			res.answered += p.answered
			mu.Unlock()
		})
	}
	// Count the streams while everyone is in.
	go func() {
		select {
		case <-time.After(min(c.duration/2, people[0].hi+5*time.Second)):
			mu.Lock()
			res.streams = int(streams.Load())
			mu.Unlock()
		case <-driveCtx.Done():
		}
	}()
	wg.Wait()
	res.elapsed = time.Since(start)
	stop()
	slices.Sort(res.acks)
	slices.Sort(res.latencies)
	mu.Lock()
	if res.streams == 0 {
		res.streams = int(streams.Load())
	}
	mu.Unlock()

	db, err := storage.Open(dbPath, storage.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	defer db.Close()
	err = db.ForEachSession(ctx, func(s flows.Session) error {
		if strings.HasPrefix(s.Participant, bot.ChannelWeb+":") {
			res.stored += len(s.Answers)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("web load: %w", err)
	}
	return res, db.Check()
}

// pageAddress reads the address run prints when the page is up.
func pageAddress(ctx context.Context, out io.Reader) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`web chat on (http://\S+/)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- strings.TrimSuffix(m[1], "/")
				return
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			return "", errors.New("the bot ended without serving the page")
		}
		return u, nil
	case <-time.After(30 * time.Second):
		return "", errors.New("the bot printed no page address within 30 s")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// webPerson is one simulated person with the page open.
type webPerson struct {
	base    string
	addr    string // the address the "proxy" names
	client  *http.Client
	rng     *rand.Rand
	lo, hi  time.Duration
	streams *atomic.Int64

	csrf      string
	replies   chan webReply
	acks      []time.Duration
	latencies []time.Duration
	actions   int64
	refused   int64
	retried   int64
	answered  int
	question  int
}

// webReply is one reply event, with what the person acts on.
type webReply struct {
	at      time.Time
	text    string            // the message, tags removed
	options map[string]string // label → token, when it asks something
	asks    bool
}

var (
	choiceRE = regexp.MustCompile(`name="choice" value="([^"]+)">([^<]*)<`)
	tagsRE   = regexp.MustCompile(`<[^>]+>`)
)

func (p *webPerson) run(ctx context.Context, arrival time.Duration) {
	select {
	case <-time.After(arrival):
	case <-ctx.Done():
		return
	}
	p.replies = make(chan webReply, 64)
	if _, ok := p.act(ctx, url.Values{"command": {"start"}}, false); !ok {
		return
	}
	page, err := p.get(ctx, "/")
	if err != nil {
		return
	}
	p.csrf = attr(page, "data-csrf")
	go p.stream(ctx, attr(page, "data-epoch"), attr(page, "data-last"))
	prompt, ok := p.prompt(ctx, parsePrompt(page))
	for ok && ctx.Err() == nil {
		switch {
		case strings.Contains(prompt.text, "Avant de commencer"):
			prompt, ok = p.choose(ctx, prompt, "J'accepte")
		case strings.Contains(prompt.text, "Vous répondez en tant que"):
			prompt, ok = p.choose(ctx, prompt, "Parent")
		case strings.Contains(prompt.text, "académie"):
			prompt, ok = p.choose(ctx, prompt, "Passer")
		case strings.Contains(prompt.text, "Relecture"):
			prompt, ok = p.choose(ctx, prompt, "Valider")
		case strings.Contains(prompt.text, "Question"):
			p.question++
			prompt, ok = p.act(ctx, url.Values{"text": {fmt.Sprintf("Réponse %d, depuis %s : plus de temps pour les élèves.", p.question, p.addr)}}, true)
		case strings.Contains(prompt.text, "Les thèmes"):
			// The menu, also once every theme is validated.
			next := ""
			for label := range prompt.options {
				if !strings.HasPrefix(label, "✓") && (next == "" || label < next) {
					next = label
				}
			}
			if next == "" {
				return // every theme done
			}
			prompt, ok = p.choose(ctx, prompt, next)
		default:
			prompt, ok = p.act(ctx, url.Values{"command": {"menu"}}, false)
		}
	}
}

// prompt returns first if it asks something, else waits for the next
// reply that does.
func (p *webPerson) prompt(ctx context.Context, first webReply) (webReply, bool) {
	if first.asks {
		return first, true
	}
	for {
		select {
		case r := <-p.replies:
			if r.asks {
				return r, true
			}
		case <-ctx.Done():
			return webReply{}, false
		}
	}
}

func (p *webPerson) choose(ctx context.Context, prompt webReply, label string) (webReply, bool) {
	tok, ok := prompt.options[label]
	if !ok {
		return p.act(ctx, url.Values{"command": {"menu"}}, false)
	}
	return p.act(ctx, url.Values{"choice": {tok}}, false)
}

// act pauses as a person does, posts one message as the page's script
// does (retried with the same event id until acknowledged), and waits for
// the next prompt; the first reply after the post is the latency sample.
func (p *webPerson) act(ctx context.Context, form url.Values, answer bool) (webReply, bool) {
	if p.csrf != "" {
		pause := p.lo
		if p.hi > p.lo {
			pause += time.Duration(p.rng.Int64N(int64(p.hi - p.lo)))
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return webReply{}, false
		}
	}
	form.Set("id", uuid())
drain: // nothing is left over from before this action
	for {
		select {
		case <-p.replies:
		default:
			break drain
		}
	}
	t0 := time.Now()
	// Once sent, a message is retried with its id until acknowledged, even
	// as the run ends, so that what is stored is what was acknowledged.
	for attempt := 0; ; attempt++ {
		status, err := p.post(form)
		if err == nil && status == http.StatusOK {
			break
		}
		if err == nil && status != http.StatusTooManyRequests && status < 500 {
			p.refused++
			return webReply{}, false
		}
		if attempt == 5 {
			p.refused++
			return webReply{}, false
		}
		p.retried++
		time.Sleep(min(time.Second<<attempt, 10*time.Second))
	}
	p.acks = append(p.acks, time.Since(t0))
	p.actions++
	if answer {
		p.answered++
	}
	if p.csrf == "" {
		return webReply{}, true // the start: the page is read next
	}
	first := true
	for {
		select {
		case r := <-p.replies:
			if first {
				p.latencies = append(p.latencies, r.at.Sub(t0))
				first = false
			}
			if r.asks {
				return r, true
			}
		case <-ctx.Done():
			return webReply{}, false
		}
	}
}

func (p *webPerson) post(form url.Values) (int, error) {
	req, err := http.NewRequest(http.MethodPost, p.base+"/send", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", p.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", p.addr)
	if p.csrf != "" {
		req.Header.Set("X-CSRF-Token", p.csrf)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (p *webPerson) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Forwarded-For", p.addr)
	resp, err := p.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// stream reads the page's event stream until ctx ends, reconnecting as a
// browser does, with the last event id.
func (p *webPerson) stream(ctx context.Context, epoch, last string) {
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/events?epoch="+url.QueryEscape(epoch)+"&after="+url.QueryEscape(last), nil)
		if err != nil {
			return
		}
		req.Header.Set("X-Forwarded-For", p.addr)
		req.Header.Set("Accept", "text/event-stream")
		if last != "" {
			req.Header.Set("Last-Event-ID", last)
		}
		client := &http.Client{Transport: p.client.Transport, Jar: p.client.Jar}
		resp, err := client.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			p.streams.Add(1)
			last = p.readEvents(resp.Body, last)
			p.streams.Add(-1)
		}
		if resp != nil {
			resp.Body.Close()
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
	}
}

func (p *webPerson) readEvents(body io.Reader, last string) string {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 256<<10), 1<<20)
	var name, data, id string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if name == "reply" {
				var ev struct {
					HTML   string `json:"html"`
					Answer string `json:"answer"`
				}
				if json.Unmarshal([]byte(data), &ev) == nil {
					r := parsePrompt(ev.Answer)
					r.at = time.Now()
					r.text = html.UnescapeString(tagsRE.ReplaceAllString(ev.HTML, " "))
					r.asks = ev.Answer != ""
					select {
					case p.replies <- r:
					default:
					}
				}
				last = id
			}
			name, data = "", ""
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
	return last
}

// parsePrompt reads the option buttons of an answer area (or a page).
func parsePrompt(s string) webReply {
	r := webReply{options: map[string]string{}}
	for _, m := range choiceRE.FindAllStringSubmatch(s, -1) {
		r.options[html.UnescapeString(m[2])] = html.UnescapeString(m[1])
	}
	if i := strings.LastIndex(s, `id="log"`); i >= 0 {
		r.text = html.UnescapeString(tagsRE.ReplaceAllString(s[i:], " "))
		r.asks = len(r.options) > 0 || strings.Contains(s, "<textarea")
	}
	return r
}

// attr returns the value of a data attribute of the page's body.
func attr(page, name string) string {
	m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// uuid returns a random version 4 UUID, as the page's crypto.randomUUID.
func uuid() string {
	b := make([]byte, 16)
	_, _ = crand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
