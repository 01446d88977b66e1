package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Paid broadcasts (Bot API 7.11): a message sent with
// allow_paid_broadcast=true is not bound by the 30 messages a second but
// by 1000, for 0.1 Telegram Star each. When the operator turns them on,
// the limiter keeps sending in the free window first and pays only for a
// message that would otherwise wait for it (the free window is full, or
// others already wait for it), within a daily budget; the per-chat and
// per-group limits hold for every message. Edits cannot be paid for and
// always use the free window, as do the low-priority lane's reminders
// and announcements, which are meant to use only what live replies leave.

// StarsPerPaidMessage is what Telegram charges for one paid broadcast
// message.
const StarsPerPaidMessage = 0.1

// PaidRate is the paid broadcasts' ceiling, in messages per second.
const PaidRate = 1000

// Paid configures paid broadcasts; the zero value keeps them off.
type Paid struct {
	// MessagesPerDay is the day's budget in paid messages (ten per
	// Star); 0 keeps paid broadcasts off. The day is the UTC day.
	MessagesPerDay int64
	// Ledger keeps the day's count across restarts and replicas;
	// *storage.DB implements it. Required when MessagesPerDay is set.
	Ledger PaidLedger
	// now is the budget's clock (tests); nil: time.Now.
	now func() time.Time
}

// PaidLedger keeps the number of paid messages reserved per day, so that
// a restart does not spend the day's budget again. The adapter reserves
// in chunks before it sends: what it reserved and had not sent when it
// stopped stays counted, on the safe side.
type PaidLedger interface {
	// ReservePaid adds up to n messages to day's count without taking it
	// above limit and returns how many it added and the day's count.
	ReservePaid(ctx context.Context, day string, n, limit int64) (granted, total int64, err error)
}

// PaidObserver is implemented by an Observer that counts the messages
// sent as paid broadcasts (the metrics).
type PaidObserver interface {
	// PaidMessage is called once Telegram accepted a paid message.
	PaidMessage(stars float64)
}

// maxPaidChunk bounds one reservation: at most this many messages are
// counted and not sent when the process stops.
const maxPaidChunk = 100

// take's outcomes.
type payment int

const (
	unpaid  payment = iota // nothing left today: wait for the free window
	paid                   // one message of the budget taken
	unfound                // none in hand: reserve some (fill), then try again
)

// budget hands out the day's paid messages from reservations in the
// ledger, reserving the next chunk in the background before the one in
// hand runs out.
type budget struct {
	ledger PaidLedger
	perDay int64
	chunk  int64
	now    func() time.Time
	log    *slog.Logger
	ctx    context.Context // the adapter's: ends reservations on shutdown

	fillMu sync.Mutex // one reservation at a time

	mu          sync.Mutex
	day         string
	left        int64 // reserved by this process, not yet used
	spent       bool  // the day's budget is all reserved
	prefetching bool
	failedAt    time.Time // last failed reservation: no other for a second
	logged      int64     // tenths of the budget already logged today (-1: none)
}

func newBudget(ctx context.Context, p Paid, log *slog.Logger) *budget {
	now := p.now
	if now == nil {
		now = time.Now
	}
	return &budget{
		ledger: p.Ledger, perDay: p.MessagesPerDay, now: now, log: log, ctx: ctx,
		chunk: min(maxPaidChunk, max(1, p.MessagesPerDay/20)),
	}
}

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// rollLocked starts a new day's budget when the day changed; b.mu must
// be held. What was reserved for the day before is lost with it.
func (b *budget) rollLocked(day string) {
	if b.day == day {
		return
	}
	b.day, b.left, b.spent, b.logged = day, 0, false, -1
}

// take takes one paid message from those in hand. It never blocks: it
// runs under the limiter's lock.
func (b *budget) take() payment {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollLocked(utcDay(b.now()))
	switch {
	case b.left > 0:
		b.left--
		if b.left <= b.chunk/2 && !b.spent && !b.prefetching {
			b.prefetching = true
			go func() {
				b.fill(b.chunk / 2)
				b.mu.Lock()
				b.prefetching = false
				b.mu.Unlock()
			}()
		}
		return paid
	case b.spent || b.now().Sub(b.failedAt) < time.Second:
		return unpaid
	}
	return unfound
}

// spentToday reports whether the day's budget is all used.
func (b *budget) spentToday() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollLocked(utcDay(b.now()))
	return b.spent && b.left == 0
}

// fill reserves the next chunk when at most below messages are in hand,
// and reports whether any are in hand afterwards.
func (b *budget) fill(below int64) bool {
	b.fillMu.Lock()
	defer b.fillMu.Unlock()
	b.mu.Lock()
	day := utcDay(b.now())
	b.rollLocked(day)
	if b.left > below || b.spent {
		defer b.mu.Unlock()
		return b.left > 0
	}
	b.mu.Unlock()

	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	got, total, err := b.ledger.ReservePaid(ctx, day, b.chunk, b.perDay)
	cancel()

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.failedAt = b.now()
		if b.ctx.Err() == nil {
			b.log.Warn("reserve paid broadcast messages; messages wait for the free window meanwhile", "err", err)
		}
		return b.left > 0
	}
	if b.day != day {
		return b.left > 0 // the day changed meanwhile
	}
	b.left += got
	if tenths := total * 10 / b.perDay; tenths > b.logged {
		b.logged = tenths
		b.log.Info("paid broadcast messages reserved today",
			"day", day, "messages", total, "stars", float64(total)*StarsPerPaidMessage,
			"budget_stars", float64(b.perDay)*StarsPerPaidMessage)
	}
	if got < b.chunk {
		b.spent = true
		b.log.Warn("today's paid broadcast budget is spent; messages wait for the free window until tomorrow (UTC)",
			"day", day, "stars", float64(total)*StarsPerPaidMessage)
	}
	return b.left > 0
}

// message is one message of a reply as a Bot API call: its method
// (sendMessage, sendPhoto, sendDocument), its parameters and the file it
// uploads. The adapter lays its messages out itself rather than with the
// SDK's configs: SDK v5 predates Bot API 7.11, so its configs have no
// field for allow_paid_broadcast, and their parameters are private.
type message struct {
	method string
	params tgbotapi.Params
	file   *tgbotapi.RequestFile
}

// messageOf lays out part p for chatID, answering replyTo when quote is
// set (the first message of a reply in a group).
func messageOf(chatID int64, p part, quote bool, replyTo int) (message, error) {
	params := tgbotapi.Params{}
	params.AddNonZero64("chat_id", chatID)
	if quote {
		params.AddNonZero("reply_to_message_id", replyTo)
		params.AddBool("allow_sending_without_reply", true)
	}
	switch {
	case p.doc != nil:
		return message{method: "sendDocument", params: params,
			file: &tgbotapi.RequestFile{Name: "document", Data: tgbotapi.FileBytes{Name: p.doc.Name, Bytes: p.doc.Data}}}, nil
	case p.photo != nil:
		params.AddNonEmpty("caption", p.photo.Caption)
		params.AddNonEmpty("parse_mode", tgbotapi.ModeHTML)
		return message{method: "sendPhoto", params: params,
			file: &tgbotapi.RequestFile{Name: "photo", Data: tgbotapi.FileBytes{Name: p.photo.Name, Bytes: p.photo.Data}}}, nil
	}
	params.AddNonEmpty("text", p.html)
	params.AddNonEmpty("parse_mode", tgbotapi.ModeHTML)
	params.AddBool("disable_web_page_preview", true)
	if p.keyboard != nil {
		if err := params.AddInterface("reply_markup", *p.keyboard); err != nil {
			return message{}, fmt.Errorf("encode keyboard: %w", err)
		}
	}
	return message{method: "sendMessage", params: params}, nil
}

// send performs m once, as a paid broadcast when paid is set.
func (a *Adapter) send(ctx context.Context, m message, paid bool) (*tgbotapi.APIResponse, error) {
	params := m.params
	if paid {
		params = maps.Clone(params)
		params.AddBool("allow_paid_broadcast", true)
	}
	var (
		resp *tgbotapi.APIResponse
		err  error
	)
	if m.file != nil {
		resp, err = a.bot(ctx).UploadFiles(m.method, params, []tgbotapi.RequestFile{*m.file})
	} else {
		resp, err = a.bot(ctx).MakeRequest(m.method, params)
	}
	return resp, a.clean(err)
}
