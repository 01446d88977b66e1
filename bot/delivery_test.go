package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/storage"
)

// policySender delivers what fail lets through (fail returns nil), and
// records it.
type policySender struct {
	mu       sync.Mutex
	fail     func(out bot.Outgoing) error
	sent     []bot.Outgoing
	attempts map[uint64]int
}

func (p *policySender) Send(ctx context.Context, out bot.Outgoing) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attempts == nil {
		p.attempts = map[uint64]int{}
	}
	p.attempts[out.Seq]++
	if p.fail != nil {
		if err := p.fail(out); err != nil {
			return err
		}
	}
	p.sent = append(p.sent, out)
	return nil
}

func (p *policySender) delivered(address string) []bot.Outgoing {
	p.mu.Lock()
	defer p.mu.Unlock()
	var list []bot.Outgoing
	for _, o := range p.sent {
		if o.Address == address {
			list = append(list, o)
		}
	}
	return list
}

func (p *policySender) setFail(f func(bot.Outgoing) error) {
	p.mu.Lock()
	p.fail = f
	p.mu.Unlock()
}

// sendErr is a Sender error with the methods the policy reads.
type sendErr struct {
	msg        string
	permanent  bool
	file       bool
	retryAfter time.Duration
}

func (e sendErr) Error() string             { return e.msg }
func (e sendErr) Permanent() bool           { return e.permanent }
func (e sendErr) Attachment() bool          { return e.file }
func (e sendErr) RetryAfter() time.Duration { return e.retryAfter }
func (e sendErr) Status() int               { return 500 }

// dataStep answers "data" with the participant's file, anything else
// with an echo, as flows does for /mes_donnees.
func dataStep() bot.Stepper {
	return stepper(func(s flows.Session, ev flows.Event, now time.Time) (flows.Session, []flows.Reply) {
		s.UpdatedAt = now
		if ev.Text == "data" {
			return s, []flows.Reply{{Text: "Voici vos données.", Document: &flows.Document{
				Name: "mes-donnees.json", MIME: "application/json", Data: []byte(`{"answers":["plus de temps"]}`),
			}}}
		}
		return s, []flows.Reply{{Text: ev.Text + "/ok"}}
	})
}

// policyEngine starts an engine over the database at path with budget.
func policyEngine(t *testing.T, path string, st bot.Stepper, snd bot.Sender, budget time.Duration) (*bot.Engine, *storage.DB) {
	t.Helper()
	db := openDB(t, path)
	eng := bot.New(db, st, nil)
	eng.SetRetry(time.Millisecond, 20*time.Millisecond)
	eng.SetBudget(budget)
	eng.AddSender(bot.ChannelTelegram, snd)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng, db
}

func stopEngine(t *testing.T, eng *bot.Engine, db *storage.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Close(ctx); err != nil {
		t.Errorf("close engine: %v", err)
	}
	checkClose(t, db)
}

func undeliverable(t *testing.T, db *storage.DB) []storage.UndeliverableReply {
	t.Helper()
	list, err := db.Undeliverable()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestRefusedFileGoesAsTextAndTheNextReplyIsNotHeld: the platform keeps
// failing uploads while text goes (HTTP 500 on sendDocument); the data
// arrive as text within the budget, the next reply follows, and the
// degraded form is what a restart resumes.
func TestRefusedFileGoesAsTextAndTheNextReplyIsNotHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	snd := &policySender{}
	snd.setFail(func(out bot.Outgoing) error {
		if out.Reply.Document != nil {
			return sendErr{msg: "sendDocument: http 500", file: true}
		}
		return nil
	})
	// A budget far longer than the test: the file degrades after two
	// failed uploads, not because time ran out.
	eng, db := policyEngine(t, path, dataStep(), snd, time.Hour)
	handle(t, eng, inbound("d1", "telegram:1", "data"))
	handle(t, eng, inbound("e1", "telegram:1", "/effacer"))
	addr := "chat:telegram:1"
	waitFor(t, "both replies", func() bool { return len(snd.delivered(addr)) == 2 })
	got := snd.delivered(addr)
	data := got[0]
	if data.Reply.Document != nil || data.Reply.Text != "Voici vos données." || !slices.Equal(data.Plain, []string{`{"answers":["plus de temps"]}`}) {
		t.Errorf("data reply delivered as %+v, want its text and the JSON as plain text", data)
	}
	if got[1].Reply.Text != "/effacer/ok" {
		t.Errorf("next reply = %q", got[1].Reply.Text)
	}
	if n := len(undeliverable(t, db)); n != 0 {
		t.Errorf("%d undeliverable replies, want none", n)
	}
	stopEngine(t, eng, db)

	// Degraded then interrupted: a restart sends the text form, and never
	// tries the upload again.
	path2 := filepath.Join(t.TempDir(), "consult.db")
	down := &policySender{}
	down.setFail(func(out bot.Outgoing) error {
		if out.Reply.Document != nil {
			return sendErr{msg: "upload refused", permanent: true, file: true}
		}
		return sendErr{msg: "platform down"}
	})
	eng, db = policyEngine(t, path2, dataStep(), down, time.Hour)
	handle(t, eng, inbound("d1", "telegram:1", "data"))
	waitFor(t, "a text attempt", func() bool {
		down.mu.Lock()
		defer down.mu.Unlock()
		return down.attempts[1] >= 2
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkClose(t, db)
	up := &policySender{}
	up.setFail(func(out bot.Outgoing) error {
		if out.Reply.Document != nil {
			return errors.New("the upload was tried again after the restart")
		}
		return nil
	})
	eng, db = policyEngine(t, path2, dataStep(), up, time.Hour)
	defer stopEngine(t, eng, db)
	waitFor(t, "the text form after the restart", func() bool { return len(up.delivered(addr)) == 1 })
	if d := up.delivered(addr)[0]; d.Reply.Document != nil || len(d.Plain) != 1 {
		t.Errorf("after the restart delivered %+v", d)
	}
}

// TestPictureRefusedForGoodLeavesItsNote: a permanent refusal of the
// picture degrades at once: the note and the text go, nothing waits.
func TestPictureRefusedForGoodLeavesItsNote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	snd := &policySender{}
	snd.setFail(func(out bot.Outgoing) error {
		if out.Image != nil && out.Image.Data != nil {
			return sendErr{msg: "sendPhoto: http 400: wrong file", permanent: true, file: true}
		}
		return nil
	})
	eng, db := policyEngine(t, path, dataStep(), snd, time.Hour)
	defer stopEngine(t, eng, db)
	err := eng.Post(context.Background(), bot.Outgoing{
		Channel: bot.ChannelTelegram, Address: "-500", EventID: "digest:1",
		Image:  &bot.Image{Name: "synthese.png", Data: []byte("\x89PNG"), Caption: "chart", Note: "(graphique indisponible)"},
		Markup: []string{"<b>Synthèse</b>", "suite"},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the digest", func() bool { return len(snd.delivered("-500")) == 1 })
	d := snd.delivered("-500")[0]
	if d.Image == nil || d.Image.Data != nil || d.Image.Note != "(graphique indisponible)" || len(d.Markup) != 2 || d.Seq == 0 {
		t.Errorf("digest delivered as %+v, want its text with the note instead of the chart", d)
	}
	snd.mu.Lock()
	attempts := snd.attempts[d.Seq]
	snd.mu.Unlock()
	if attempts != 2 {
		t.Errorf("%d attempts, want the refused one and the degraded one", attempts)
	}
}

// TestReplyFailingPastItsBudgetIsSetAside: a reply the platform keeps
// failing is given up once its budget is spent, recorded as undeliverable,
// and the replies behind it, and everyone else's, go.
func TestReplyFailingPastItsBudgetIsSetAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	snd := &policySender{}
	snd.setFail(func(out bot.Outgoing) error {
		if out.Reply.Text == "poison/ok" {
			return sendErr{msg: "http 502: <html>"}
		}
		return nil
	})
	eng, db := policyEngine(t, path, dataStep(), snd, 300*time.Millisecond)
	defer stopEngine(t, eng, db)
	handle(t, eng, inbound("p1", "telegram:1", "poison"))
	handle(t, eng, inbound("p2", "telegram:1", "next"))
	handle(t, eng, inbound("o1", "telegram:2", "other"))
	waitFor(t, "the next reply", func() bool { return len(snd.delivered("chat:telegram:1")) == 1 })
	if got := snd.delivered("chat:telegram:1")[0].Reply.Text; got != "next/ok" {
		t.Errorf("delivered %q", got)
	}
	if got := snd.delivered("chat:telegram:2"); len(got) != 1 {
		t.Errorf("the other participant got %d replies", len(got))
	}
	list := undeliverable(t, db)
	if len(list) != 1 || list[0].EventID != "p1" || !strings.Contains(list[0].Reason, "not delivered within 300ms") || !strings.Contains(list[0].Reason, "502") {
		t.Errorf("undeliverable = %+v, want the poison reply with its last error", list)
	}
	snd.mu.Lock()
	attempts := snd.attempts[list[0].Seq]
	snd.mu.Unlock()
	if attempts < 3 {
		t.Errorf("given up after %d attempts, want several within the budget", attempts)
	}
	waitFor(t, "an empty outbox", func() bool { return pendingCount(t, db) == 0 })
}

// TestAskedWaitsDoNotSpendTheBudget: a platform asking to wait (429) makes
// the reply wait, however long against the budget, and it is delivered.
func TestAskedWaitsDoNotSpendTheBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	snd := &policySender{}
	n := 0
	snd.setFail(func(out bot.Outgoing) error {
		n++
		switch n {
		case 1:
			return sendErr{msg: "http 500"}
		case 2, 3:
			return sendErr{msg: "http 429", retryAfter: 150 * time.Millisecond}
		}
		return nil
	})
	eng, db := policyEngine(t, path, dataStep(), snd, 200*time.Millisecond)
	defer stopEngine(t, eng, db)
	handle(t, eng, inbound("w1", "telegram:1", "wait"))
	waitFor(t, "the reply", func() bool { return len(snd.delivered("chat:telegram:1")) == 1 })
	if list := undeliverable(t, db); len(list) != 0 {
		t.Errorf("undeliverable: %+v", list)
	}
}

// TestRedirectWhenTheAddressRefusesForGood: a reply whose address refuses
// it for good goes to its Instead address as a short note.
func TestRedirectWhenTheAddressRefusesForGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	snd := &policySender{}
	snd.setFail(func(out bot.Outgoing) error {
		if out.Address == "900" {
			return sendErr{msg: "http 403: bot can't initiate conversation with a user", permanent: true}
		}
		return nil
	})
	eng, db := policyEngine(t, path, dataStep(), snd, time.Hour)
	defer stopEngine(t, eng, db)
	err := eng.Post(context.Background(), bot.Outgoing{
		Channel: bot.ChannelTelegram, Address: "900", Participant: "telegram:orga", EventID: "u1",
		Reply:   flows.Reply{Text: "#12 « une citation »"},
		Instead: &bot.Redirect{Address: "-100:7", Text: "Ouvrez une conversation privée avec moi."},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the note", func() bool { return len(snd.delivered("-100:7")) == 1 })
	note := snd.delivered("-100:7")[0]
	if note.Reply.Text != "Ouvrez une conversation privée avec moi." || note.Image != nil || len(note.Markup) != 0 {
		t.Errorf("note = %+v", note)
	}
	if len(snd.delivered("900")) != 0 || len(undeliverable(t, db)) != 0 {
		t.Error("the refused reply was delivered or recorded undeliverable")
	}
	waitFor(t, "an empty outbox", func() bool { return pendingCount(t, db) == 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := eng.Post(context.Background(), bot.Outgoing{Channel: bot.ChannelTelegram, Address: "1"}); !errors.Is(err, bot.ErrClosed) {
		t.Errorf("Post after Close: %v, want ErrClosed", err)
	}
}

func TestExcerptShowsAPageTitleOrTheStart(t *testing.T) {
	for body, want := range map[string]string{
		"<html>\r\n<head><title>502 Bad Gateway</title></head><body>nginx</body></html>": `"502 Bad Gateway"`,
		"upstream\nconnect error   or disconnect":                                        `"upstream connect error or disconnect"`,
		"":                       "(empty body)",
		strings.Repeat("é", 100): `"` + strings.Repeat("é", 80) + `…"`,
	} {
		if got := bot.Excerpt([]byte(body)); got != want {
			t.Errorf("Excerpt(%.30q) = %s, want %s", body, got, want)
		}
	}
}
