package discord

import (
	"net/http/httptest"
	"testing"
)

// TestAPIRouteNamesIDsAndTokensAlike: ids and interaction or webhook
// tokens become {id}, so that no token is a metric label and routes stay
// few.
func TestAPIRouteNamesIDsAndTokensAlike(t *testing.T) {
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/api/v9/channels/345678901234567890/messages", "POST channels/{id}/messages"},
		{"POST", "/api/v9/interactions/1234/aW50ZXJhY3Rpb246c2VjcmV0/callback", "POST interactions/{id}/{id}/callback"},
		{"PATCH", "/api/v9/webhooks/42/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original", "PATCH webhooks/{id}/{id}/messages/@original"},
		{"GET", "/api/v9/gateway", "GET gateway"},
	} {
		if got := apiRoute(httptest.NewRequest(c.method, "http://127.0.0.1:1"+c.path, nil)); got != c.want {
			t.Errorf("apiRoute(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
