package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"consultbot/text"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// ConfigError is one problem of the configuration, as data: the key it
// is about, where it stands in the file, and what is wrong. Everything
// that reports, places or sorts problems reads these fields; nothing reads
// a key back out of an error's text.
type ConfigError struct {
	// File is the configuration file; empty when the problem is not
	// placed in one (a default value, an environment variable).
	File string
	// Key is the dotted key ("telegram.global_rate") or table ("digest")
	// the problem is about; empty for a syntax error.
	Key string
	// Line and Column locate the problem in File; 0 when unknown (a key
	// that is not in the file; a problem about a whole key, which has a
	// line only).
	Line, Column int
	// Unknown reports a key the configuration does not have.
	Unknown bool
	// Suggest is, for an unknown key, the known key it was probably
	// meant to be; empty when none is close.
	Suggest string
	// Problem says what is wrong, in plain words, without the key: a text
	// of the catalogue (text.CLI.Problems), with its Args, so that the
	// report is worded in the language of the person who reads it.
	Problem text.Problem
	Args    []any
}

// phrase is an argument of a problem that is worded in the catalogue
// too (a type with its element, say).
type phrase struct {
	problem text.Problem
	args    []any
}

// Error writes the problem in English, as the logs have it:
// `config "F" line L column C: key: problem`, leaving out what is not
// known.
func (e *ConfigError) Error() string { return e.In(&text.For(text.EN).CLI) }

// In writes the problem with t, the command line's texts in one language.
func (e *ConfigError) In(t *text.CLI) string {
	var where string
	switch {
	case e.Line > 0:
		where = fmt.Sprintf(t.ConfigAt, e.File, e.Line)
		if e.Column > 0 {
			where += fmt.Sprintf(t.ConfigColumn, e.Column)
		}
	case e.File != "":
		where = fmt.Sprintf(t.ConfigIn, e.File)
	}
	var what string
	switch {
	case e.Unknown && e.Suggest != "":
		what = fmt.Sprintf(t.UnknownKeyMeant, e.Key, e.Suggest)
	case e.Unknown:
		what = fmt.Sprintf(t.UnknownKey, e.Key)
	case e.Key != "":
		what = fmt.Sprintf(t.Then, e.Key, word(t, e.Problem, e.Args))
	default:
		what = word(t, e.Problem, e.Args)
	}
	if where == "" {
		return what
	}
	return fmt.Sprintf(t.Then, where, what)
}

// word writes problem p with its arguments, those that are worded in the
// catalogue too in the same language.
func word(t *text.CLI, p text.Problem, args []any) string {
	format, ok := t.Problems[p]
	if !ok {
		format = string(p) // TestEveryProblemWorded keeps this from happening
	}
	a := make([]any, len(args))
	for i, arg := range args {
		switch arg := arg.(type) {
		case text.Problem:
			a[i] = word(t, arg, nil)
		case phrase:
			a[i] = word(t, arg.problem, arg.args)
		default:
			a[i] = arg
		}
	}
	return fmt.Sprintf(format, a...)
}

// invalid is a problem of the value of key, found after decoding.
func invalid(key string, p text.Problem, args ...any) *ConfigError {
	return &ConfigError{Key: key, Problem: p, Args: args}
}

// configSource remembers where each key of a config file stands, so that a
// problem found after decoding (by Validate) names the line to fix.
type configSource struct {
	path string
	// at holds the position of every key and table header of the file,
	// by dotted path ("telegram.global_rate", "digest").
	at map[string]unstable.Position
	// mistyped holds the keys whose value had the wrong type: they kept
	// their default, and a semantic complaint about them would only
	// repeat the type error.
	mistyped map[string]bool
}

// place gives each problem about a key of the file that key's line, and
// drops those about a key whose type was wrong already.
func (s *configSource) place(errs []error) []error {
	if s == nil {
		return errs
	}
	out := errs[:0]
	for _, err := range errs {
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Line == 0 {
			if s.mistyped[ce.Key] {
				continue
			}
			if p, ok := s.at[ce.Key]; ok {
				ce.File, ce.Line = s.path, p.Line
			}
		}
		out = append(out, err)
	}
	sortByLine(out)
	return out
}

// sortByLine orders problems as they appear in the file; those that are
// in no line (a required key missing) come last, in their given order.
func sortByLine(errs []error) {
	line := func(err error) int {
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Line > 0 {
			return ce.Line
		}
		return math.MaxInt
	}
	slices.SortStableFunc(errs, func(a, b error) int { return cmp.Compare(line(a), line(b)) })
}

// problems lists the problems joined in err.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// tomlExpr is one top-level expression of a TOML file (a table header or a
// key = value line), copied out of the parser.
type tomlExpr struct {
	kind   unstable.Kind // Table, ArrayTable or KeyValue
	header string        // the enclosing table header, as written ("[telegram]")
	key    []string      // the full key: table + dotted key
	raw    []byte        // key = value as written, KeyValue only
	pos    unstable.Position
	value  valueShape
}

// valueShape is what a value looked like in the file, for a type error
// in plain words.
type valueShape struct {
	kind  unstable.Kind
	elems []unstable.Kind // of an array
}

// scanConfig lists the expressions of a well-formed TOML document and the
// position of every key, inline tables included. A key or table defined
// twice is reported as twice, the first time it happens.
func scanConfig(data []byte) (exprs []tomlExpr, at map[string]unstable.Position, twice *ConfigError, err error) {
	var p unstable.Parser
	p.Reset(data)
	at = map[string]unstable.Position{}
	var table []string
	header := ""
	define := func(key string, pos unstable.Position) {
		if _, ok := at[key]; ok && twice == nil {
			twice = &ConfigError{Key: key, Line: pos.Line, Column: pos.Column, Problem: text.DefinedTwice}
		}
		at[key] = pos
	}
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			keys, first, last := keyParts(n.Key())
			table = keys
			name := string(data[first.Offset : last.Offset+last.Length])
			header = "[" + name + "]"
			pos := p.Shape(first).Start
			if n.Kind == unstable.ArrayTable {
				header = "[" + header + "]"
				// Each [[name]] starts a new element: its keys are new.
				prefix := strings.Join(keys, ".")
				for k := range at {
					if k == prefix || strings.HasPrefix(k, prefix+".") {
						delete(at, k)
					}
				}
			}
			define(strings.Join(keys, "."), pos)
			exprs = append(exprs, tomlExpr{kind: n.Kind, header: header, key: keys, pos: pos, value: valueShape{kind: unstable.Table}})
		case unstable.KeyValue:
			keys, first, _ := keyParts(n.Key())
			full := append(append([]string(nil), table...), keys...)
			pos := p.Shape(first).Start
			define(strings.Join(full, "."), pos)
			v := n.Value()
			recordInline(&p, v, full, at)
			shape := valueShape{kind: v.Kind}
			if v.Kind == unstable.Array {
				for it := v.Children(); it.Next(); {
					shape.elems = append(shape.elems, it.Node().Kind)
				}
			}
			exprs = append(exprs, tomlExpr{kind: n.Kind, header: header, key: full, raw: p.Raw(n.Raw), pos: pos, value: shape})
		}
	}
	return exprs, at, twice, p.Error()
}

// keyParts returns the parts of a dotted key and the ranges of its first
// and last parts.
func keyParts(it unstable.Iterator) (parts []string, first, last unstable.Range) {
	for i := 0; it.Next(); i++ {
		k := it.Node()
		if i == 0 {
			first = k.Raw
		}
		last = k.Raw
		parts = append(parts, string(k.Data))
	}
	return parts, first, last
}

// recordInline records the keys of an inline table value.
func recordInline(p *unstable.Parser, v *unstable.Node, prefix []string, at map[string]unstable.Position) {
	if v.Kind != unstable.InlineTable {
		return
	}
	for it := v.Children(); it.Next(); {
		kv := it.Node()
		keys, first, _ := keyParts(kv.Key())
		full := append(append([]string(nil), prefix...), keys...)
		at[strings.Join(full, ".")] = p.Shape(first).Start
		recordInline(p, kv.Value(), full, at)
	}
}

// decodeEach decodes a well-formed document one expression at a time, so
// that a value of the wrong type does not hide the problems after it: it
// applies every expression that decodes and returns one error per unknown
// key or wrong type, each at its line in the file.
func decodeEach(path string, exprs []tomlExpr, cfg *Config, src *configSource) []error {
	var errs []error
	unknown := map[string]bool{}
	for _, e := range exprs {
		var doc bytes.Buffer
		first := 1 // line of the document where the expression starts
		switch e.kind {
		case unstable.KeyValue:
			if e.header != "" {
				doc.WriteString(e.header + "\n")
				first = 2
			}
			doc.Write(e.raw)
		default:
			doc.WriteString(e.header)
		}
		doc.WriteString("\n")
		// where maps a position in doc back to the file.
		where := func(line, col int) (int, int) {
			if e.kind != unstable.KeyValue {
				return e.pos.Line, col // a header: [name] as written
			}
			if line == first {
				return e.pos.Line, e.pos.Column + col - 1
			}
			return e.pos.Line + line - first, col
		}

		tmp := *cfg
		dec := toml.NewDecoder(&doc)
		dec.DisallowUnknownFields()
		err := dec.Decode(&tmp)
		var strict *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case err == nil:
			*cfg = tmp
		case errors.As(err, &strict):
			// The rest of the expression decoded: keep it.
			*cfg = tmp
			for _, m := range strict.Errors {
				key := strings.Join(m.Key(), ".")
				if underAny(key, unknown) {
					continue // [discrod] already said; not each key in it
				}
				unknown[key] = true
				line, col := where(m.Position())
				errs = append(errs, unknownKey(path, key, line, col))
			}
		case errors.As(err, &de):
			key := e.key
			if k := de.Key(); len(k) > len(key) {
				key = k
			}
			name := strings.Join(key, ".")
			src.mistyped[name] = true
			line, col := where(de.Position())
			ce := &ConfigError{File: path, Key: name, Line: line, Column: col,
				Problem: text.Syntax, Args: []any{strings.TrimPrefix(de.Error(), "toml: ")}}
			if len(key) == len(e.key) && e.value.kind != unstable.InlineTable {
				if t, ok := fieldType(reflect.TypeFor[Config](), key); ok {
					ce.Problem, ce.Args = text.WrongType, []any{typeWords(t), shapeWords(e.value, t)}
				}
			}
			errs = append(errs, ce)
		default:
			line, col := where(1, 1)
			errs = append(errs, &ConfigError{File: path, Key: strings.Join(e.key, "."), Line: line, Column: col,
				Problem: text.Syntax, Args: []any{err.Error()}})
		}
	}
	return errs
}

// unknownKey is the problem of a key the configuration does not have,
// with the key it was probably meant to be.
func unknownKey(path, key string, line, col int) *ConfigError {
	return &ConfigError{File: path, Key: key, Line: line, Column: col, Unknown: true, Suggest: suggestKey(key)}
}

// suggestKey names the known key an unknown one was probably meant to
// be: the same name in another table (closes_at belongs to
// [consultation]), else a key or table within two typos (« tokn »,
// « [discrod] »). Empty when no one key stands out.
func suggestKey(unknown string) string {
	table, name, ok := strings.Cut(unknown, ".")
	if !ok {
		table, name = "", unknown
	}
	// Tables (and top-level keys) when no table was named, else the
	// keys of the table named.
	var elsewhere, tops, inTable []string
	for _, k := range configKeys(reflect.TypeFor[Config](), "") {
		kt, kn, leaf := strings.Cut(k, ".")
		switch {
		case !leaf:
			tops = append(tops, kt)
		case kn == name && kt != table:
			elsewhere = append(elsewhere, k)
		case kt == table:
			inTable = append(inTable, kn)
		}
	}
	if len(elsewhere) == 1 {
		return elsewhere[0]
	}
	typos := func(string) int { return min(2, len(name)/3) }
	if !ok {
		return onlyNear(name, tops, typos)
	}
	if k := onlyNear(name, inTable, typos); k != "" {
		return table + "." + k
	}
	return ""
}

// configKeys lists the tables of t, a struct decoded from the file, and
// their dotted keys: "consultation", "consultation.closes_at"…
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && prefix == "" {
			keys = append(keys, name)
			keys = append(keys, configKeys(f.Type, name+".")...)
			continue
		}
		keys = append(keys, prefix+name)
	}
	return keys
}

// underAny reports whether key is one of set or below one of them.
func underAny(key string, set map[string]bool) bool {
	for k := range set {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// fieldType finds the Go type a dotted key decodes into.
func fieldType(t reflect.Type, key []string) (reflect.Type, bool) {
	for _, part := range key {
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		found := false
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if name == part {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return t, true
}

// typeWords says in plain words what a value of type t is written as.
func typeWords(t reflect.Type) phrase {
	switch t.Kind() {
	case reflect.String:
		return phrase{problem: text.TypeQuoted}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return phrase{problem: text.TypeWhole}
	case reflect.Float32, reflect.Float64:
		return phrase{problem: text.TypeNumber}
	case reflect.Bool:
		return phrase{problem: text.TypeBool}
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.String:
			return phrase{problem: text.TypeStrings}
		case reflect.Int, reflect.Int64:
			return phrase{problem: text.TypeWholes}
		}
		return phrase{problem: text.TypeList}
	case reflect.Struct:
		return phrase{problem: text.TypeSection}
	}
	return phrase{text.TypeOther, []any{t.String()}}
}

// shapeWords says in plain words what the file holds instead of a t. For a
// list, it names the first element that does not fit.
func shapeWords(v valueShape, t reflect.Type) phrase {
	if v.kind == unstable.Array && t.Kind() == reflect.Slice {
		for _, k := range v.elems {
			if !fits(k, t.Elem()) {
				return phrase{text.TypeListOf, []any{kindWords(k)}}
			}
		}
	}
	return kindWords(v.kind)
}

// fits reports whether a TOML value of kind k decodes into a t.
func fits(k unstable.Kind, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return k == unstable.String
	case reflect.Int, reflect.Int64:
		return k == unstable.Integer
	case reflect.Float64:
		return k == unstable.Integer || k == unstable.Float
	}
	return true
}

func kindWords(k unstable.Kind) phrase {
	switch k {
	case unstable.String:
		return phrase{problem: text.TypeString}
	case unstable.Integer:
		return phrase{problem: text.TypeWhole}
	case unstable.Float:
		return phrase{problem: text.TypeDecimal}
	case unstable.Bool:
		return phrase{problem: text.TypeBool}
	case unstable.DateTime, unstable.LocalDateTime, unstable.LocalDate, unstable.LocalTime:
		return phrase{problem: text.TypeDate}
	case unstable.Array:
		return phrase{problem: text.TypeList}
	case unstable.InlineTable, unstable.Table, unstable.ArrayTable:
		return phrase{problem: text.TypeTable}
	}
	return phrase{text.TypeOther, []any{k.String()}}
}
