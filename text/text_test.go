package text

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryTextInBothLanguages walks the catalogues field by field: every
// text has a French and an English version, every map has the same keys
// in both, and a format takes as many arguments in both (unless it picks
// them by index, as a language that needs fewer does).
func TestEveryTextInBothLanguages(t *testing.T) {
	fr, en := reflect.ValueOf(french), reflect.ValueOf(english)
	n := compare(t, "Catalog", fr, en)
	if n < 50 {
		t.Errorf("only %d texts compared: the walk misses fields", n)
	}
	t.Logf("%d texts, each in French and English", n)
	if french.Lang != FR || english.Lang != EN {
		t.Errorf("catalogue languages %q, %q", french.Lang, english.Lang)
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

func verbs(s string) (n int, indexed bool) {
	for _, m := range verb.FindAllString(s, -1) {
		if m == "%%" {
			continue
		}
		n++
		indexed = indexed || strings.Contains(m, "[")
	}
	return n, indexed
}

// compare checks that fr and en have the same texts at path, and returns
// how many strings it compared.
func compare(t *testing.T, path string, fr, en reflect.Value) int {
	t.Helper()
	switch fr.Kind() {
	case reflect.String:
		f, e := fr.String(), en.String()
		if strings.TrimSpace(f) == "" || strings.TrimSpace(e) == "" {
			if f != e || path != "Catalog.Organiser.Commands[stats].Args" {
				t.Errorf("%s: French %q, English %q: want both", path, f, e)
			}
			return 1
		}
		nf, idf := verbs(f)
		ne, ide := verbs(e)
		if nf != ne && !idf && !ide {
			t.Errorf("%s: French takes %d arguments, English %d:\n%q\n%q", path, nf, ne, f, e)
		}
		return 1
	case reflect.Struct:
		n := 0
		for i := range fr.NumField() {
			n += compare(t, path+"."+fr.Type().Field(i).Name, fr.Field(i), en.Field(i))
		}
		return n
	case reflect.Map:
		keys := func(m reflect.Value) []string {
			var ks []string
			for _, k := range m.MapKeys() {
				ks = append(ks, k.String())
			}
			slices.Sort(ks)
			return ks
		}
		if kf, ke := keys(fr), keys(en); !slices.Equal(kf, ke) {
			t.Errorf("%s: French has %v, English %v", path, kf, ke)
			return 0
		}
		n := 0
		for _, k := range fr.MapKeys() {
			n += compare(t, path+"["+k.String()+"]", fr.MapIndex(k), en.MapIndex(k))
		}
		return n
	}
	if path == "Catalog.Naming" {
		return 0 // how the texts name commands, set for each channel
	}
	t.Errorf("%s: a %s in the catalogue; texts are strings, structs and maps", path, fr.Kind())
	return 0
}

func TestForPicksTheLanguage(t *testing.T) {
	for code, want := range map[string]string{"fr": FR, "en": EN, "en-GB": EN, "en-US": EN, "": FR, "de": FR, "fr-CA": FR} {
		if got := For(code).Lang; got != want {
			t.Errorf("For(%q) is %s, want %s", code, got, want)
		}
	}
}

// shown are the fields of replies, messages and buttons that a person
// reads: flows.Reply and flows.Option, bot.Outgoing, bot.Image and
// bot.Redirect, the organiser's Result, discordgo's message data and
// tgbotapi's messages.
var shown = map[string]bool{
	"Text": true, "Lead": true, "Title": true, "Label": true, "Caption": true, "Note": true,
	"Markup": true, "Plain": true, "Content": true, "Description": true,
}

// userFacing are the packages whose code builds what people read.
var userFacing = []string{"flows", "digest", "organiser", "bot", "text", "cmd/consultbot"}

// TestNoTextShownIsBuiltFromAGoError reads the code that builds what
// people read and fails where a field a person reads is set from a Go
// error (err.Error(), or err formatted): what a person reads comes from
// this catalogue, and a Go error, whose words are for operators and may
// hold internal details, goes to the logs.
func TestNoTextShownIsBuiltFromAGoError(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	for _, dir := range userFacing {
		root := filepath.Join("..", dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (strings.HasSuffix(path, "test") || d.Name() == "testdata") && path != root {
				return filepath.SkipDir // fakes of the platforms
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				check := func(name string, value ast.Expr) {
					if shown[name] && fromError(value) {
						t.Errorf("%s: %s is set from a Go error; take the text from the catalogue and log the error",
							fset.Position(value.Pos()), name)
					}
				}
				switch n := n.(type) {
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok {
						check(k.Name, n.Value)
					}
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if sel, ok := l.(*ast.SelectorExpr); ok && i < len(n.Rhs) {
							check(sel.Sel.Name, n.Rhs[i])
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 50 {
		t.Errorf("read %d files: the walk misses the code", files)
	}
}

// fromError reports whether e calls an Error method or uses a variable
// named like an error (err, cerr…), other than through Message, which
// maps an error to its text in the catalogue (as wtf's ErrorMessage does).
func fromError(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch f := n.Fun.(type) {
			case *ast.SelectorExpr:
				if f.Sel.Name == "Error" && len(n.Args) == 0 {
					found = true
				}
				if f.Sel.Name == "Message" {
					return false
				}
			case *ast.Ident:
				if f.Name == "Message" {
					return false
				}
			}
		case *ast.Ident:
			if n.Name == "err" || strings.HasSuffix(n.Name, "err") && len(n.Name) <= 5 || strings.HasSuffix(n.Name, "Err") {
				found = true
			}
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

// TestRemindersSentAgree: « mes données » counts the reminders sent with
// a singular or a plural that agrees, in each language.
func TestRemindersSentAgree(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{FR, 1, "1 rappel envoyé"},
		{FR, 2, "2 rappels envoyés"},
		{EN, 1, "1 reminder sent"},
		{EN, 2, "2 reminders sent"},
	} {
		c := For(tc.lang)
		if got := fmt.Sprintf(c.Reminders.DataSent, tc.n, c.Count(tc.n, c.Reminders.SentNoun)); got != tc.want {
			t.Errorf("%s, %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
