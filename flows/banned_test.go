package flows

import (
	"reflect"
	"testing"
	"time"
)

// TestBannedParticipantIsPolitelyIgnored: whatever a banned participant
// sends, the session (answers included) stays exactly as it was and the
// only reply is the short polite note; the same text from the same
// session unbanned is stored, so the ban is what makes the difference.
func TestBannedParticipantIsPolitelyIgnored(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := Session{
		Participant: "telegram:p1", Lang: LangFR, Stage: StageQuestion,
		ConsentAt: now, Profile: "parent", Theme: "ecole", Question: "temps", Prompt: 3,
		Answers: map[string]Answer{
			AnswerKey("maison", "devoirs"): {Theme: "maison", Question: "devoirs", Text: "Trop de devoirs", CreatedAt: now, UpdatedAt: now},
		},
		CreatedAt: now, UpdatedAt: now,
	}
	answer := Event{Kind: EventText, Text: "Une heure par jour"}
	if got, _ := m.Step(s, answer, now.Add(time.Minute)); len(got.Answers) != 2 {
		t.Fatalf("unbanned: %d answers after answering, want 2", len(got.Answers))
	}

	s.Banned = true
	for _, lang := range []string{LangFR, LangEN} {
		s.Lang = lang
		for _, ev := range []Event{
			answer,
			{Kind: EventCommand, Command: CmdMenu},
			{Kind: EventCommand, Command: CmdStart, Args: "theme-2"},
			{Kind: EventChoice, Token: "3.x.1"},
			{Kind: EventVoice, Voice: &Voice{FileID: "v1", Duration: 4}},
			{Kind: EventText, Text: "/reprendre"},
		} {
			got, replies := checkStep(t, m, s, ev, now.Add(time.Minute))
			if !reflect.DeepEqual(got, s) {
				t.Errorf("%s %+v: session changed:\n got %+v\nwant %+v", lang, ev, got, s)
			}
			if want := []Reply{bannedReply(lang)}; !reflect.DeepEqual(replies, want) {
				t.Errorf("%s %+v: replies %+v, want %+v", lang, ev, replies, want)
			}
		}
	}

	// The ban silences the consultation, not the person's rights.
	s.Lang = LangFR
	got, replies := m.Step(s, Event{Kind: EventCommand, Command: CmdMyData}, now.Add(time.Minute))
	if len(replies) == 0 || reflect.DeepEqual(replies, []Reply{bannedReply(LangFR)}) {
		t.Errorf("my data while banned: replies %+v, want the person's data", replies)
	}
	if !got.Banned || len(got.Answers) != 1 {
		t.Errorf("my data while banned: session %+v, want it still banned with its answer", got)
	}
}
