package flows

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRepeatedTap: the same button tapped again right after it was
// applied (a bouncing finger, a second click on a slow button) changes
// nothing and says nothing, also once the session went through storage;
// the same button later, or after anything else, is an old one and says
// so.
func TestRepeatedTap(t *testing.T) {
	m := NewMachine(loadSmall(t), Config{})
	now := baseTime
	s, r := checkStep(t, m, Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdStart}, now)
	yes := Event{Kind: EventChoice, Token: r[len(r)-1].Options[0].Token}
	tapped, r := checkStep(t, m, s, yes, now)
	if tapped.Stage != StageProfile || len(r) == 0 {
		t.Fatalf("the consent tap led to %q with %+v", tapped.Stage, r)
	}
	profile := Event{Kind: EventChoice, Token: r[len(r)-1].Options[0].Token}

	// Stored and loaded again, as after a restart.
	raw, err := json.Marshal(tapped)
	if err != nil {
		t.Fatal(err)
	}
	var loaded Session
	if err := json.Unmarshal(raw, &loaded); err != nil {
		t.Fatal(err)
	}

	stale := messagesFor(LangFR).Stale
	for _, tc := range []struct {
		name  string
		s     Session
		after time.Duration
	}{
		{"bounce", tapped, 300 * time.Millisecond},
		{"second click", tapped, 4 * time.Second},
		{"after a restart", loaded, 2 * time.Second},
	} {
		got, out := checkStep(t, m, tc.s, yes, now.Add(tc.after))
		if len(out) != 0 {
			t.Errorf("%s: the same tap again says %+v, want nothing", tc.name, out)
		}
		if !reflect.DeepEqual(got, tc.s) {
			t.Errorf("%s: the same tap again changed the session:\n%+v\n→ %+v", tc.name, tc.s, got)
		}
		// The current prompt still stands.
		if next, out := checkStep(t, m, got, profile, now.Add(tc.after+time.Second)); next.Stage != StageAcademie || len(out) == 0 || !out[0].Replaces {
			t.Errorf("%s: the profile button after the repeat led to %q with %+v", tc.name, next.Stage, out)
		}
	}

	// An old button is told so: the same one a minute later, or right
	// after something else was said.
	said, _ := checkStep(t, m, tapped, Event{Kind: EventText, Text: "bonjour"}, now.Add(time.Second))
	for _, tc := range []struct {
		name string
		s    Session
		at   time.Time
	}{
		{"a minute later", tapped, now.Add(time.Minute)},
		{"after a message", said, now.Add(2 * time.Second)},
	} {
		_, out := checkStep(t, m, tc.s, yes, tc.at)
		if len(out) == 0 || !strings.Contains(out[0].Lead+out[0].Text, stale) {
			t.Errorf("%s: the old consent button got %+v, want « %s » and the current prompt", tc.name, out, stale)
		}
	}
}
