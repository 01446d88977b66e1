package organiser

import (
	"context"
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
		s.Lang = flows.LangFR
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
		s.Answers[k] = flows.Answer{Theme: a.theme, Question: a.question, Text: a.text, Voice: a.voice, CreatedAt: created, UpdatedAt: a.at}
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

// fakePoster records the digests it is asked to post; it fails while fail
// is set.
type fakePoster struct {
	mu     sync.Mutex
	posted []posted
	fail   bool
}

type posted struct {
	address string
	d       digest.Digest
	chart   int
}

func (p *fakePoster) PostDigest(_ context.Context, address string, d *digest.Digest, chart []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("platform down")
	}
	p.posted = append(p.posted, posted{address: address, d: *d, chart: len(chart)})
	return nil
}

func (p *fakePoster) list() []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]posted(nil), p.posted...)
}

var _ Poster = (*fakePoster)(nil)

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }
