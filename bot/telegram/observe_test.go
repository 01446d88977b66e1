package telegram

import (
	"net/http/httptest"
	"testing"
)

// TestAPIMethodNeverHoldsTheToken: the method label of a Bot API call is
// the method alone, whatever the path holds.
func TestAPIMethodNeverHoldsTheToken(t *testing.T) {
	for path, want := range map[string]string{
		"/bot123456:AAE-secret_token/sendMessage":           "sendMessage",
		"/bot123456:AAE-secret_token/getUpdates":            "getUpdates",
		"/bot123456:AAE-secret_token/":                      "other",
		"/file/bot123456:AAE-secret_token/voice/file_1.oga": "other",
	} {
		if got := apiMethod(httptest.NewRequest("POST", path, nil)); got != want {
			t.Errorf("apiMethod(%s) = %q, want %q", path, got, want)
		}
	}
}
