package bot_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/storage"
)

const floodNoticeFR = "Vous envoyez beaucoup de messages d'un coup : je les traite dans l'ordre, un instant…"

// floodEngine starts an engine with flood control on the Telegram channel
// over db; the cleanup closes the engine only.
func floodEngine(t *testing.T, db *storage.DB, burst int, rate float64) (*bot.Engine, *recorder) {
	t.Helper()
	rec := &recorder{}
	eng := bot.New(db, historyStep(), nil)
	eng.SetClock(func() time.Time { return t0 })
	eng.SetRetry(time.Millisecond, 4*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, rec)
	if err := eng.SetFlood(bot.FloodLimit{Burst: burst, Rate: rate, Channels: []string{bot.ChannelTelegram}}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng, rec
}

func closeEngine(t *testing.T, eng *bot.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Close(ctx); err != nil {
		t.Errorf("close engine: %v", err)
	}
}

// history is the participant's applied events, in order.
func history(t *testing.T, db *storage.DB, participant string) []string {
	t.Helper()
	s, _, err := db.Session(participant)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(s.Source, ","), ",")
}

func texts(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprint(prefix, i))
	}
	return out
}

func TestFloodHoldsBackAppliesInOrderAndSparesOthers(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "consult.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, db)
	// 90 held events drain in over two seconds at 40/s: far longer than
	// committing them, so the backlog does not empty midway and the
	// person is told once.
	eng, rec := floodEngine(t, db, 10, 40)
	defer closeEngine(t, eng)
	// The burst is spent by the first ten events, not by how fast this
	// machine commits them.
	thaw := eng.FreezeFloodClock()

	const flooder, calm = "telegram:flooder", "telegram:calm"
	for i := range 100 {
		res := handle(t, eng, inbound(fmt.Sprint("f", i), flooder, fmt.Sprint("m", i)))
		if res.Duplicate {
			t.Fatalf("event %d reported duplicate", i)
		}
		if i == 50 {
			// Someone else, in the middle of the flood, is answered at once.
			for j := range 3 {
				handle(t, eng, inbound(fmt.Sprint("c", j), calm, fmt.Sprint("c", j)))
				if got, want := history(t, db, calm), texts("c", 0, j+1); !slices.Equal(got, want) {
					t.Fatalf("calm participant's events after %d: %q, want %q applied at once", j, got, want)
				}
			}
		}
	}
	// Redelivering a held event changes nothing.
	if res := handle(t, eng, inbound("f99", flooder, "m99")); !res.Duplicate {
		t.Error("a held event delivered again was not a duplicate")
	}
	if got := history(t, db, flooder); len(got) >= 100 {
		t.Fatalf("all 100 events applied at once (%d): nothing was held back", len(got))
	}
	thaw()
	waitFor(t, "every held event applied", func() bool { return len(history(t, db, flooder)) == 100 })
	if got, want := history(t, db, flooder), texts("m", 0, 100); !slices.Equal(got, want) {
		t.Fatalf("applied out of order:\n got %q\nwant %q", got, want)
	}

	addr := "chat:" + flooder
	waitFor(t, "every reply delivered", func() bool { return len(rec.texts(addr)) == 201 })
	// The notice comes once, once the burst of 10 is spent (a token may
	// come back while the burst is committed, on a slow machine), and the
	// replies keep their order around it.
	var want []string
	for i := range 100 {
		want = append(want, fmt.Sprintf("m%d/a", i), fmt.Sprintf("m%d/b", i))
	}
	got := rec.texts(addr)
	at := slices.Index(got, floodNoticeFR)
	if at < 20 || at%2 != 0 || slices.Contains(got[at+1:], floodNoticeFR) {
		t.Errorf("flood notice at %d in %q; want it once, after the 10 messages of the burst", at, got)
	}
	if at >= 0 {
		got = slices.Delete(got, at, at+1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("replies to the flooder:\n got %q\nwant %q", got, want)
	}
	if got := rec.texts("chat:" + calm); slices.Contains(got, floodNoticeFR) || len(got) != 6 {
		t.Errorf("replies to the calm participant: %q", got)
	}
}

func TestFloodBacklogSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consult.db")
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	const p = "telegram:p"
	// Burst 2 then 5/s: 28 events held, a few applied before the stop.
	eng, _ := floodEngine(t, db, 2, 5)
	for i := range 30 {
		handle(t, eng, inbound(fmt.Sprint("e", i), p, fmt.Sprint("m", i)))
	}
	waitFor(t, "a few held events applied", func() bool { return len(history(t, db, p)) >= 4 })
	closeEngine(t, eng)
	held, err := db.Held(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	applied := len(history(t, db, p))
	if held[p] == 0 || held[p]+applied != 30 {
		t.Fatalf("after the stop: %d applied, %d held; want some held and 30 in all", applied, held[p])
	}
	checkClose(t, db)

	db, err = storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, db)
	eng, _ = floodEngine(t, db, 2, 1000)
	defer closeEngine(t, eng)
	// A redelivery of an event held before the restart is still a
	// duplicate; a new event goes after the backlog.
	if res := handle(t, eng, inbound("e29", p, "m29")); !res.Duplicate {
		t.Error("an event held before the restart, delivered again, was not a duplicate")
	}
	handle(t, eng, inbound("e30", p, "m30"))
	waitFor(t, "the backlog applied after the restart", func() bool { return len(history(t, db, p)) == 31 })
	if got, want := history(t, db, p), texts("m", 0, 31); !slices.Equal(got, want) {
		t.Fatalf("applied:\n got %q\nwant %q", got, want)
	}
	if held, _ := db.Held(context.Background()); len(held) != 0 {
		t.Errorf("backlog left after draining: %v", held)
	}
}

func TestFloodSkipsUnlimitedChannels(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	eng := bot.New(db, historyStep(), nil)
	eng.AddSender(bot.ChannelTerminal, &recorder{})
	if err := eng.SetFlood(bot.FloodLimit{Burst: 1, Rate: 0.001, Channels: []string{bot.ChannelTelegram}}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer closeEngine(t, eng)
	for i := range 20 {
		in := inbound(fmt.Sprint("t", i), "terminal:camille", fmt.Sprint("m", i))
		in.Channel = bot.ChannelTerminal
		handle(t, eng, in)
	}
	if got := history(t, db, "terminal:camille"); len(got) != 20 {
		t.Errorf("terminal events applied at once: %d of 20", len(got))
	}
}

// permanentErr is a refusal no retry changes.
type permanentErr struct{}

func (permanentErr) Error() string   { return "bot was blocked by the user" }
func (permanentErr) Permanent() bool { return true }

// blockingSender refuses one address for good and records the others.
type blockingSender struct {
	recorder
	blocked  string
	refusals int
}

func (b *blockingSender) Send(ctx context.Context, out bot.Outgoing) error {
	if out.Address == b.blocked {
		b.mu.Lock()
		b.refusals++
		b.mu.Unlock()
		return fmt.Errorf("send: %w", permanentErr{})
	}
	return b.recorder.Send(ctx, out)
}

func TestPermanentRefusalMovesReplyOutOfOutbox(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "consult.db"))
	defer checkClose(t, db)
	snd := &blockingSender{blocked: "chat:telegram:gone"}
	eng := bot.New(db, historyStep(), nil)
	eng.SetRetry(time.Millisecond, 4*time.Millisecond)
	eng.AddSender(bot.ChannelTelegram, snd)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer closeEngine(t, eng)
	handle(t, eng, inbound("g1", "telegram:gone", "hello"))
	handle(t, eng, inbound("o1", "telegram:ok", "hi"))
	waitFor(t, "outbox emptied", func() bool { return pendingCount(t, db) == 0 })
	list, err := db.Undeliverable()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("undeliverable records: %+v, want the two replies to the blocked chat", list)
	}
	for _, u := range list {
		if u.Participant != "telegram:gone" || u.EventID != "g1" || !strings.Contains(u.Reason, "blocked") {
			t.Errorf("undeliverable record %+v", u)
		}
	}
	snd.mu.Lock()
	refusals := snd.refusals
	snd.mu.Unlock()
	if refusals != 2 {
		t.Errorf("the blocked chat was tried %d times, want once per reply", refusals)
	}
	if got := snd.texts("chat:telegram:ok"); !slices.Equal(got, []string{"hi/a", "hi/b"}) {
		t.Errorf("others' replies: %q", got)
	}
}

// BenchmarkFloodOneParticipant compares, for one participant sending as
// fast as commits go, applying every event with holding all of them back
// (what a flood costs the Telegram poll loop per update).
func BenchmarkFloodOneParticipant(b *testing.B) {
	for _, held := range []bool{false, true} {
		b.Run(fmt.Sprintf("held=%v", held), func(b *testing.B) {
			db, err := storage.Open(filepath.Join(b.TempDir(), "consult.db"), storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			eng := bot.New(db, historyStep(), nil)
			eng.AddSender(bot.ChannelTelegram, &recorder{})
			if held {
				// One event, then (practically) never another token.
				if err := eng.SetFlood(bot.FloodLimit{Burst: 1, Rate: 1e-9, Channels: []string{bot.ChannelTelegram}}); err != nil {
					b.Fatal(err)
				}
			}
			if err := eng.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if _, err := eng.Handle(ctx, inbound(fmt.Sprint("b", i), "telegram:bench", "x")); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := eng.Close(ctx); err != nil {
				b.Error(err)
			}
		})
	}
}

// TestSetFloodRefusesNaNAndInfiniteRates: NaN passes "rate <= 0", and a
// NaN rate turned flood control off without a word.
func TestSetFloodRefusesNaNAndInfiniteRates(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "flood.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng := bot.New(db, historyStep(), nil)
	for _, rate := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0} {
		if err := eng.SetFlood(bot.FloodLimit{Burst: 10, Rate: rate, Channels: []string{bot.ChannelTelegram}}); err == nil {
			t.Errorf("SetFlood accepted rate %v", rate)
		}
	}
}

// TestEventBehindAnotherReplicasBacklogWaitsItsTurn: replicas that each
// apply events share the backlogs; an event of a person whose earlier
// events another replica's flood control held is held behind them
// (storage HoldBehindBacklog), and this engine drains the backlog: every
// event applied once, in arrival order, each reply delivered.
func TestEventBehindAnotherReplicasBacklogWaitsItsTurn(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "consult.db"), storage.Options{NoSync: true, HoldBehindBacklog: true})
	if err != nil {
		t.Fatal(err)
	}
	defer checkClose(t, db)
	eng, rec := floodEngine(t, db, 10, 40)
	defer closeEngine(t, eng)
	const p = "telegram:p"
	// The other replica held two of their events back.
	for i := range 2 {
		if _, err := db.Hold(context.Background(), inbound(fmt.Sprint("held", i), p, fmt.Sprint("m", i)), t0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if res := handle(t, eng, inbound("new", p, "m2")); !res.Held {
		t.Fatalf("the newer event was not held behind the backlog: %+v", res)
	}
	waitFor(t, "the backlog applied", func() bool { return len(rec.texts("")) == 6 })
	if got, want := history(t, db, p), texts("m", 0, 3); !slices.Equal(got, want) {
		t.Errorf("applied %q, want %q", got, want)
	}
}
