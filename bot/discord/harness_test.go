package discord_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/storage"
)

const wait = 10 * time.Second

// pid is the participant id of a Discord user, as the adapter stores it
// (the harness gives the adapter no id key).
func pid(u discordtest.User) string {
	return bot.ParticipantID(bot.ChannelDiscord, u.ID, nil)
}

// harness runs the real engine, storage and flows behind the adapter,
// against the fake Discord.
type harness struct {
	t      *testing.T
	srv    *discordtest.Server
	dbPath string
	db     *storage.DB
	eng    *bot.Engine
	ad     *discord.Adapter
	cancel context.CancelFunc
	done   chan error
	opts   func(*discord.Options)
	// clicked is when the last button was clicked: a message edited
	// since (the tapped prompt turned into the next) is new to await.
	clicked time.Time
	// failing makes every event fail to commit, as a broken store would.
	failing atomic.Bool
	// handling, when set, is called as each event reaches the engine.
	handling func(in bot.Inbound)
	// machine, when set, is the conversation; setup, when set, is called
	// on the engine before it starts (campaigns, a clock).
	machine *flows.Machine
	setup   func(*bot.Engine, *storage.DB)
}

// failable is the engine, failing while h.failing is set.
type failable struct{ h *harness }

func (f failable) Handle(ctx context.Context, in bot.Inbound) (bot.Applied, error) {
	if f.h.handling != nil {
		f.h.handling(in)
	}
	if f.h.failing.Load() {
		return bot.Applied{}, errors.New("store unavailable")
	}
	return f.h.eng.Handle(ctx, in)
}

// Lang reads the session's language, whether or not commits fail.
func (f failable) Lang(participant string) string { return f.h.eng.Lang(participant) }

func newHarness(t *testing.T, srvOpts discordtest.Options, opts func(*discord.Options)) *harness {
	t.Helper()
	srv := discordtest.NewServer(srvOpts)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { checkContract(t, srv.Requests()) })
	h := &harness{t: t, srv: srv, dbPath: filepath.Join(t.TempDir(), "consult.db"), opts: opts}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// start opens the database, the engine and the adapter, and waits until
// the bot is connected and its commands registered.
func (h *harness) start() {
	t := h.t
	t.Helper()
	db, err := storage.Open(h.dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.db = db
	logger := testLogger(t)
	m := h.machine
	if m == nil {
		m = flows.NewMachine(nil, flows.Config{MaxText: 1500})
	}
	h.eng = bot.New(db, m, logger)
	h.eng.SetRetry(20*time.Millisecond, 200*time.Millisecond)
	if h.setup != nil {
		h.setup(h.eng, db)
	}
	opts := discord.Options{
		Token:         h.srv.Token,
		ApplicationID: h.srv.AppID,
		APIBase:       h.srv.URL + "/api/v9",
		GuildIDs:      []string{h.srv.GuildID},
		Logger:        logger,
	}
	if h.opts != nil {
		h.opts(&opts)
	}
	ad, err := discord.New(failable{h}, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.ad = ad
	h.eng.AddSender(bot.ChannelDiscord, ad)
	if err := h.eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	before := h.srv.Identifies()
	go func() { h.done <- ad.Run(ctx) }()
	if err := h.srv.Wait(wait, func() bool { return h.srv.Identifies() > before && h.srv.Connected() }); err != nil {
		t.Fatalf("bot did not connect: %v", err)
	}
	if _, err := h.srv.WaitCommands(h.srv.GuildID, wait); err != nil {
		t.Fatalf("commands not registered: %v", err)
	}
}

// stop shuts the adapter, the engine and the database down, as a restart
// would.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("adapter run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := h.eng.Close(ctx); err != nil {
		h.t.Errorf("engine close: %v", err)
	}
	if err := h.db.Check(); err != nil {
		h.t.Errorf("db check: %v", err)
	}
	if err := h.db.Close(); err != nil {
		h.t.Errorf("db close: %v", err)
	}
}

// next waits for the user's message number n (1-based) and returns it.
func (h *harness) next(u discordtest.User, n int) discordtest.Message {
	h.t.Helper()
	msgs, err := h.srv.WaitMessages(u.ID, n, wait)
	if err != nil {
		h.t.Fatalf("%v; got %s", err, dump(msgs))
	}
	return msgs[n-1]
}

// seen is how many messages the user has seen.
func (h *harness) seen(u discordtest.User) int { return len(h.srv.Messages(u.ID)) }

// click clicks the button whose label contains label on m, and returns
// the interaction id.
func (h *harness) click(u discordtest.User, m discordtest.Message, label string) string {
	h.t.Helper()
	b, ok := m.Button(label)
	if !ok {
		h.t.Fatalf("no button %q on message:\n%s", label, dump([]discordtest.Message{m}))
	}
	h.clicked = time.Now()
	id, err := h.srv.ClickButton(u, m, b.CustomID)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

func dump(msgs []discordtest.Message) string {
	var b strings.Builder
	for i, m := range msgs {
		b.WriteString("\n--- message ")
		b.WriteString(string(rune('1' + i)))
		if m.Ephemeral {
			b.WriteString(" (ephemeral)")
		}
		b.WriteString("\n" + m.Content + "\n")
		for _, bt := range m.Buttons() {
			b.WriteString("[" + bt.Label + " → " + bt.CustomID + "] ")
		}
	}
	return b.String()
}

// await waits for a message that satisfies ok, at index from or later
// among what u sees or edited since the last click (the reply to a tap
// takes the tapped message's place), and returns it with its index.
func (h *harness) await(u discordtest.User, from int, what string, ok func(discordtest.Message) bool) (discordtest.Message, int) {
	h.t.Helper()
	var found discordtest.Message
	idx := -1
	msgs, err := h.srv.WaitUser(u.ID, wait, func(msgs []discordtest.Message) bool {
		for i := range msgs {
			if i < from && (h.clicked.IsZero() || !msgs[i].Edited.After(h.clicked)) {
				continue
			}
			if ok(msgs[i]) {
				found, idx = msgs[i], i
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("waiting for %s: %v; messages from %d:%s", what, err, from, dump(msgs[min(from, len(msgs)):]))
	}
	return found, idx
}

// awaitButton waits for a message offering a button labelled label.
func (h *harness) awaitButton(u discordtest.User, from int, label string) (discordtest.Message, int) {
	h.t.Helper()
	return h.await(u, from, "button "+label, func(m discordtest.Message) bool {
		_, ok := m.Button(label)
		return ok
	})
}

// awaitText waits for a message containing text.
func (h *harness) awaitText(u discordtest.User, from int, text string) (discordtest.Message, int) {
	h.t.Helper()
	return h.await(u, from, "text "+text, func(m discordtest.Message) bool {
		return strings.Contains(m.Content, text)
	})
}

// openModal clicks m's "Répondre" button and returns the modal it opens.
func (h *harness) openModal(u discordtest.User, m discordtest.Message) discordtest.Modal {
	h.t.Helper()
	id := h.click(u, m, "Répondre")
	if ack, err := h.srv.WaitAck(id, wait); err != nil || ack.Type != discordtest.CallbackModal {
		h.t.Fatalf("Answer click acked with %+v, %v; want a modal", ack, err)
	}
	modal, ok := h.srv.Modal(u.ID)
	if !ok {
		h.t.Fatal("no modal opened")
	}
	return modal
}

// answer opens the modal of m's "Répondre" button and submits text.
func (h *harness) answer(u discordtest.User, m discordtest.Message, text string) discordtest.Modal {
	h.t.Helper()
	modal := h.openModal(u, m)
	if _, err := h.srv.SubmitModal(u, text); err != nil {
		h.t.Fatal(err)
	}
	return modal
}

// slash runs a slash command and fails the test if Discord refuses it.
func (h *harness) slash(u discordtest.User, p discordtest.Place, name string) string {
	h.t.Helper()
	id, err := h.srv.SlashCommand(u, p, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// checkWire asserts the rules every test shares: no request refused, no
// public message in the guild, every interaction acknowledged in time.
func (h *harness) checkWire() {
	h.t.Helper()
	if r := h.srv.Rejected(); len(r) > 0 {
		h.t.Errorf("fake Discord refused requests: %q", r)
	}
	if p := h.srv.PublicMessages(); len(p) > 0 {
		h.t.Errorf("public guild messages sent: %s", dump(p))
	}
	if err := h.srv.Wait(wait, func() bool { return len(h.srv.Unacknowledged()) == 0 }); err != nil {
		h.t.Errorf("interactions never acknowledged: %v", h.srv.Unacknowledged())
	}
	for _, a := range h.srv.Acks() {
		if a.Late {
			h.t.Errorf("interaction %s acknowledged after the deadline (%v)", a.InteractionID, a.Latency)
		}
	}
}
