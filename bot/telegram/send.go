package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"consultbot/bot"
	"consultbot/flows"
)

// maxText is Telegram's limit on a message's text after entity parsing, in
// UTF-16 code units (how Telegram counts).
const maxText = 4096

// Send delivers one reply to the chat in out.Address, split into several
// messages when it is too long, the keyboard on the last. It returns nil
// once Telegram has accepted every part; parts already accepted are not
// sent again when the engine retries after an error.
func (a *Adapter) Send(ctx context.Context, out bot.Outgoing) error {
	chatID, err := strconv.ParseInt(out.Address, 10, 64)
	if err != nil {
		return fmt.Errorf("send telegram reply %d: bad chat id %q", out.Seq, out.Address)
	}
	parts := render(out.Reply)
	if d := out.Reply.Document; d != nil {
		// The file follows the text, as a document the person can save.
		parts = append(parts, part{doc: d})
	}
	a.mu.Lock()
	start := a.progress[out.Seq]
	a.mu.Unlock()
	for i := start; i < len(parts); i++ {
		var c tgbotapi.Chattable
		if d := parts[i].doc; d != nil {
			c = tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: d.Name, Bytes: d.Data})
		} else {
			msg := tgbotapi.NewMessage(chatID, parts[i].html)
			msg.ParseMode = tgbotapi.ModeHTML
			msg.DisableWebPagePreview = true
			if parts[i].keyboard != nil {
				msg.ReplyMarkup = *parts[i].keyboard
			}
			c = msg
		}
		if err := a.deliver(ctx, chatID, c); err != nil {
			return fmt.Errorf("send telegram reply %d part %d/%d: %w", out.Seq, i+1, len(parts), err)
		}
		a.mu.Lock()
		if i+1 < len(parts) {
			a.progress[out.Seq] = i + 1
		} else {
			delete(a.progress, out.Seq)
		}
		a.mu.Unlock()
	}
	return nil
}

// retryAfterError tells the engine how long Telegram asked to wait.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// Attempts within one deliver call before giving the message back to the
// engine's outbox, which retries with a longer backoff.
const (
	maxFloodWaits = 3
	maxAttempts   = 5
)

// deliver performs one sending request within the limits: it waits its
// turn for chatID (0: only the overall limit), honours retry_after and
// retries network errors and 5xx with backoff. Other refusals are final.
func (a *Adapter) deliver(ctx context.Context, chatID int64, c tgbotapi.Chattable) error {
	var backoff time.Duration
	floods := 0
	for attempt := 1; ; attempt++ {
		release, err := a.lim.wait(ctx, chatID)
		if err != nil {
			return err
		}
		_, err = a.request(ctx, c)
		release() // the request counts against the limits until now
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) {
			switch {
			case te.Code == 429:
				after := time.Duration(max(te.RetryAfter, 1)) * time.Second
				floods++
				if floods > maxFloodWaits {
					return &retryAfterError{err: err, after: after}
				}
				a.log.Warn("telegram flood limit reached; waiting", a.chatAttr(chatID), "retry_in", after)
				if err := sleep(ctx, after); err != nil {
					return err
				}
				continue
			case te.Code >= 400 && te.Code < 500:
				err = fmt.Errorf("telegram refused (%d): %w", te.Code, err)
				if permanentRefusal(te) {
					return &permanentError{err: err}
				}
				return err
			}
		}
		if attempt >= maxAttempts {
			return err
		}
		backoff = retryDelay(backoff)
		a.log.Debug("telegram request failed; retrying", a.chatAttr(chatID), "retry_in", backoff, "err", err)
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
	}
}

// part is one message of a rendered reply.
type part struct {
	html     string
	keyboard *tgbotapi.InlineKeyboardMarkup
	doc      *flows.Document // a file instead of text
}

// render turns a reply into HTML messages of at most maxText visible
// characters; every piece of text is escaped.
func render(r flows.Reply) []part {
	title := strings.TrimSpace(r.Title)
	text := strings.TrimSpace(r.Text)
	if utf16Len(title) > maxText/4 {
		// A title this long is not a title: send it as text.
		text = strings.TrimSpace(title + "\n\n" + text)
		title = ""
	}
	lead := strings.TrimSpace(r.Lead)
	if utf16Len(lead) > maxText/4 {
		text = strings.TrimSpace(lead + "\n\n" + text)
		lead = ""
	}
	// head is what comes before the text in the first message: the lead,
	// then the title in bold.
	head := ""
	if lead != "" {
		head = html.EscapeString(lead) + "\n\n"
	}
	if title != "" {
		head += "<b>" + html.EscapeString(title) + "</b>\n\n"
	}
	first := maxText
	if lead != "" {
		first -= utf16Len(lead) + 2
	}
	if title != "" {
		first -= utf16Len(title) + 2
	}
	chunks := splitText(text, first, maxText)
	parts := make([]part, 0, len(chunks)+1)
	for i, c := range chunks {
		h := html.EscapeString(c)
		if i == 0 {
			h = head + h
		}
		parts = append(parts, part{html: h})
	}
	if len(parts) == 0 {
		h := strings.TrimSuffix(head, "\n\n")
		if h == "" {
			h = "…"
		}
		parts = append(parts, part{html: h})
	}
	parts[len(parts)-1].keyboard = keyboard(r.Options)
	return parts
}

// keyboard lays out the options one per row, or several per row when all
// labels are short.
func keyboard(opts []flows.Option) *tgbotapi.InlineKeyboardMarkup {
	var buttons []tgbotapi.InlineKeyboardButton
	longest := 0
	for _, o := range opts {
		if o.Token == "" || len(o.Token) > 64 {
			continue // Telegram would refuse the whole message.
		}
		label := strings.TrimSpace(o.Label)
		if label == "" {
			label = o.Token
		}
		longest = max(longest, utf8.RuneCountInString(label))
		buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(label, o.Token))
	}
	if len(buttons) == 0 {
		return nil
	}
	perRow := 1
	switch {
	case longest <= 4:
		perRow = 5
	case longest <= 10:
		perRow = 3
	case longest <= 16:
		perRow = 2
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for len(buttons) > 0 {
		n := min(perRow, len(buttons))
		rows = append(rows, buttons[:n])
		buttons = buttons[n:]
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// splitText cuts plain text into chunks of at most first (then rest)
// UTF-16 units, at paragraph boundaries when it can, else at line breaks,
// else between words, else between characters. Cutting before escaping
// means a cut never falls inside an entity or a tag.
func splitText(s string, first, rest int) []string {
	var out []string
	for s != "" {
		limit := rest
		if len(out) == 0 {
			limit = first
		}
		if utf16Len(s) <= limit {
			out = append(out, s)
			break
		}
		cut := prefixWithin(s, limit)
		head := s[:cut]
		at := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > 0 && strings.TrimSpace(head[:i]) != "" {
				at = i
				break
			}
		}
		if at < 0 {
			at = cut
		}
		if chunk := strings.TrimRight(s[:at], " \n"); chunk != "" {
			out = append(out, chunk)
		}
		s = strings.TrimLeft(s[at:], " \n")
	}
	return out
}

// prefixWithin returns the byte length of the longest prefix of s that
// fits in limit UTF-16 units (at least one rune, so splitting progresses).
func prefixWithin(s string, limit int) int {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if n+w > limit {
			if i == 0 {
				_, size := utf8.DecodeRuneInString(s)
				return size
			}
			return i
		}
		n += w
	}
	return len(s)
}

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // ranging a string never yields a surrogate
	}
	return n
}
