package discord_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
	"consultbot/internal/fault"
	"consultbot/voice"
)

// TestVoiceMessageInDirectMessages: a voice message sent in direct
// messages answers the question as a voice note, referred to by its
// attachment id; its audio downloads from the URL Discord gave, whose
// failures may pass, and nothing outside Discord's CDN is fetched.
func TestVoiceMessageInDirectMessages(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	u := h.srv.NewUser("nadia", "fr")
	if _, err := h.srv.DirectMessage(u, "Bonjour"); err != nil {
		t.Fatal(err)
	}
	m, i := h.awaitButton(u, 0, "accepte")
	h.click(u, m, "accepte")
	m, i = h.awaitButton(u, i+1, "Parent")
	h.click(u, m, "Parent")
	_, i = h.awaitText(u, i+1, "académie")
	h.srv.DirectMessage(u, "Passer")
	m, i = h.awaitButton(u, i+1, "Égal accès")
	h.click(u, m, "Égal accès")
	_, i = h.awaitText(u, i+1, "Question 1/5")
	data := []byte("OggS an Opus voice message")
	h.srv.DirectMessage(u, "", discordtest.Attachment{Filename: "voice-message.ogg", ContentType: "audio/ogg", Size: len(data), DurationSecs: 4.6, Data: data})
	h.awaitText(u, i+1, "Question 2/5")

	s, _, err := h.db.Session(pid(u))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Answers[flows.AnswerKey("acces", "equipement")]
	if a.Voice == nil || !strings.HasPrefix(a.Voice.FileID, "discord-attachment:") || a.Voice.Duration != 5 || a.Voice.URL != "" {
		t.Fatalf("answer = %+v, want a 5 s voice note without its URL", a.Voice)
	}
	jobs, _, err := h.db.VoiceJobs(t.Context(), s.UpdatedAt.AddDate(1, 0, 0), 10)
	if err != nil || len(jobs) != 0 {
		t.Fatalf("jobs = %+v, %v; none without [voice] enabled", jobs, err)
	}

	// What storage keeps for the fetch, as the voice service gets it.
	ref := voice.Ref{FileID: a.Voice.FileID, URL: lastAttachmentURL(t, h, u), Size: int64(len(data))}
	rc, err := h.ad.OpenVoice(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("downloaded %q, want %q", got, data)
	}

	var perm interface{ Permanent() bool }
	h.srv.Faults().Always(discordtest.RouteAttachment, fault.Status500)
	if _, err := h.ad.OpenVoice(t.Context(), ref); err == nil || errors.As(err, &perm) && perm.Permanent() {
		t.Errorf("500: err = %v, want one that may pass", err)
	}
	h.srv.Faults().Clear(discordtest.RouteAttachment)
	before := h.srv.Fetches()
	for _, bad := range []string{"https://evil.example/attachments/1/2/x.ogg", "file:///etc/passwd", ""} {
		_, err := h.ad.OpenVoice(t.Context(), voice.Ref{FileID: "x", URL: bad})
		if err == nil || !errors.As(err, &perm) || !perm.Permanent() {
			t.Errorf("%q: err = %v, want a refusal for good", bad, err)
		}
	}
	gone := strings.Replace(ref.URL, "/voice-message.ogg", "/other.ogg", 1)
	if _, err := h.ad.OpenVoice(t.Context(), voice.Ref{FileID: "x", URL: gone}); err == nil || !errors.As(err, &perm) || !perm.Permanent() || strings.Contains(err.Error(), "hm=") {
		t.Errorf("404: err = %v, want a refusal for good without the URL", err)
	}
	if n := h.srv.Fetches() - before; n != 1 {
		t.Errorf("%d downloads, want 1 (the expired link only)", n)
	}
}

// lastAttachmentURL is the URL of the attachment u sent last, as the
// gateway delivered it.
func lastAttachmentURL(t *testing.T, h *harness, u discordtest.User) string {
	t.Helper()
	url, ok := h.srv.LastAttachmentURL(u.ID)
	if !ok {
		t.Fatal("no attachment sent")
	}
	return url
}
