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

// Send delivers one reply to the chat in out.Address: its picture, its
// text split into messages within Telegram's limit (the keyboard on the
// last), its markup messages, its file, its plain texts. A reply that
// takes the place of a tapped prompt (flows.Reply.Replaces) and fits in
// one text message is an edit of that message instead: one request for
// the tap. It makes one attempt per message and returns at the first
// failure, classified for the engine's delivery policy; messages already
// accepted are not sent again when the engine retries the same reply at
// the same address.
func (a *Adapter) Send(ctx context.Context, out bot.Outgoing) error {
	addr, err := parseAddress(out.Address)
	if err != nil {
		return &sendError{err: fmt.Errorf("send telegram reply %d: %w", out.Seq, err), permanent: true}
	}
	chatID, replyTo := addr.chat, addr.replyTo
	parts := renderOutgoing(out)
	if !out.Low {
		// Nothing goes to a chat whose interrupted announcement is being
		// settled (settle.go).
		if err := a.gate.held(chatID); err != nil {
			return err
		}
	}
	if _, ok := privateChat(out); ok && out.Claimed && len(parts) > 0 {
		arrived, err := a.settle(ctx, chatID, out, parts[0])
		if err != nil {
			return fmt.Errorf("settle telegram announcement %d: %w", out.Seq, err)
		}
		if arrived {
			return nil
		}
		// It did not arrive: sent now, under a new claim.
	}
	if out.Reply.Replaces && addr.tapped != 0 && len(parts) == 1 && parts[0].doc == nil && parts[0].photo == nil {
		return a.progress.Resume(out, 1, func(int) error {
			if !out.Low && a.lim.editWouldWait() {
				// Paid broadcasts are on and the free window, the only
				// one an edit may use, is full: the next prompt comes now
				// as a new (paid) message rather than as an edit later.
				// The tapped message keeps its buttons; a tap on them is
				// a tap on an older message, answered as such.
				m, err := messageOf(chatID, parts[0], false, 0)
				if err == nil {
					err = a.sendMessage(ctx, chatID, m, false, &out)
				}
				if err != nil {
					return fmt.Errorf("send telegram reply %d after a tap on message %d: %w", out.Seq, addr.tapped, err)
				}
				return nil
			}
			if err := a.replace(ctx, chatID, addr.tapped, parts[0]); err != nil {
				return fmt.Errorf("send telegram reply %d in place of message %d: %w", out.Seq, addr.tapped, err)
			}
			return nil
		})
	}
	return a.progress.Resume(out, len(parts), func(i int) error {
		p := parts[i]
		m, err := messageOf(chatID, p, i == 0 && replyTo != 0, replyTo)
		if err == nil {
			err = a.sendMessage(ctx, chatID, m, p.doc != nil || p.photo != nil, &out)
		}
		if err != nil {
			return fmt.Errorf("send telegram reply %d part %d/%d: %w", out.Seq, i+1, len(parts), err)
		}
		return nil
	})
}

// replace edits the tapped prompt into p, keyboard included. An edit
// that was already made (the engine sends again what a restart left
// unmarked) is done; a message Telegram will not edit (deleted, too old)
// gets p as a new message instead, so the person never misses it.
func (a *Adapter) replace(ctx context.Context, chatID int64, msgID int, p part) error {
	edit := tgbotapi.NewEditMessageText(chatID, msgID, p.html)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	edit.ReplyMarkup = p.keyboard
	// Edits count against the overall limit only, as Telegram documents
	// no per-chat limit for them.
	err := a.attempt(ctx, 0, edit, false)
	var se *sendError
	switch {
	case err == nil, strings.Contains(err.Error(), "message is not modified"):
		return nil
	case !errors.As(err, &se) || !se.permanent:
		return err
	}
	a.log.Debug("tapped message not editable; sending the reply as a new message", a.chatAttr(chatID), "err", err)
	msg := tgbotapi.NewMessage(chatID, p.html)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if p.keyboard != nil {
		msg.ReplyMarkup = *p.keyboard
	}
	return a.attempt(ctx, chatID, msg, false)
}

// Line puts every reply to one chat in one delivery line, whatever
// message each one answers.
func (a *Adapter) Line(out bot.Outgoing) string {
	chat, _, _ := strings.Cut(out.Address, ":")
	chat, _, _ = strings.Cut(chat, "@")
	return chat
}

var _ bot.LineSender = (*Adapter)(nil)

// address is a reply address: the chat id, and the message answered
// (quoted above the reply in a group) after a colon when there is one.
func address(chatID int64, replyTo int) string {
	a := strconv.FormatInt(chatID, 10)
	if replyTo != 0 {
		a += ":" + strconv.Itoa(replyTo)
	}
	return a
}

// tapAddress is the address of the replies to a tap on the message msgID
// of a private chat: "chat@message". A reply that replaces the tapped
// prompt edits that message; the others go to the chat. The outbox keeps
// the address, so an edit sent again after a restart still finds it.
func tapAddress(chatID int64, msgID int) string {
	return strconv.FormatInt(chatID, 10) + "@" + strconv.Itoa(msgID)
}

// chatAddress is a parsed reply address.
type chatAddress struct {
	chat    int64
	replyTo int // the message quoted above the reply (groups), or 0
	tapped  int // the message whose button was tapped, or 0
}

func parseAddress(addr string) (chatAddress, error) {
	var a chatAddress
	chat, msg, quoted := strings.Cut(addr, ":")
	chat, tapped, wasTap := strings.Cut(chat, "@")
	var err error
	a.chat, err = strconv.ParseInt(chat, 10, 64)
	if err == nil && quoted {
		a.replyTo, err = strconv.Atoi(msg)
	}
	if err == nil && wasTap {
		a.tapped, err = strconv.Atoi(tapped)
	}
	if err != nil {
		return chatAddress{}, fmt.Errorf("bad chat address %q", addr)
	}
	return a, nil
}

// sendTimeout bounds one sending request; the long poll has its own.
const sendTimeout = 20 * time.Second

// attempt performs one sending request within the sending limits: it
// waits its turn for chatID (0: only the overall limit), then sends once.
// Its error says what the engine's policy needs to know (sendError).
func (a *Adapter) attempt(ctx context.Context, chatID int64, c tgbotapi.Chattable, file bool) error {
	return a.attemptIn(ctx, chatID, c, file, false)
}

// attemptIn is attempt in a lane: low waits for the rate live requests
// leave (limiter.waitLow).
func (a *Adapter) attemptIn(ctx context.Context, chatID int64, c tgbotapi.Chattable, file, low bool) error {
	wait := a.lim.wait
	if low {
		wait = a.lim.waitLow
	}
	release, err := wait(ctx, chatID)
	if err != nil {
		return err
	}
	var out *bot.Outgoing
	if low {
		out = &bot.Outgoing{Low: true}
	}
	return a.finish(ctx, chatID, out, file, release, func(rctx context.Context) (*tgbotapi.APIResponse, error) {
		return a.request(rctx, c)
	})
}

// sendMessage is attemptIn for one message of out, which a live reply
// sends as a paid broadcast when paid broadcasts are on and the free
// window would make it wait (limiter.waitPaying).
func (a *Adapter) sendMessage(ctx context.Context, chatID int64, m message, file bool, out *bot.Outgoing) error {
	var (
		release func()
		paid    bool
		err     error
	)
	if out.Low {
		release, err = a.lim.waitLow(ctx, chatID)
	} else {
		release, paid, err = a.lim.waitPaying(ctx, chatID, true)
	}
	if err != nil {
		return err
	}
	err = a.finish(ctx, chatID, out, file, release, func(rctx context.Context) (*tgbotapi.APIResponse, error) { return a.send(rctx, m, paid) })
	if err == nil && paid {
		if o, ok := a.observer().(PaidObserver); ok {
			o.PaidMessage(StarsPerPaidMessage)
		}
	}
	return err
}

// finish performs one admitted request to chatID (0: one that creates no
// message, an edit), releases its place in the limits once it completed
// and classifies its error (sendError). In a private chat the request
// passes the chat's gate (chatGate), claims a reminder or an announcement
// (out, nil for a request of no reply) with the highest message id seen,
// and leaves an announcement unsettled when it fails once claimed.
func (a *Adapter) finish(ctx context.Context, chatID int64, out *bot.Outgoing, file bool, release func(), do func(context.Context) (*tgbotapi.APIResponse, error)) error {
	low, seq := out != nil && out.Low, uint64(0)
	if out != nil {
		seq = out.Seq
	}
	leave, err := a.gate.enter(ctx, chatID, low, seq)
	if err != nil {
		release()
		return err
	}
	defer leave()
	note := claimNote(a.ids.high())
	if err := bot.Claim(ctx, note); err != nil {
		// A reminder or announcement no longer wanted, or not claimed:
		// nothing leaves.
		release()
		return err
	}
	var issued uint64
	if chatID > 0 {
		issued = a.ids.issue()
	}
	rctx, cancel := context.WithTimeout(ctx, sendTimeout)
	resp, err := do(rctx)
	cancel()
	release() // the request counts against the limits until now
	if id, ok := answerID(resp); ok && issued > 0 {
		a.ids.answered(issued, id)
	}
	if err == nil {
		return nil
	}
	if chatID > 0 && out != nil && out.Low && !out.Once && out.Seq != 0 {
		// Before the gate opens: the platform may have it (the engine
		// lifts this if it did not, see Settled).
		a.unsettledAfter(chatID, out, note)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return classify(err, file)
}

// Attempts of one deliver call.
const (
	maxFloodWaits = 3
	maxAttempts   = 5
)

// deliver sends one message that does not go through the outbox (the
// mark on a chosen answer, the group invitation): it retries network
// errors and 5xx with backoff and honours retry_after a few times. Refusals
// for good are final.
func (a *Adapter) deliver(ctx context.Context, chatID int64, c tgbotapi.Chattable) error {
	var backoff time.Duration
	floods := 0
	for attempt := 1; ; attempt++ {
		err := a.attempt(ctx, chatID, c, false)
		if err == nil || ctx.Err() != nil {
			return err
		}
		var se *sendError
		switch {
		case !errors.As(err, &se):
			return err
		case se.permanent:
			return err
		case se.after > 0:
			floods++
			if floods > maxFloodWaits {
				return err
			}
			a.log.Warn("telegram flood limit reached; waiting", a.chatAttr(chatID), "retry_in", se.after)
			if err := sleep(ctx, se.after); err != nil {
				return err
			}
			continue
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

// renderOutgoing lays out a reply's messages in the order of
// bot.Outgoing: a file or a picture the engine degraded keeps its slot's
// position, so the messages before it keep theirs.
func renderOutgoing(out bot.Outgoing) []part {
	var parts []part
	if img := out.Image; img != nil {
		if img.Data != nil {
			parts = append(parts, part{photo: img})
		} else {
			note := strings.TrimSpace(img.Note)
			if note == "" {
				note = "…"
			}
			parts = append(parts, part{html: html.EscapeString(note)})
		}
	}
	r := out.Reply
	if r.Lead != "" || r.Recap != nil || r.Title != "" || r.Text != "" || len(r.Options) > 0 || (len(parts) == 0 && len(out.Markup) == 0 && r.Document == nil && len(out.Plain) == 0) {
		parts = append(parts, render(r)...)
	}
	for _, m := range out.Markup {
		parts = append(parts, part{html: m})
	}
	if d := r.Document; d != nil {
		// The file follows the text, as a document the person can save.
		parts = append(parts, part{doc: d})
	}
	for _, t := range out.Plain {
		for _, c := range splitText(strings.TrimSpace(t), maxText, maxText) {
			parts = append(parts, part{html: html.EscapeString(c)})
		}
	}
	return parts
}

// part is one message of a rendered reply.
type part struct {
	html     string
	keyboard *tgbotapi.InlineKeyboardMarkup
	doc      *flows.Document // a file instead of text
	photo    *bot.Image      // a picture with its caption instead of text
}

// recapRule sets a reply's recap apart from the prompt below it.
const recapRule = "──────────"

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
	var parts []part
	// head is what comes before the text in the first message: the lead,
	// the recap (its title in bold) set apart by a rule, then the title in
	// bold.
	head, first := "", maxText
	if lead != "" {
		head = html.EscapeString(lead) + "\n\n"
		first -= utf16Len(lead) + 2
	}
	if rc := r.Recap; rc != nil {
		rt, rx := strings.TrimSpace(rc.Title), strings.TrimSpace(rc.Text)
		if n := utf16Len(rt) + utf16Len(rx) + utf16Len(recapRule) + 6; n <= maxText/2 {
			if rt != "" {
				head += "<b>" + html.EscapeString(rt) + "</b>\n"
			}
			head += html.EscapeString(rx) + "\n\n" + recapRule + "\n\n"
			first -= n
		} else {
			// Too long to share a message with the prompt: its own
			// messages first, the lead on top.
			recap := rx
			if rt != "" {
				recap = rt + "\n" + rx
			}
			for i, c := range splitText(recap, first, maxText) {
				h := html.EscapeString(c)
				if i == 0 {
					h = head + h
				}
				parts = append(parts, part{html: h})
			}
			head, first = "", maxText
		}
	}
	if title != "" {
		head += "<b>" + html.EscapeString(title) + "</b>\n\n"
		first -= utf16Len(title) + 2
	}
	chunks := splitText(text, first, maxText)
	for i, c := range chunks {
		h := html.EscapeString(c)
		if i == 0 {
			h = head + h
		}
		parts = append(parts, part{html: h})
	}
	if len(chunks) == 0 && (head != "" || len(parts) == 0) {
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
