package flows

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the transcripts' time zones, whatever the host has
)

var update = flag.Bool("update", false, "rewrite testdata transcripts with the bot's current replies")

// baseTime is the fixed clock transcripts start from; every event moves it
// one minute on.
var baseTime = time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)

// TestTranscripts replays every testdata/*.txt conversation and compares
// what the bot says with the "<" and "=" lines of the file. Run with
// -update to rewrite them.
//
// Directives: "> text" says something ("/cmd args" is a command, "[Label]"
// taps the button with that label in the last prompt, "{stale}" taps a
// button of the prompt before it, "{voice 12}", "{photo}" (or another
// media: "{location}", "{contact}"…; "{photo} text" is a photo with its
// caption), "{token X}",
// "{transcript N} text" (the transcript of the Nth voice note arrives),
// "{text "Go-quoted"}", "{long N}", "{form} text" and "{form-stale} text"
// send special events); "! questionnaire small", "! closes RFC3339",
// "! maxtext N", "! timezone Europe/Paris", "! pace 2s" (time between events, a minute by default), "! hint en-GB", "! advance 48h", "! privacy k=v;k=v", "! voice kept,transcribed,deleted" set
// things up; "! state"
// prints the session, "! answers" its answers and "! document" the JSON
// file of the last reply that carried one.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := replay(t, string(data))
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(data) {
				t.Errorf("transcript %s differs (run go test ./flows -update and read the diff):\n%s", file, firstDiff(string(data), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, wl, gl)
		}
	}
	return ""
}

// conversation is the state of a replayed transcript.
type conversation struct {
	t       *testing.T
	q       *Questionnaire
	cfg     Config
	m       *Machine
	s       Session
	now     time.Time
	pace    time.Duration // between events; zero: a minute
	hint    string
	prompts [][]Option // options of every reply that offered some, in order
	voices  int
	doc     *Document // of the last reply that carried one
	later   bool      // events come from a channel that can write later
	out     strings.Builder
}

func replay(t *testing.T, script string) string {
	c := &conversation{t: t, q: DefaultQuestionnaire(), now: baseTime}
	c.s.Participant = "test:1"
	sc := bufio.NewScanner(strings.NewReader(script))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if strings.HasPrefix(l, "<") || strings.HasPrefix(l, "=") {
			continue // regenerated
		}
		c.out.WriteString(l + "\n")
		switch {
		case strings.HasPrefix(l, "> "):
			c.event(line, l[2:])
		case strings.HasPrefix(l, "! "):
			c.directive(line, l[2:])
		}
	}
	return c.out.String()
}

func (c *conversation) machine() *Machine {
	if c.m == nil {
		c.m = NewMachine(c.q, c.cfg)
	}
	return c.m
}

func (c *conversation) directive(line int, d string) {
	name, arg, _ := strings.Cut(d, " ")
	switch name {
	case "questionnaire":
		f, err := os.Open(filepath.Join("testdata", arg+".json"))
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		defer f.Close()
		if c.q, err = LoadQuestionnaire(f); err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.m = nil
	case "closes":
		at, err := time.Parse(time.RFC3339, arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.cfg.ClosesAt, c.m = at, nil
	case "pace":
		d, err := time.ParseDuration(arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.pace = d
	case "timezone":
		loc, err := time.LoadLocation(arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.cfg.Location, c.m = loc, nil
	case "maxtext":
		n, err := strconv.Atoi(arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.cfg.MaxText, c.m = n, nil
	case "privacy":
		// "! privacy controller=Académie de Lyon;contact=dpo@example.org;inactive=90;retention=30"
		for _, kv := range strings.Split(arg, ";") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "controller":
				c.cfg.Privacy.Controller = v
			case "contact":
				c.cfg.Privacy.Contact = v
			case "inactive", "retention":
				n, err := strconv.Atoi(v)
				if err != nil {
					c.t.Fatalf("line %d: %v", line, err)
				}
				if k == "inactive" {
					c.cfg.Privacy.InactiveDays = n
				} else {
					c.cfg.Privacy.RetentionDaysAfterClose = n
				}
			default:
				c.t.Fatalf("line %d: unknown privacy setting %q", line, k)
			}
		}
		c.m = nil
	case "voice":
		c.cfg.Voice = VoiceSettings{}
		for _, v := range strings.Split(arg, ",") {
			switch v {
			case "kept":
				c.cfg.Voice.Kept = true
			case "transcribed":
				c.cfg.Voice.Transcribed = true
			case "deleted":
				c.cfg.Voice.DeletedOnceConfirmed = true
			default:
				c.t.Fatalf("line %d: unknown voice setting %q", line, v)
			}
		}
		c.m = nil
	case "reminders":
		// "! reminders 2": at most 2 reminders, none on Sundays, on a
		// channel that can write later; "! reminders 2 after 1": a day
		// after a pause instead of 3.
		most, after, _ := strings.Cut(arg, " after ")
		n, err := strconv.Atoi(most)
		days := 0
		if err == nil && after != "" {
			days, err = strconv.Atoi(after)
		}
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.cfg.Reminders, c.later, c.m = ReminderSettings{Max: n, AfterDays: days, QuietDays: []time.Weekday{time.Sunday}}, true, nil
	case "at":
		at, err := time.Parse(time.RFC3339, arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.now = at
	case "due":
		r := c.s.Reminders
		fmt.Fprintf(&c.out, "= reminders: offered=%s consent=%s withdrawn=%s due=%s sent=%d\n",
			utc(r.OfferedAt), utc(r.ConsentAt), utc(r.WithdrawnAt), utc(r.Due), r.Sent)
	case "hint":
		c.hint = arg
	case "advance":
		d, err := time.ParseDuration(arg)
		if err != nil {
			c.t.Fatalf("line %d: %v", line, err)
		}
		c.now = c.now.Add(d)
	case "state":
		c.printState()
	case "answers":
		c.printAnswers()
	case "document":
		if c.doc == nil {
			c.t.Fatalf("line %d: no document sent yet", line)
		}
		fmt.Fprintf(&c.out, "= file %s (%s)\n", c.doc.Name, c.doc.MIME)
		for _, l := range strings.Split(strings.TrimRight(string(c.doc.Data), "\n"), "\n") {
			c.out.WriteString("= " + l + "\n")
		}
	default:
		c.t.Fatalf("line %d: unknown directive %q", line, d)
	}
}

func (c *conversation) rel(at time.Time) string {
	if at.IsZero() {
		return "-"
	}
	return "+" + at.Sub(baseTime).String()
}

func (c *conversation) printState() {
	s := c.s
	var confirmed []string
	for th := range s.Confirmed {
		confirmed = append(confirmed, th)
	}
	slices.Sort(confirmed)
	fmt.Fprintf(&c.out, "= stage=%s lang=%s consent=%s profile=%s academie=%s source=%s\n",
		orDash(string(s.Stage)), s.Lang, c.rel(s.ConsentAt), orDash(s.Profile), orDash(s.Academie), orDash(s.Source))
	fmt.Fprintf(&c.out, "= theme=%s question=%s prompt=%d answers=%d confirmed=%s created=%s updated=%s",
		orDash(s.Theme), orDash(s.Question), s.Prompt, len(s.Answers), orDash(strings.Join(confirmed, ",")), c.rel(s.CreatedAt), c.rel(s.UpdatedAt))
	if s.Reviewed != "" {
		fmt.Fprintf(&c.out, " reviewed=%s", s.Reviewed)
	}
	c.out.WriteString("\n")
}

func (c *conversation) printAnswers() {
	keys := make([]string, 0, len(c.s.Answers))
	for k := range c.s.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		c.out.WriteString("= (no answers)\n")
	}
	for _, k := range keys {
		a := c.s.Answers[k]
		v := strconv.Quote(a.Text)
		switch {
		case a.Transcribed():
			v = fmt.Sprintf("voice %s %ds transcribed %q", a.Voice.FileID, a.Voice.Duration, a.Text)
		case a.Voice != nil:
			v = fmt.Sprintf("voice %s %ds", a.Voice.FileID, a.Voice.Duration)
		case a.Choice != "":
			v = "choice " + a.Choice
		}
		fmt.Fprintf(&c.out, "= %s: %s created=%s updated=%s\n", k, v, c.rel(a.CreatedAt), c.rel(a.UpdatedAt))
	}
}

func utc(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// lastOptions returns the options of the latest prompt, or of the one
// before it when back is 1.
func (c *conversation) lastOptions(back int) []Option {
	if i := len(c.prompts) - 1 - back; i >= 0 {
		return c.prompts[i]
	}
	return nil
}

func (c *conversation) event(line int, in string) {
	ev := Event{Kind: EventText, Text: in}
	switch {
	case strings.HasPrefix(in, "[") && strings.HasSuffix(in, "]"):
		label := in[1 : len(in)-1]
		ev = Event{Kind: EventChoice}
		for _, o := range c.lastOptions(0) {
			if o.Label == label {
				ev.Token = o.Token
			}
		}
		if ev.Token == "" {
			c.t.Fatalf("line %d: no button %q in the last prompt %v", line, label, c.lastOptions(0))
		}
	case strings.HasPrefix(in, "{"):
		end := strings.Index(in, "}")
		if end < 0 {
			c.t.Fatalf("line %d: unclosed {", line)
		}
		name, arg, _ := strings.Cut(in[1:end], " ")
		rest := strings.TrimPrefix(in[end+1:], " ")
		switch name {
		case "stale":
			ev = Event{Kind: EventChoice, Token: "0.menu"}
			if opts := c.lastOptions(1); len(opts) > 0 {
				ev.Token = opts[0].Token
			}
		case "voice":
			c.voices++
			n, _ := strconv.Atoi(arg)
			ev = Event{Kind: EventVoice, Voice: &Voice{FileID: fmt.Sprintf("voice-%d", c.voices), Duration: n}}
		case "transcript":
			// The transcript of the Nth voice note, for the answer that
			// holds it (or for none, if it is gone).
			id := "voice-" + arg
			ev = Event{Kind: EventTranscript, Text: rest, Voice: &Voice{FileID: id}, Theme: "gone", Question: "gone"}
			for _, a := range c.s.Answers {
				if a.Voice != nil && a.Voice.FileID == id {
					ev.Theme, ev.Question = a.Theme, a.Question
				}
			}
		case "reminder":
			ev = Event{Kind: EventReminder}
		case "unreachable":
			ev = Event{Kind: EventUnreachable}
		case MediaPhoto, MediaSticker, MediaDocument, MediaLocation, MediaContact, MediaPoll, MediaDice:
			ev = Event{Kind: EventMedia, Media: name}
			if rest != "" {
				// A caption: the text sent with the file.
				ev = Event{Kind: EventText, Text: rest, Media: name}
			}
		case "token":
			ev = Event{Kind: EventChoice, Token: arg}
		case "text":
			s, err := strconv.Unquote(arg)
			if err != nil {
				c.t.Fatalf("line %d: %v", line, err)
			}
			ev = Event{Kind: EventText, Text: s}
		case "long":
			n, _ := strconv.Atoi(arg)
			ev = Event{Kind: EventText, Text: strings.Repeat("é", n)}
		case "form", "form-stale":
			back := 0
			if name == "form-stale" {
				back = 1
			}
			ev = Event{Kind: EventText, Text: rest, Token: "0.back"}
			if opts := c.lastOptions(back); len(opts) > 0 {
				ev.Token = opts[0].Token
			}
		default:
			c.t.Fatalf("line %d: unknown event {%s}", line, name)
		}
	default:
		if cmd, ok := ParseCommand(in); ok {
			ev = cmd
		}
	}
	ev.Lang = c.hint
	ev.Later = c.later
	if c.pace == 0 {
		c.pace = time.Minute
	}
	c.now = c.now.Add(c.pace)
	prev := c.s.Prompt
	var replies []Reply
	c.s, replies = c.machine().Step(c.s, ev, c.now)
	if c.s.Prompt < prev {
		c.t.Errorf("line %d: prompt went back from %d to %d", line, prev, c.s.Prompt)
	}
	for i, r := range replies {
		if i > 0 {
			c.out.WriteString("< ---\n")
		}
		c.render(r)
		if len(r.Options) > 0 {
			c.prompts = append(c.prompts, r.Options)
		}
	}
}

func (c *conversation) render(r Reply) {
	if r.Replaces {
		c.out.WriteString("<   (in place of the tapped message)\n")
	}
	if r.Lead != "" {
		for _, l := range strings.Split(r.Lead, "\n") {
			c.out.WriteString(strings.TrimRight("< "+l, " ") + "\n")
		}
	}
	if rc := r.Recap; rc != nil {
		if rc.Title != "" {
			fmt.Fprintf(&c.out, "< *%s*\n", rc.Title)
		}
		for _, l := range strings.Split(rc.Text, "\n") {
			c.out.WriteString(strings.TrimRight("< "+l, " ") + "\n")
		}
		c.out.WriteString("< ──────────\n")
	}
	if r.Title != "" {
		fmt.Fprintf(&c.out, "< *%s*\n", r.Title)
	}
	if r.Text != "" {
		for _, l := range strings.Split(r.Text, "\n") {
			c.out.WriteString(strings.TrimRight("< "+l, " ") + "\n")
		}
	}
	for _, o := range r.Options {
		fmt.Fprintf(&c.out, "<   [%s]\n", o.Label)
	}
	if r.Expect == ExpectText {
		fmt.Fprintf(&c.out, "<   (text expected: %q, at most %d characters)\n", r.Field, r.MaxLen)
	}
	if r.Document != nil {
		fmt.Fprintf(&c.out, "<   (file %s, %d bytes)\n", r.Document.Name, len(r.Document.Data))
		c.doc = r.Document
	}
}
