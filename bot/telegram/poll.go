package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/text"
)

// allowedUpdates are the update kinds the bot asks Telegram for, by
// getUpdates or by webhook.
var allowedUpdates = []string{"message", "edited_message", "callback_query"}

// poll runs the getUpdates loop. The offset that confirms a batch to
// Telegram is requested only after every update of the batch has been
// committed, so a crash at any point makes Telegram deliver again what was
// not committed, and the engine drops what was.
func (a *Adapter) poll(ctx context.Context) error {
	offset := 0
	var wait time.Duration
	for {
		updates, err := a.getUpdates(ctx, tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          100,
			Timeout:        int(a.opts.PollTimeout / time.Second),
			AllowedUpdates: allowedUpdates,
		})
		if ctx.Err() != nil {
			return nil
		}
		a.observer().Connected(bot.ChannelTelegram, err == nil)
		if err != nil {
			err = a.clean(err)
			var te *tgbotapi.Error
			if errors.As(err, &te) && (te.Code == 401 || te.Code == 404) {
				return fmt.Errorf("telegram getUpdates: %w", err)
			}
			wait = retryDelay(wait)
			a.log.Warn("telegram getUpdates failed; retrying", "retry_in", wait, "err", err)
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		wait = 0
		if len(updates) == 0 {
			continue
		}
		done := &doneSet{ids: map[int]bool{}}
		var backoff time.Duration
		for {
			err := a.applyBatch(ctx, updates, done)
			if err == nil {
				break
			}
			if ctx.Err() != nil || errors.Is(err, bot.ErrClosed) {
				return nil
			}
			// Nothing was confirmed: retrying is safe, the engine
			// drops what it already committed.
			backoff = retryDelay(backoff)
			a.log.Error("apply telegram updates; retrying the batch", "retry_in", backoff, "err", err)
			if sleep(ctx, backoff) != nil {
				return nil
			}
		}
		for _, u := range updates {
			offset = max(offset, u.UpdateID+1)
		}
	}
}

// getUpdates is the SDK's GetUpdates, decoding each update with what the
// SDK drops (update).
func (a *Adapter) getUpdates(ctx context.Context, cfg tgbotapi.UpdateConfig) ([]update, error) {
	resp, err := a.bot(ctx).Request(cfg)
	if err != nil {
		return nil, err
	}
	var updates []update
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		return nil, err
	}
	return updates, nil
}

// doneSet remembers the updates of a batch already applied, so that a
// retried batch does not redo their side effects (group replies, edits).
type doneSet struct {
	mu  sync.Mutex
	ids map[int]bool
}

func (d *doneSet) has(id int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[id]
}

func (d *doneSet) add(id int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ids[id] = true
}

// applyBatch applies a batch: the updates of one person in order, different
// people concurrently. It returns once all are applied, or the first error.
func (a *Adapter) applyBatch(ctx context.Context, updates []update, done *doneSet) error {
	var order []string
	groups := map[string][]update{}
	for _, u := range updates {
		k := senderKey(u.Update)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], u)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(order))
	for i, k := range order {
		wg.Go(func() {
			for _, u := range groups[k] {
				if done.has(u.UpdateID) {
					continue
				}
				if err := a.process(ctx, u); err != nil {
					errs[i] = err
					return
				}
				done.add(u.UpdateID)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// senderKey groups updates by the person who caused them: every kind the
// poll asks for (AllowedUpdates) must be named here, or its updates race
// the same person's others.
func senderKey(u tgbotapi.Update) string {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return strconv.FormatInt(u.Message.From.ID, 10)
	case u.EditedMessage != nil && u.EditedMessage.From != nil:
		return strconv.FormatInt(u.EditedMessage.From.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return strconv.FormatInt(u.CallbackQuery.From.ID, 10)
	}
	return "update:" + strconv.Itoa(u.UpdateID)
}

// process handles one update and returns once its effect is committed. An
// error means it must be delivered again (storage failure).
func (a *Adapter) process(ctx context.Context, u update) error {
	if taken, err := a.organiserUpdate(ctx, u.Update); taken {
		return err
	}
	in, r := a.translate(u, time.Now())
	if m := u.Message; m != nil && m.Chat != nil && m.Chat.Type == "private" {
		a.ids.saw(m.MessageID)
	}
	switch r {
	case routeIgnore:
		if q := u.CallbackQuery; q != nil {
			a.answerCallback(ctx, q.ID)
		}
		return nil
	case routeGroup:
		a.replyInGroup(ctx, u.Message)
		return nil
	}
	q := u.CallbackQuery
	if q != nil {
		// At once, before the commit, so the button stops spinning.
		a.answerCallback(ctx, q.ID)
	}
	if _, err := a.h.Handle(ctx, in); err != nil {
		return fmt.Errorf("handle %s: %w", in.ID, err)
	}
	return nil
}

func (a *Adapter) answerCallback(ctx context.Context, id string) {
	if _, err := a.request(ctx, tgbotapi.NewCallback(id, "")); err != nil {
		// A redelivered query was answered already: Telegram refuses.
		a.log.Debug("answer callback query", "err", err)
	}
}

// replyInGroup answers a group message addressed to the bot with a button
// that opens a private chat. Nothing is stored, so a failure is only logged.
func (a *Adapter) replyInGroup(ctx context.Context, m *tgbotapi.Message) {
	lang := ""
	if m.From != nil {
		lang = m.From.LanguageCode
	}
	t := text.For(lang).Channel.Telegram
	msg := tgbotapi.NewMessage(m.Chat.ID, t.GroupInvite)
	msg.ReplyToMessageID = m.MessageID
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonURL(t.GroupButton, "https://t.me/"+a.username+"?start=group"),
	))
	if err := a.deliver(ctx, m.Chat.ID, msg); err != nil {
		a.log.Warn("reply in group", a.chatAttr(m.Chat.ID), "err", err)
	}
}
