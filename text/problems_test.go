package text

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestEveryProblemWorded: every Problem declared in cli.go, which the
// configuration's checks report, has its wording in both catalogues, so
// that no report falls back to the problem's bare name.
func TestEveryProblemWorded(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "cli.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var problems []Problem
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); !ok || id.Name != "Problem" {
			return true
		}
		for _, v := range spec.Values {
			lit, ok := v.(*ast.BasicLit)
			if !ok {
				continue
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			problems = append(problems, Problem(s))
		}
		return true
	})
	if len(problems) < 50 {
		t.Fatalf("found %d problems in cli.go: the walk misses them", len(problems))
	}
	for _, c := range []*Catalog{&french, &english} {
		for _, p := range problems {
			if strings.TrimSpace(c.CLI.Problems[p]) == "" {
				t.Errorf("%s: problem %q has no wording", c.Lang, p)
			}
		}
		if len(c.CLI.Problems) != len(problems) {
			t.Errorf("%s: %d wordings for %d problems", c.Lang, len(c.CLI.Problems), len(problems))
		}
	}
}
