package storage

import (
	"context"
	"testing"

	"consultbot/bot"
	"consultbot/flows"
)

// TestApplyHoldsBehindTheBacklog: with HoldBehindBacklog (replicas that
// each apply events), the event of a person whose earlier events flood
// control held back, on another replica say, joins the end of their
// backlog instead of overtaking it, once even when it comes twice; the
// backlog is then applied in arrival order, and with the backlog empty the
// next event is applied at once.
func TestApplyHoldsBehindTheBacklog(t *testing.T) {
	db := openTest(t, Options{HoldBehindBacklog: true})
	ctx := context.Background()
	const p = "telegram:42"
	event := func(id, text string) bot.Inbound {
		in := inbound(id, p)
		in.Event.Text = text
		return in
	}
	appendText := func(text string) bot.StepFunc {
		return func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Source += text + ","
			return s, []flows.Reply{{Text: "vu " + text}}
		}
	}
	if _, err := db.Hold(ctx, event("telegram:update:1", "first"), t0, nil); err != nil {
		t.Fatal(err)
	}
	second := event("telegram:update:2", "second")
	if res := apply(t, db, second, t0, appendText("second")); !res.Held || res.Duplicate || len(res.Outbox) != 0 {
		t.Fatalf("an event behind a held one: %+v, want held, with no reply yet", res)
	}
	if res := apply(t, db, second, t0, appendText("second")); !res.Duplicate || res.Held {
		t.Fatalf("the same event again: %+v, want a duplicate", res)
	}
	for range 2 {
		if _, _, ok, err := db.ApplyHeld(ctx, p, t0, func(in bot.Inbound) bot.StepFunc { return appendText(in.Event.Text) }); err != nil || !ok {
			t.Fatalf("ApplyHeld: %v %v", ok, err)
		}
	}
	if res := apply(t, db, event("telegram:update:3", "third"), t0, appendText("third")); res.Held || len(res.Outbox) != 1 {
		t.Fatalf("with the backlog empty: %+v, want applied at once", res)
	}
	s, ok, err := db.Session(p)
	if err != nil || !ok {
		t.Fatalf("session: %v %v", ok, err)
	}
	if s.Source != "first,second,third," {
		t.Errorf("applied in the order %q, want first,second,third,", s.Source)
	}
}
