package organiser

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "consult.db")
	}
	db, err := storage.Open(path, storage.Options{ExportChunk: 3, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			t.Errorf("check: %v", err)
		}
		db.Close()
	})
	return db
}

// answerOpt describes one answer written by put.
type answerOpt struct {
	participant, channel, profile, academie, source string
	theme, question, text                           string
	choice                                          string // the option's id, for a choice question
	lang                                            string // flows.LangFR when empty
	voice                                           *flows.Voice
	at                                              time.Time
}

var eventSeq int

// put stores one answer through storage.Apply, as the engine would, and
// returns its id.
func put(t *testing.T, db *storage.DB, a answerOpt) uint64 {
	t.Helper()
	if a.channel == "" {
		a.channel = bot.ChannelTelegram
	}
	eventSeq++
	in := bot.Inbound{ID: fmt.Sprintf("ev-%d", eventSeq), Channel: a.channel, Participant: a.participant, Address: "chat",
		Event: flows.Event{Kind: flows.EventText, Text: a.text}}
	_, err := db.Apply(context.Background(), in, a.at, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Stage = flows.StageQuestion
		s.Lang = cmp.Or(a.lang, flows.LangFR)
		s.Profile, s.Academie, s.Source = a.profile, a.academie, a.source
		if s.Answers == nil {
			s.Answers = map[string]flows.Answer{}
		}
		k := flows.AnswerKey(a.theme, a.question)
		old, ok := s.Answers[k]
		created := a.at
		if ok {
			created = old.CreatedAt
		}
		s.Answers[k] = flows.Answer{Theme: a.theme, Question: a.question, Text: a.text, Choice: a.choice, Voice: a.voice, CreatedAt: created, UpdatedAt: a.at}
		s.Theme, s.Question = a.theme, a.question
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.AnswersByQuestion(a.theme, a.question)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range list {
		if got.Participant == a.participant {
			return got.ID
		}
	}
	t.Fatalf("answer of %s not stored", a.participant)
	return 0
}

// fakeOutbox runs the commits the Service hands it and keeps the replies
// they put in the outbox, as the engine would before delivering them.
type fakeOutbox struct {
	mu        sync.Mutex
	outs      []bot.Outgoing
	campaigns int // campaigns confirmed through StartCampaign
}

func (o *fakeOutbox) Commit(ctx context.Context, commit func(context.Context) ([]bot.Outgoing, error)) error {
	outs, err := commit(ctx)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.outs = append(o.outs, outs...)
	o.mu.Unlock()
	return nil
}

func (o *fakeOutbox) StartCampaign(ctx context.Context, start func(context.Context) error) error {
	if err := start(ctx); err != nil {
		return err
	}
	o.mu.Lock()
	o.campaigns++
	o.mu.Unlock()
	return nil
}

var _ Outbox = (*fakeOutbox)(nil)

// fakePoster renders a result as its Text and a digest as its JSON (in
// Markup), with its chart; its digest addresses fail while fail is set.
// list reads the digests that reached the outbox.
type fakePoster struct {
	channel string
	ob      *fakeOutbox
	fail    bool
}

type posted struct {
	address string
	d       digest.Digest
	chart   int
}

func (p *fakePoster) DigestAddress(id string) (string, error) {
	if p.fail {
		return "", errors.New("cannot render")
	}
	return id, nil
}

func (p *fakePoster) Render(out bot.Outgoing, res Result, lang string) bot.Outgoing {
	out.Reply.Title, out.Reply.Text = res.Title, res.Text
	if res.Digest != nil {
		b, err := json.Marshal(res.Digest)
		if err != nil {
			panic(err)
		}
		out.Markup = []string{string(b)}
		out.Image = &bot.Image{Name: "c.png", Data: res.Chart}
	}
	return out
}

func (p *fakePoster) list() []posted {
	p.ob.mu.Lock()
	defer p.ob.mu.Unlock()
	var list []posted
	for _, o := range p.ob.outs {
		if o.Channel != p.channel || len(o.Markup) == 0 {
			continue
		}
		var d digest.Digest
		if err := json.Unmarshal([]byte(o.Markup[0]), &d); err != nil {
			panic(err)
		}
		list = append(list, posted{address: o.Address, d: d, chart: len(o.Image.Data)})
	}
	return list
}

var _ Renderer = (*fakePoster)(nil)

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }
