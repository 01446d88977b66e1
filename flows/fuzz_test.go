package flows

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzReader hands out the fuzz input a byte or a slice at a time, then
// zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) bytes() []byte {
	n := int(r.byte())
	if n > len(r.b) {
		n = len(r.b)
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

var fuzzCommands = []string{
	"/start", "/start theme-2", "/start t9", "/aide", "/menu", "/reprendre",
	"/mes_reponses", "/langue", "/langue en", "/inconnue", "/start@bot acces",
	"/mes_donnees", "/effacer",
}

// FuzzStep feeds sequences of events decoded from the fuzz input through
// Step and checks the invariants of checkStep after every one.
func FuzzStep(f *testing.F) {
	f.Add([]byte("\x00\x02\x00\x02\x00\x02\x00\x00\x0575\x00\x02\x00\x00\x04abcd\x00"))
	small := loadSmall(f)
	def := DefaultQuestionnaire()
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRun(t, small, def, data) })
}

// fuzzRun replays the events encoded in data and returns the final session.
func fuzzRun(t *testing.T, small, def *Questionnaire, data []byte) Session {
	r := &fuzzReader{b: data}
	mode := r.byte()
	q := def
	if mode&1 == 1 {
		q = small
	}
	cfg := Config{MaxText: 64}
	if mode&2 == 2 {
		cfg.ClosesAt = baseTime.Add(3 * time.Hour)
	}
	m := NewMachine(q, cfg)
	s := Session{Participant: "fuzz"}
	if mode&4 == 4 {
		// Start from an arbitrary stored session, as a changed
		// questionnaire or a corrupted record could leave it.
		stages := []Stage{StageNew, StageConsent, StageDeclined, StageProfile, StageAcademie, StageMenu, StageQuestion, StageReview, StageEdit, StagePaused, "bogus"}
		themes := []string{"", "gone", q.Themes[0].ID, q.Themes[len(q.Themes)-1].ID}
		questions := []string{"", "gone", q.Themes[0].Questions[0].ID, q.Themes[len(q.Themes)-1].Questions[0].ID}
		s.Stage = stages[int(r.byte())%len(stages)]
		s.Theme = themes[int(r.byte())%len(themes)]
		s.Question = questions[int(r.byte())%len(questions)]
		s.Prompt = int(int8(r.byte()))
		s.Lang = []string{"", LangFR, LangEN, "xx"}[r.byte()%4]
		if s.Stage != StageNew {
			s.ConsentAt = baseTime
		}
	}
	now := baseTime
	var last, before []Option
	for i := 0; i < 300 && len(r.b) > 0; i++ {
		var ev Event
		switch k := r.byte(); k % 10 {
		case 0, 1, 2, 3: // tap a button of the last prompt, the usual path
			if len(last) > 0 {
				ev = Event{Kind: EventChoice, Token: last[int(r.byte())%len(last)].Token}
			} else {
				ev = Event{Kind: EventCommand, Command: CmdStart}
			}
		case 4:
			ev = Event{Kind: EventText, Text: string(r.bytes())}
		case 5:
			ev, _ = ParseCommand(fuzzCommands[int(r.byte())%len(fuzzCommands)])
		case 6:
			ev = Event{Kind: EventChoice, Token: string(r.bytes())}
		case 7:
			ev = Event{Kind: EventVoice, Voice: &Voice{FileID: string(r.bytes()), Duration: int(int8(r.byte()))}}
			if k&0x80 != 0 {
				ev.Voice = nil
			}
		case 8:
			ev = Event{Kind: EventMedia, Media: "photo"}
		case 9: // a form submitted from the last prompt or the one before
			ev = Event{Kind: EventText, Text: string(r.bytes()), Token: "0.skip"}
			if opts := last; k&0x80 != 0 && len(opts) > 0 {
				ev.Token = opts[0].Token
			} else if len(before) > 0 {
				ev.Token = before[0].Token
			}
		}
		if r.byte()&0x0f == 0 {
			ev.Lang = "en"
		}
		now = now.Add(time.Duration(r.byte()) * time.Minute)
		var replies []Reply
		s, replies = checkStep(t, m, s, ev, now)
		for _, rep := range replies {
			if len(rep.Options) > 0 {
				before, last = last, rep.Options
			}
		}
	}
	return s
}

// TestFuzzSeedsGoDeep checks that the committed seed corpus walks far into
// the conversation, so that mutations start from interesting states.
func TestFuzzSeedsGoDeep(t *testing.T) {
	small, def := loadSmall(t), DefaultQuestionnaire()
	for name, want := range map[string]func(Session) bool{
		"happy-small":    func(s Session) bool { return len(s.Answers) == 4 && len(s.Confirmed) == 2 },
		"happy-default":  func(s Session) bool { return len(s.Answers) == 4 && s.Academie == "Bordeaux" },
		"pause-resume":   func(s Session) bool { return len(s.Answers) >= 1 },
		"refuse-restart": func(s Session) bool { return s.Stage == StageAcademie },
		"closed":         func(s Session) bool { return len(s.Answers) == 1 },
	} {
		raw, err := os.ReadFile("testdata/fuzz/FuzzStep/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(raw)), "[]byte(")
		data, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s := fuzzRun(t, small, def, []byte(data)); !want(s) {
			t.Errorf("seed %s ends at stage %s with %d answers, %d confirmed", name, s.Stage, len(s.Answers), len(s.Confirmed))
		}
	}
}
