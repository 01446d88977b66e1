package flows

import (
	"strings"
	"testing"
)

// TestPlacesPeopleType steps the places of the issue report at the
// académie prompt: each is recorded with its académie, or asked about with
// buttons when several places share the name.
func TestPlacesPeopleType(t *testing.T) {
	m := NewMachine(nil, Config{})
	prompts := corpusPrompts(t, m)
	for _, tt := range []struct {
		in, academie string
		ask          []string // button labels, when the name is ambiguous
		says         string
	}{
		{in: "Montreuil", academie: "Créteil", says: "Montreuil (93), académie de Créteil"},
		{in: "Saint-Denis", ask: []string{"Saint-Denis (974)", "Saint-Denis (93)", "Passer"}},
		{in: "Seine-St-Denis", academie: "Créteil"},
		{in: "Bordeau", academie: "Bordeaux", says: "académie de Bordeaux"},
		{in: "Paris 15e", academie: "Paris"},
		{in: "St Etienne", academie: "Lyon", says: "Saint-Étienne (42), académie de Lyon"},
		{in: "académie de Aix-Marseille", academie: "Aix-Marseille", says: "académie d'Aix-Marseille"},
		{in: "2A", academie: "Corse"},
		{in: "Orléans", academie: "Orléans-Tours", says: "d'Orléans-Tours"},
	} {
		got, replies := m.Step(prompts["academie"], Event{Kind: EventText, Text: tt.in}, baseTime)
		if tt.ask != nil {
			var labels []string
			for _, o := range replies[len(replies)-1].Options {
				labels = append(labels, o.Label)
			}
			if got.Pending == nil || got.Pending.Kind != PendingPlace || strings.Join(labels, "|") != strings.Join(tt.ask, "|") {
				t.Errorf("%q: asked %q (pending %+v), want buttons %q", tt.in, labels, got.Pending, tt.ask)
			}
			continue
		}
		if got.Academie != tt.academie {
			t.Errorf("%q: académie %q, want %q", tt.in, got.Academie, tt.academie)
		}
		if len(replies) == 0 || !strings.Contains(replies[0].Lead, tt.says) {
			t.Errorf("%q: says %+v, want it to say %q", tt.in, replies, tt.says)
		}
	}
}
