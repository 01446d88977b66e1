package fault_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consultbot/internal/fault"
)

// server answers {"ok":true} through in, counting the requests handled.
func server(t *testing.T, in *fault.Injector, random bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var handled atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jsonError := func(w http.ResponseWriter, status int) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": status, "description": "Internal Server Error"})
		}
		in.Serve(w, r, strings.TrimPrefix(r.URL.Path, "/"), random, jsonError, func(w http.ResponseWriter, r *http.Request) {
			handled.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &handled
}

func TestEachKindFailsAsAClientSeesIt(t *testing.T) {
	for _, tc := range []struct {
		kind    fault.Kind
		status  int    // 0: no answer at all
		body    string // a piece of the body
		handled bool   // the request took effect
	}{
		{fault.Status500, 500, `"error_code":500`, false},
		{fault.BadGateway, 502, "<title>502 Bad Gateway</title>", false},
		{fault.Reset, 0, "", false},
		{fault.Timeout, 0, "", true},
		{fault.BrokenJSON, 200, `{"ok":true,"res`, true},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			in := fault.New(fault.Options{Hang: 50 * time.Millisecond})
			in.Always("sendDocument", tc.kind)
			srv, handled := server(t, in, false)
			resp, err := http.Post(srv.URL+"/sendDocument", "text/plain", nil)
			if tc.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got status %d, want no answer", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
					t.Errorf("got %d %q, want %d with %q", resp.StatusCode, b, tc.status, tc.body)
				}
				if tc.kind == fault.BrokenJSON && json.Valid(b) {
					t.Errorf("body %q is valid JSON", b)
				}
			}
			if got := handled.Load() == 1; got != tc.handled {
				t.Errorf("request handled: %v, want %v", got, tc.handled)
			}
			// Other requests are not touched, and Clear ends the failures.
			for _, path := range []string{"/sendMessage", "/sendDocument"} {
				if path == "/sendDocument" {
					in.Clear("sendDocument")
				}
				resp, err := http.Post(srv.URL+path, "text/plain", nil)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("%s: status %d", path, resp.StatusCode)
				}
			}
			if c := in.Counts(); c[tc.kind] != 1 || in.Total() != 1 {
				t.Errorf("counts %v, want one %s", c, tc.kind)
			}
		})
	}
}

func TestRandomFaultsFollowTheSeedAndRate(t *testing.T) {
	draw := func(seed uint64) []int {
		in := fault.New(fault.Options{Rate: 0.2, Seed: seed, Kinds: []fault.Kind{fault.Status500, fault.BadGateway}})
		srv, _ := server(t, in, true)
		var statuses []int
		for range 500 {
			resp, err := http.Post(srv.URL+"/sendMessage", "text/plain", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		return statuses
	}
	a, b := draw(7), draw(7)
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %d then %d with the same seed", i, a[i], b[i])
		}
		if a[i] != 200 {
			failed++
		}
	}
	// 20 % of 500 is 100; a binomial draw stays well within 60–140.
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 500 requests failed at rate 0.2", failed)
	}
	in := fault.New(fault.Options{Rate: 1})
	srv, _ := server(t, in, false)
	resp, err := http.Post(srv.URL+"/getMe", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || in.Total() != 0 {
		t.Errorf("a request not eligible for random faults failed: %d", resp.StatusCode)
	}
}

// A request held by a Timeout whose body was never read to its end is not
// cancelled when its client goes; Close ends it, so that the fake's server
// can close instead of waiting out the hang.
func TestCloseEndsHeldTimeouts(t *testing.T) {
	in := fault.New(fault.Options{Hang: time.Hour})
	in.Always("sendPhoto", fault.Timeout)
	released := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.Serve(w, r, "sendPhoto", false, nil, func(http.ResponseWriter, *http.Request) {})
		close(released)
	}))
	t.Cleanup(srv.Close)
	// Runs first, should the test fail.
	t.Cleanup(in.Close)
	// More than the server reads ahead of the handler.
	body := strings.NewReader(strings.Repeat("x", 1<<20))
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/sendPhoto", body)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a held request was answered")
	}
	in.Close()
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("the held request is still held after Close")
	}
}
