package discord_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"consultbot/bot/discord/discordtest"
)

// openAPIPath is Discord's OpenAPI description of its HTTP API (see the
// README beside it), in the shared/ folder that sits beside the repository
// (tests run in this package's directory); DISCORD_OPENAPI overrides it.
const openAPIPath = "../../../shared/specs/discord-openapi.json"

// contract holds the specification, loaded once for every test.
var contract struct {
	once     sync.Once
	err      error
	paths    map[string]map[string]any // path template → method → operation
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

func loadContract() error {
	contract.once.Do(func() {
		path := os.Getenv("DISCORD_OPENAPI")
		if path == "" {
			path = openAPIPath
		}
		f, err := os.Open(path)
		if err != nil {
			contract.err = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			contract.err = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource("spec.json", doc); err != nil {
			contract.err = err
			return
		}
		contract.compiler = c
		contract.schemas = map[string]*jsonschema.Schema{}
		contract.paths = map[string]map[string]any{}
		for p, item := range doc.(map[string]any)["paths"].(map[string]any) {
			contract.paths[p] = item.(map[string]any)
		}
	})
	return contract.err
}

// checkContract validates every JSON request the bot sent the fake
// against the request schema of its operation in Discord's OpenAPI
// description. Without the file it only says so, but fails under CI.
func checkContract(t *testing.T, reqs []discordtest.Request) {
	t.Helper()
	if err := loadContract(); err != nil {
		if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "" {
			t.Logf("requests not checked: Discord's OpenAPI description not found: %v", err)
			return
		}
		t.Fatalf("load Discord's OpenAPI description: %v", err)
	}
	for _, r := range reqs {
		if err := validateRequest(r); err != nil {
			t.Errorf("%s %s does not follow Discord's API description: %v\nbody: %s", r.Method, redactPath(r.Path), err, r.JSON)
		}
	}
}

// validateRequest checks one request's body against its operation's
// application/json request schema.
func validateRequest(r discordtest.Request) error {
	tmpl, ok := matchPath(r.Path)
	if !ok {
		return fmt.Errorf("no such path in the description")
	}
	op, ok := contract.paths[tmpl][strings.ToLower(r.Method)].(map[string]any)
	if !ok {
		return fmt.Errorf("no %s operation on %s", r.Method, tmpl)
	}
	if _, ok := op["requestBody"]; !ok {
		return fmt.Errorf("the operation takes no body")
	}
	ptr := "spec.json#/paths/" + escapePointer(tmpl) + "/" + strings.ToLower(r.Method) + "/requestBody/content/application~1json/schema"
	contract.mu.Lock()
	sch, ok := contract.schemas[ptr]
	if !ok {
		var err error
		if sch, err = contract.compiler.Compile(ptr); err != nil {
			contract.mu.Unlock()
			return fmt.Errorf("compile %s: %w", ptr, err)
		}
		contract.schemas[ptr] = sch
	}
	contract.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(r.JSON)))
	if err != nil {
		return err
	}
	return sch.Validate(numberStrings(v))
}

// digits is a string of digits, as Discord writes permission sets.
var digits = regexp.MustCompile(`^[0-9]+$`)

// numberStrings turns a default_member_permissions string of digits into
// a number: the description types it as an integer, but Discord's
// documentation and API take a string (a permission set overflows
// JavaScript numbers) and Discord accepts number strings in integer fields.
func numberStrings(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "default_member_permissions" && digits.MatchString(s) {
				n, _ := strconv.ParseInt(s, 10, 64)
				v[k] = json.Number(strconv.FormatInt(n, 10))
				continue
			}
			v[k] = numberStrings(x)
		}
	case []any:
		for i, x := range v {
			v[i] = numberStrings(x)
		}
	}
	return v
}

// matchPath finds the path template p instantiates, preferring the one
// with the most literal segments (…/messages/@original over
// …/messages/{message_id}).
func matchPath(p string) (string, bool) {
	seg := strings.Split(strings.Trim(p, "/"), "/")
	best, bestScore := "", -1
	for tmpl := range contract.paths {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(seg) {
			continue
		}
		score := 0
		for i, s := range ts {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				continue
			}
			if s != seg[i] {
				score = -1
				break
			}
			score++
		}
		if score > bestScore {
			best, bestScore = tmpl, score
		}
	}
	return best, bestScore >= 0
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// redactPath hides interaction tokens from failure messages.
func redactPath(p string) string {
	seg := strings.Split(p, "/")
	for i, s := range seg {
		if len(s) > 40 {
			seg[i] = "{token}"
		}
	}
	return strings.Join(seg, "/")
}

// TestContractCatchesInvalidRequests: the check refuses what Discord's
// description refuses, and takes a permission set as a string of digits.
func TestContractCatchesInvalidRequests(t *testing.T) {
	if err := loadContract(); err != nil {
		if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "" {
			t.Skipf("Discord's OpenAPI description not found: %v", err)
		}
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, body string
		ok                 bool
	}{
		{"POST", "/interactions/1/tok/callback", `{"type":9,"data":{"custom_id":"m","title":"T","components":[{"type":18,"label":"L","component":{"type":4,"custom_id":"a","style":2}}]}}`, true},
		{"POST", "/interactions/1/tok/callback", `{"type":9,"data":{"custom_id":"m","title":"T","components":[{"type":18,"label":"L","component":{"type":4,"custom_id":"a","style":7}}]}}`, false},
		{"PATCH", "/webhooks/1/tok/messages/@original", `{"content":"x","allowed_mentions":{"parse":[]}}`, true},
		{"PATCH", "/webhooks/1/tok/messages/@original", `{"content":5}`, false},
		{"PUT", "/applications/1/guilds/2/commands", `[{"name":"stats","description":"Stats","default_member_permissions":"32","contexts":[0],"integration_types":[0]}]`, true},
		{"PUT", "/applications/1/guilds/2/commands", `[{"name":"stats","description":"Stats","contexts":[7]}]`, false},
	} {
		err := validateRequest(discordtest.Request{Method: tc.method, Path: tc.path, JSON: json.RawMessage(tc.body)})
		if (err == nil) != tc.ok {
			t.Errorf("%s %s %s: err %v, want valid %v", tc.method, tc.path, tc.body, err, tc.ok)
		}
	}
}
