package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// heartbeat keeps idle event streams open through proxies.
const heartbeat = 25 * time.Second

// streamWrite bounds one write to an event stream: a browser that stops
// reading is dropped.
const streamWrite = 15 * time.Second

// replyEvent is the data of one "reply" event: the message as HTML, and
// the answer area that replaces the page's when the reply asks something.
type replyEvent struct {
	Seq    uint64 `json:"seq"`
	HTML   string `json:"html"`
	Answer string `json:"answer,omitempty"`
}

// events streams the replies of the person's conversation as server-sent
// events, from the one after the last the page has (Last-Event-ID, or
// ?after= on the first connection). When some can no longer be shown (the
// server restarted, or they left the bounded memory) the page is told,
// and the conversation shows the current prompt again.
func (a *Adapter) events(w http.ResponseWriter, r *http.Request) {
	v := a.identify(r)
	if v.token == "" {
		a.fail(w, r, a.hintTexts(r), http.StatusForbidden, refusal{kind: noCookie})
		return
	}
	p, ok := a.hub.attach(v.participant, a.limits.Streams)
	if !ok {
		a.fail(w, r, a.hintTexts(r), http.StatusTooManyRequests, refusal{kind: tooManyStreams})
		return
	}
	defer a.hub.detach(p)

	after, err := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64)
	if err != nil {
		after, _ = strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	}
	tx := a.textsOf(r, v.participant)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "retry: 3000\nevent: epoch\ndata: %s\n\n", a.epoch)
	vw := a.hub.readHeld(p, after)
	if after > 0 && (r.URL.Query().Get("epoch") != a.epoch || after < vw.floor) {
		buf.WriteString("event: gap\ndata: \n\n")
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), deliveryWait)
			defer cancel()
			if _, err := a.resume(ctx, v, a.hintLang(r)); err != nil {
				a.log.Warn("resume after a gap", "err", err)
			}
		}()
	}
	// write sends the buffer and the replies of entries.
	write := func(entries []entry) bool {
		for _, e := range entries {
			ev := replyEvent{Seq: e.Seq}
			html, err := render("message", messageOf(tx, e))
			if err == nil && isPrompt(e.Reply) {
				ev.Answer, err = render("answer", a.answerOf(tx, v.csrf, &e.Reply))
			}
			if err != nil {
				a.log.Error("render reply", "err", err)
				return false
			}
			ev.HTML = html
			data, _ := json.Marshal(ev)
			fmt.Fprintf(&buf, "id: %d\nevent: reply\ndata: %s\n\n", e.Seq, data)
			after = e.Seq
		}
		if buf.Len() == 0 {
			return true
		}
		_ = rc.SetWriteDeadline(time.Now().Add(streamWrite))
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		buf.Reset()
		return rc.Flush() == nil
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		if !write(vw.entries) {
			return
		}
		select {
		case <-vw.notify:
		case <-tick.C:
			buf.WriteString(": ping\n\n")
		case <-r.Context().Done():
			return
		case <-vw.gone:
			// Erased: the last replies (the farewell) go, then the stream
			// ends.
			write(a.hub.readHeld(p, after).entries)
			return
		}
		vw = a.hub.readHeld(p, after)
	}
}
