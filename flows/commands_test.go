package flows

import (
	"regexp"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		command string
		args    string
	}{
		{"/start", true, CmdStart, ""},
		{"/start theme-2", true, CmdStart, "theme-2"},
		{"/start@consult_bot t3", true, CmdStart, "t3"},
		{"  /aide", true, CmdHelp, ""},
		{"/help", true, CmdHelp, ""},
		{"/AIDE", true, CmdHelp, ""},
		{"/menu", true, CmdMenu, ""},
		{"/reprendre", true, CmdResume, ""},
		{"/resume@bot", true, CmdResume, ""},
		{"/mesreponses", true, CmdAnswers, ""},
		{"/mes_reponses", true, CmdAnswers, ""},
		{"/answers", true, CmdAnswers, ""},
		{"/langue", true, CmdLanguage, ""},
		{"/language en", true, CmdLanguage, "en"},
		{"/langue\tfr", true, CmdLanguage, "fr"},
		{"/foo bar baz", true, "foo", "bar baz"},
		{"/", true, "", ""},
		{"bonjour", false, "", ""},
		{"", false, "", ""},
		{"une réponse / avec une barre", false, "", ""},
	}
	for _, tt := range tests {
		ev, ok := ParseCommand(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseCommand(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if ev.Kind != EventCommand || ev.Command != tt.command || ev.Args != tt.args {
			t.Errorf("ParseCommand(%q) = %+v, want command %q args %q", tt.in, ev, tt.command, tt.args)
		}
	}
}

func TestCommandList(t *testing.T) {
	telegramSafe := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	seen := map[string]bool{}
	for _, c := range CommandList() {
		seen[c.Name] = true
		for _, name := range []string{c.NameFR, c.NameEN} {
			if !telegramSafe.MatchString(name) {
				t.Errorf("%s: name %q is not Telegram-safe", c.Name, name)
			}
			if ev, _ := ParseCommand("/" + name); ev.Command != c.Name {
				t.Errorf("/%s parses as %q, want %q", name, ev.Command, c.Name)
			}
		}
		if c.DescriptionFR == "" || c.DescriptionEN == "" {
			t.Errorf("%s: missing description", c.Name)
		}
	}
	for _, name := range []string{CmdStart, CmdHelp, CmdMenu, CmdResume, CmdAnswers, CmdLanguage} {
		if !seen[name] {
			t.Errorf("CommandList lacks %s", name)
		}
	}
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want token
	}{
		{"17.skip", true, token{17, actSkip, ""}},
		{"17.edit.equipement", true, token{17, actEdit, "equipement"}},
		{"3.profile.parent", true, token{3, actProfile, "parent"}},
		{"0.yes", true, token{0, actYes, ""}},
		{"17.edit", false, token{}},            // missing argument
		{"17.skip.x", false, token{}},          // unexpected argument
		{"17.fly", false, token{}},             // unknown action
		{"-1.skip", false, token{}},            // sign
		{"x.skip", false, token{}},             // not a number
		{"1234567890.skip", false, token{}},    // too many digits
		{"17.edit.Equipement", false, token{}}, // not an id
		{"17.edit.a.b", false, token{}},
		{"", false, token{}},
		{"17", false, token{}},
	}
	for _, tt := range tests {
		got, ok := parseToken(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseToken(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("token %q formats back as %q", tt.in, got.String())
		}
	}
}

func TestNormalizeAcademie(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"75", "Paris", true},
		{"1", "Lyon", true},
		{"01", "Lyon", true},
		{"2A", "Corse", true},
		{"2b", "Corse", true},
		{"974", "La Réunion", true},
		{"976", "Mayotte", true},
		{"Gironde", "Bordeaux", true},
		{"gironde ", "Bordeaux", true},
		{"lyon", "Lyon", true},
		{"Aix-Marseille", "Aix-Marseille", true},
		{"aix marseille", "Aix-Marseille", true},
		{"CRÉTEIL", "Créteil", true},
		{"creteil", "Créteil", true},
		{"Académie de Besançon", "Besançon", true},
		{"Côte d’Or", "Dijon", true},
		{"val d'oise", "Versailles", true},
		{"Seine-Saint-Denis", "Créteil", true},
		{"Territoire de Belfort", "Besançon", true},
		{"Réunion", "La Réunion", true},
		{"Rouen", "Normandie", true},
		{"Loire", "Lyon", true},
		{"Loire-Atlantique", "Nantes", true},
		{"Guyane", "Guyane", true},
		{"Montreuil", "Créteil", true},
		{"Bordeau", "Bordeaux", true},
		{"Paris 15e", "Paris", true},
		{"St Etienne", "Lyon", true},
		{"académie d'Aix-Marseille", "Aix-Marseille", true},
		{"Saint-Denis", "", false}, // Créteil (93) or La Réunion (974): asked with buttons
		{"20", "Corse", true},      // the former code of Corsica, still in its postcodes
		{"99", "", false},
		{"Atlantis", "", false},
		{"", "", false},
		{"   ", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeAcademie(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeAcademie(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
