package telegram_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/internal/fault"
	"consultbot/voice"
)

// TestOpenVoiceDownloadsTheFile: getFile, then the download from
// /file/bot<token>/<path>, gives the voice note's bytes; a download that
// fails may pass, an unknown file is refused for good, and no error holds
// the token.
func TestOpenVoiceDownloadsTheFile(t *testing.T) {
	fake := newFake(t)
	ad, err := telegram.New(t.Context(), nil, telegram.Options{Token: fake.Token(), APIEndpoint: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("OggS a voice note")
	_, fileID := fake.SendVoiceData(telegramtest.User{ID: 42}, 3, want)

	rc, err := ad.OpenVoice(t.Context(), voice.Ref{FileID: fileID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("downloaded %q, %v; want %q", got, err, want)
	}
	if fake.Requests("getFile") != 1 || fake.Requests(telegramtest.MethodFile) != 1 {
		t.Errorf("getFile %d, downloads %d; want 1 each", fake.Requests("getFile"), fake.Requests(telegramtest.MethodFile))
	}

	var perm interface{ Permanent() bool }
	for _, k := range []fault.Kind{fault.Status500, fault.BadGateway, fault.Reset} {
		fake.Faults().Always(telegramtest.MethodFile, k)
		_, err = ad.OpenVoice(t.Context(), voice.Ref{FileID: fileID})
		if err == nil || errors.As(err, &perm) && perm.Permanent() {
			t.Errorf("%v: err = %v, want one that may pass", k, err)
		}
		if err != nil && strings.Contains(err.Error(), fake.Token()) {
			t.Errorf("%v: the error holds the token: %v", k, err)
		}
	}
	fake.Faults().Clear(telegramtest.MethodFile)

	_, err = ad.OpenVoice(t.Context(), voice.Ref{FileID: "no-such-file"})
	if err == nil || !errors.As(err, &perm) || !perm.Permanent() {
		t.Errorf("unknown file: err = %v, want a refusal for good", err)
	}
}
