package discordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call makes a REST call as the bot would and returns status and body.
func call(t *testing.T, s *Server, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+"/api/v9"+path, r)
	req.Header.Set("Authorization", "Bot "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v, resp.Header
}

// newCommandInteraction registers /ping and runs it, returning the
// interaction.
func newCommandInteraction(t *testing.T, s *Server, u User) *interaction {
	t.Helper()
	if st, _, _ := call(t, s, "POST", "/applications/"+s.AppID+"/commands", map[string]any{"name": "ping", "description": "Ping"}); st != 200 {
		t.Fatalf("create command: %d", st)
	}
	id, err := s.SlashCommand(u, s.Guild(), "ping")
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interactions[id]
}

func TestCallbackOnceAndWithinDeadline(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	u := s.NewUser("u", "fr")
	ix := newCommandInteraction(t, s, u)
	cb := "/interactions/" + ix.id + "/" + ix.token + "/callback"
	if st, _, _ := call(t, s, "POST", cb, map[string]any{"type": 5, "data": map[string]any{"flags": 64}}); st != 204 {
		t.Fatalf("first callback: %d", st)
	}
	if st, v, _ := call(t, s, "POST", cb, map[string]any{"type": 5}); st != 400 || v["code"] != float64(40060) {
		t.Errorf("second callback: %d %v, want 400 code 40060", st, v)
	}
	if acks := s.Acks(); len(acks) != 1 || acks[0].Late || acks[0].Type != 5 {
		t.Errorf("acks %+v, want one deferred ack in time", acks)
	}

	// With a deadline shorter than any round trip, every callback is late.
	late := NewServer(Options{AckDeadline: time.Nanosecond})
	defer late.Close()
	lix := newCommandInteraction(t, late, late.NewUser("v", "fr"))
	if st, v, _ := call(t, late, "POST", "/interactions/"+lix.id+"/"+lix.token+"/callback", map[string]any{"type": 5}); st != 404 || v["code"] != float64(10062) {
		t.Errorf("late callback: %d %v, want 404 Unknown interaction", st, v)
	}
	if acks := late.Acks(); len(acks) != 1 || !acks[0].Late {
		t.Errorf("acks %+v, want one late", acks)
	}
}

func TestMessageLimitsEnforced(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	u := s.NewUser("u", "fr")
	dm := s.DM(u).ChannelID
	for name, body := range map[string]map[string]any{
		"content over 2000": {"content": strings.Repeat("a", 2001)},
		"custom id over 100": {"content": "x", "components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": strings.Repeat("c", 101)}}}}},
		"empty":        {"content": ""},
		"six in a row": {"content": "x", "components": []any{map[string]any{"type": 1, "components": sixButtons()}}},
	} {
		if st, _, _ := call(t, s, "POST", "/channels/"+dm+"/messages", body); st != 400 {
			t.Errorf("%s: status %d, want 400", name, st)
		}
	}
	if st, _, _ := call(t, s, "POST", "/channels/"+dm+"/messages", map[string]any{"content": strings.Repeat("é", 2000)}); st != 200 {
		t.Errorf("2000 characters refused: %d", st)
	}
	if got := s.Messages(u.ID); len(got) != 1 {
		t.Errorf("user sees %d messages, want 1", len(got))
	}
}

func TestModalLimitsEnforced(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	u := s.NewUser("u", "fr")
	input := func(max int) map[string]any {
		return map[string]any{"type": 18, "label": "L", "component": map[string]any{"type": 4, "custom_id": "a", "style": 2, "max_length": max}}
	}
	row := map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "a", "label": "L", "style": 2}}}
	labelled := map[string]any{"type": 18, "label": "L", "component": map[string]any{"type": 4, "custom_id": "a", "label": "L", "style": 2}}
	for name, tc := range map[string]struct {
		inputs []any
		want   int
	}{
		"paragraph of 4001": {[]any{input(4001)}, 400},
		"six inputs":        {[]any{input(10), input(10), input(10), input(10), input(10), input(10)}, 400},
		"paragraph of 4000": {[]any{input(4000)}, 204},
		// Deprecated forms: an action row, a text input's own label.
		"action row":          {[]any{row}, 400},
		"labelled text input": {[]any{labelled}, 400},
	} {
		ix := newCommandInteraction(t, s, u)
		st, _, _ := call(t, s, "POST", "/interactions/"+ix.id+"/"+ix.token+"/callback",
			map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "title": "T", "components": tc.inputs}})
		if st != tc.want {
			t.Errorf("%s: status %d, want %d", name, st, tc.want)
		}
	}
	if _, err := s.SubmitModal(u, strings.Repeat("x", 4001)); err == nil {
		t.Error("submitting 4001 characters into a 4000 input was accepted")
	}
}

func TestFollowUpsNeedALiveToken(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	u := s.NewUser("u", "fr")
	ix := newCommandInteraction(t, s, u)
	hook := "/webhooks/" + s.AppID + "/" + ix.token + "?wait=true"
	if st, _, _ := call(t, s, "POST", hook, map[string]any{"content": "early"}); st != 404 {
		t.Errorf("follow-up before the ack: %d, want 404", st)
	}
	call(t, s, "POST", "/interactions/"+ix.id+"/"+ix.token+"/callback", map[string]any{"type": 5, "data": map[string]any{"flags": 64}})
	if st, v, _ := call(t, s, "POST", hook, map[string]any{"content": "first", "flags": 64}); st != 400 || v["code"] != float64(50035) {
		t.Errorf("follow-up filling the deferred response: %d %v, want 400 (deprecated form)", st, v)
	}
	original := "/webhooks/" + s.AppID + "/" + ix.token + "/messages/@original"
	if st, _, _ := call(t, s, "PATCH", original, map[string]any{"content": "first"}); st != 200 {
		t.Errorf("fill original: %d", st)
	}
	if st, _, _ := call(t, s, "PATCH", original, map[string]any{"content": "edited"}); st != 200 {
		t.Errorf("edit original: %d", st)
	}
	if st, v, _ := call(t, s, "POST", hook, map[string]any{"content": "second", "flags": 64}); st != 200 || v["id"] == "" {
		t.Errorf("follow-up: %d %v", st, v)
	}
	msgs := s.Messages(u.ID)
	if len(msgs) != 2 || msgs[0].Content != "edited" || !msgs[0].Ephemeral || msgs[1].Content != "second" {
		t.Errorf("messages %+v, want the deferred response filled then edited, ephemeral, then a follow-up", msgs)
	}
	s.ExpireInteraction(ix.id)
	if st, v, _ := call(t, s, "POST", hook, map[string]any{"content": "late"}); st != 404 || v["code"] != float64(10015) {
		t.Errorf("follow-up after expiry: %d %v, want 404 Unknown Webhook", st, v)
	}
}

func TestRateLimitAnswers429WithHeaders(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	s.RateLimit("GET /users/@me", 1, 1500*time.Millisecond, true)
	st, v, h := call(t, s, "GET", "/users/@me", nil)
	if st != 429 || v["retry_after"] != 1.5 || h.Get("X-RateLimit-Global") != "true" || h.Get("X-RateLimit-Reset-After") != "1.500" {
		t.Errorf("got %d %v %v", st, v, h)
	}
	if st, v, _ := call(t, s, "GET", "/users/@me", nil); st != 200 || v["id"] != s.AppID {
		t.Errorf("after the limit: %d %v", st, v)
	}
	if s.RateLimited() != 1 {
		t.Errorf("counted %d 429s", s.RateLimited())
	}
}

func TestMultipartMessageWithFiles(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	u := s.NewUser("u", "fr")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("payload_json", `{"content":"export","allowed_mentions":{"parse":[]}}`)
	fw, _ := w.CreateFormFile("files[0]", "export.csv")
	fw.Write([]byte("a,b\n1,2\n"))
	w.Close()
	req, _ := http.NewRequest("POST", s.URL+"/api/v9/channels/"+s.DM(u).ChannelID+"/messages", &buf)
	req.Header.Set("Authorization", "Bot "+s.Token)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	msgs := s.Messages(u.ID)
	if resp.StatusCode != 200 || len(msgs) != 1 || len(msgs[0].Files) != 1 || msgs[0].Files[0].Name != "export.csv" || !msgs[0].NoMentions {
		t.Errorf("status %d, messages %+v", resp.StatusCode, msgs)
	}
}

func TestUnauthorizedWithoutBotToken(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	req, _ := http.NewRequest("GET", s.URL+"/api/v9/users/@me", nil)
	req.Header.Set("Authorization", s.Token) // missing "Bot "
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
}

func sixButtons() []any {
	var bs []any
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		bs = append(bs, map[string]any{"type": 2, "style": 2, "label": id, "custom_id": id})
	}
	return bs
}

func TestDeprecatedDMPermissionRefused(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	path := "/applications/" + s.AppID + "/commands"
	if st, v, _ := call(t, s, "POST", path, map[string]any{"name": "ping", "description": "Ping", "dm_permission": true}); st != 400 || v["code"] != float64(50035) {
		t.Errorf("command with dm_permission: %d %v, want 400 (deprecated for contexts)", st, v)
	}
	if st, _, _ := call(t, s, "POST", path, map[string]any{"name": "ping", "description": "Ping", "contexts": []int{0}, "integration_types": []int{0}}); st != 200 {
		t.Errorf("command with contexts: %d", st)
	}
	u := s.NewUser("u", "fr")
	if _, err := s.SlashCommand(u, s.Guild(), "ping"); err != nil {
		t.Errorf("guild-only command in a server: %v", err)
	}
	if _, err := s.SlashCommand(u, s.DM(u), "ping"); err == nil {
		t.Error("a guild-only command ran in a direct message")
	}
}
