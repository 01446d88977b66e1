package storage

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/flows"
	"consultbot/storage/kv"
)

// jsonRoundTrip is what Apply gives the step without sessionCache: the
// session decoded from its stored record, with the answers decoded from
// the records Apply writes for them.
func jsonRoundTrip(t *testing.T, s flows.Session) flows.Session {
	t.Helper()
	b, err := encodeSession(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeSession(b)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Session
	for _, a := range s.Answers {
		ab, err := json.Marshal(newAnswerRecord(inbound("e", s.Participant), s, a))
		if err != nil {
			t.Fatal(err)
		}
		ar, err := decodeAnswer(ab)
		if err != nil {
			t.Fatal(err)
		}
		if d.Answers == nil {
			d.Answers = map[string]flows.Answer{}
		}
		d.Answers[flows.AnswerKey(ar.Theme, ar.Question)] = ar.answer()
	}
	return d
}

// fieldNames lists the fields of T, in order.
func fieldNames[T any]() []string {
	st := reflect.TypeFor[T]()
	var fields []string
	for i := range st.NumField() {
		fields = append(fields, st.Field(i).Name)
	}
	return fields
}

func TestSessionRoundTripMatchesJSON(t *testing.T) {
	// roundTrip lists Session's fields one by one: a new field must be
	// added there (and here) or the cache would drop it.
	known := []string{"Participant", "Lang", "LangSaid", "Stage", "ConsentAt", "Profile", "Academie", "Source", "Theme", "Question",
		"Prompt", "Tap", "TapAt", "Pending", "Answers", "Confirmed", "Started", "Asked", "Reviewed", "Back", "Held", "HeldForMenu", "From", "FromReviewed", "CreatedAt", "UpdatedAt", "Banned", "Reminders"}
	if diff := cmp.Diff(known, fieldNames[flows.Session]()); diff != "" {
		t.Fatalf("flows.Session fields changed; update roundTrip (-known +now):\n%s", diff)
	}
	// copyPending lists Pending's fields one by one too.
	if diff := cmp.Diff([]string{"Kind", "Prompt", "Text", "Places", "At", "Answer", "FileID", "Held", "Was"}, fieldNames[flows.Pending]()); diff != "" {
		t.Fatalf("flows.Pending fields changed; update copyPending (-known +now):\n%s", diff)
	}
	// An answer is stored as an answerRecord: a new field of Answer must
	// be added there, to newAnswerRecord, answer, equalAnswer and
	// roundTrip, or it would be lost at the next load.
	if diff := cmp.Diff([]string{"Theme", "Question", "Text", "Choice", "Voice", "CreatedAt", "UpdatedAt"}, fieldNames[flows.Answer]()); diff != "" {
		t.Fatalf("flows.Answer fields changed; update answerRecord and roundTrip (-known +now):\n%s", diff)
	}
	// URL and Size are never kept in an answer (see flows.Voice).
	if diff := cmp.Diff([]string{"FileID", "Duration", "URL", "Size"}, fieldNames[flows.Voice]()); diff != "" {
		t.Fatalf("flows.Voice fields changed; update voiceRecord and roundTrip (-known +now):\n%s", diff)
	}

	paris := time.FixedZone("CET", 3600)
	now := time.Now() // has a monotonic reading
	full := flows.Session{
		Participant: "telegram:1", Lang: "fr", Stage: flows.StageQuestion, ConsentAt: now.In(paris),
		Profile: "parent", Academie: "Lyon", Source: "affiche <&>", Theme: "ecrans", Question: "q1",
		Prompt: 7, Tap: "6.pick.oui", TapAt: now.In(paris), Pending: &flows.Pending{Kind: flows.PendingPlace, Prompt: 7, Text: "« x »", Places: []string{"c-93066", "c-97411"}, At: now.In(paris), Answer: "ecrans/q2", FileID: "f", Held: true, Was: flows.PendingCheck}, Banned: true, CreatedAt: now.Local(), UpdatedAt: t0.In(time.FixedZone("", -7*3600-1800)),
		Answers: map[string]flows.Answer{
			"ecrans/q1": {Theme: "ecrans", Question: "q1", Text: "« Les écrans » \u2028 \"ok\"\n", CreatedAt: now, UpdatedAt: now.In(paris)},
			"ecrans/q2": {Theme: "ecrans", Question: "q2", Voice: &flows.Voice{FileID: "f", Duration: 3, URL: "https://cdn/f.ogg", Size: 9}, CreatedAt: time.Time{}, UpdatedAt: t0},
			"ecrans/q3": {Theme: "ecrans", Question: "q3", Choice: "oui"},
		},
		Confirmed:   map[string]time.Time{"ecrans": now, "vide": {}, "gmt": now.In(time.FixedZone("GMT", 0)), "paris": t0.In(paris)},
		Started:     map[string]time.Time{"ecrans": now, "paris": t0.In(paris)},
		Asked:       map[string]bool{"ecrans/q1": true, "ecrans/q4": true, "ecrans/\u00e9": true},
		Reviewed:    "vide",
		Back:        flows.StageMenu,
		Held:        "mes enfants « n'ont » pas d'ordinateur",
		HeldForMenu: true,
		Reminders:   flows.Reminders{OfferedAt: now, ConsentAt: now.In(paris), Due: t0.In(paris), Sent: 2},
	}
	cases := map[string]flows.Session{
		"zero":        {},
		"new":         {Participant: "discord:2"},
		"empty maps":  {Participant: "p", Answers: map[string]flows.Answer{}, Confirmed: map[string]time.Time{}, Asked: map[string]bool{}},
		"zero times":  {Participant: "p", ConsentAt: time.Time{}.In(paris), CreatedAt: time.Time{}.In(time.Local)},
		"full":        full,
		"utc and far": {Participant: "p", CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), UpdatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
	}
	for name, s := range cases {
		for _, check := range []bool{false, true} {
			got, ok := roundTrip(s, check, nil)
			if !ok {
				t.Errorf("%s: roundTrip refused a valid session", name)
				continue
			}
			if want := jsonRoundTrip(t, s); !reflect.DeepEqual(want, got) {
				t.Errorf("%s: roundTrip differs from encoding/json (-json +roundTrip):\n%s", name, cmp.Diff(want, got))
			}
		}
	}
	bad := flows.Session{Participant: "p", Profile: "bad \xff byte"}
	raw, err := json.Marshal(sessionRecord{V: sessionRecordV, Session: bad})
	if err != nil || !strings.Contains(string(raw), `\ufffd`) {
		t.Errorf("encoding/json wrote invalid UTF-8 as %s (%v), not \\ufffd: sessionCache.put relies on it", raw, err)
	}
	for _, s := range []flows.Session{
		bad,
		{Participant: "p", Answers: map[string]flows.Answer{"a/\xfe": {Theme: "a", Question: "\xfe"}}},
		{Participant: "p", CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, ok := roundTrip(s, true, nil); ok {
			t.Errorf("roundTrip accepted %+v, which JSON does not give back as is", s)
		}
	}
}

// TestApplyStepSeesStoredSession checks that the step always gets the
// session as stored, whoever wrote it last, even when a previous step
// changed what it was given in place or its transaction rolled back.
func TestApplyStepSeesStoredSession(t *testing.T) {
	db := openTest(t, Options{})
	const p = "telegram:42"
	paris := time.FixedZone("CET", 3600)
	var seen flows.Session
	see := func(s flows.Session) (flows.Session, []flows.Reply) { seen = s; return s, nil }
	stored := func() flows.Session {
		t.Helper()
		s, ok, err := db.Session(p)
		if err != nil || !ok {
			t.Fatalf("Session: %v, %v", ok, err)
		}
		return s
	}

	apply(t, db, inbound("e1", p), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Lang, s.Stage, s.UpdatedAt = "fr", flows.StageQuestion, time.Now().In(paris)
		s.Answers = map[string]flows.Answer{"ecrans/q1": {Theme: "ecrans", Question: "q1",
			Voice: &flows.Voice{FileID: "v1", Duration: 3}, CreatedAt: time.Now(), UpdatedAt: t0}}
		s.Confirmed = map[string]time.Time{"ecrans": time.Now()}
		return s, nil
	})
	apply(t, db, inbound("e2", p), t0, see)
	want := stored()
	if !reflect.DeepEqual(want, seen) {
		t.Fatalf("step after Apply's own write (-stored +seen):\n%s", cmp.Diff(want, seen))
	}

	// A step that changes the voice note in place, then fails.
	_, err := db.Apply(context.Background(), inbound("e3", p), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Answers["ecrans/q1"].Voice.Duration = 99
		s.Lang = "en"
		panic("boom")
	})
	if err == nil {
		t.Fatal("Apply with a panicking step: no error")
	}
	apply(t, db, inbound("e3b", p), t0, see)
	if !reflect.DeepEqual(want, seen) {
		t.Fatalf("step after a step that panicked (-stored +seen):\n%s", cmp.Diff(want, seen))
	}
	// A step whose session is written, then the transaction fails.
	_, err = db.Apply(context.Background(), inbound("e4", p), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Lang = "en"
		s.Answers = map[string]flows.Answer{"wrong/key": {Theme: "ecrans", Question: "q9", Text: "x"}}
		return s, nil
	})
	if err == nil {
		t.Fatal("Apply with a misfiled answer: no error")
	}
	apply(t, db, inbound("e5", p), t0, see)
	if !reflect.DeepEqual(want, seen) {
		t.Fatalf("step after failed Applies (-stored +seen):\n%s", cmp.Diff(want, seen))
	}
	// A step that changes only an answer, whose transaction then fails:
	// the session's own fields are as stored, the answer is not.
	_, err = db.Apply(context.Background(), inbound("e5b", p), t0, func(s flows.Session) (flows.Session, []flows.Reply) {
		a := s.Answers["ecrans/q1"]
		a.Text = "not stored"
		s.Answers["ecrans/q1"] = a
		s.Answers["wrong/key"] = flows.Answer{Theme: "ecrans", Question: "q9", Text: "x"}
		return s, nil
	})
	if err == nil {
		t.Fatal("Apply with a misfiled answer: no error")
	}
	apply(t, db, inbound("e5c", p), t0, see)
	if !reflect.DeepEqual(want, seen) {
		t.Fatalf("step after a failed Apply that changed only an answer (-stored +seen):\n%s", cmp.Diff(want, seen))
	}

	// Another writer changes the session behind Apply (keeping the digest
	// index, as SetBanned does).
	other := want
	other.Lang, other.Banned = "en", true
	b, err := encodeSession(other, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketSessions).Put([]byte(p), b); err != nil {
			return err
		}
		return writeProgressTx(tx, p, progressOf(other))
	}); err != nil {
		t.Fatal(err)
	}
	apply(t, db, inbound("e6", p), t0, see)
	if want := stored(); !reflect.DeepEqual(want, seen) || !seen.Banned || seen.Lang != "en" {
		t.Fatalf("step after another writer (-stored +seen):\n%s", cmp.Diff(want, seen))
	}
}
