package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"consultbot/bot"
	"consultbot/flows"
	"consultbot/voice"
)

var _ voice.Source = (*Adapter)(nil)

// cdnHosts serve Discord's attachments; OpenVoice fetches from nowhere
// else (but the host of Options.APIBase, a proxy or the test fake).
var cdnHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

// voiceEvent reads a direct message that is a voice message (flagged as
// one, or an attachment with a duration) as a voice answer: the
// attachment id is its reference; its URL and size, for the fetch of the
// audio, are never kept in the answer.
func voiceEvent(m *discordgo.Message) (flows.Event, bool) {
	if len(m.Attachments) == 0 {
		return flows.Event{}, false
	}
	at := m.Attachments[0]
	if m.Flags&discordgo.MessageFlagsIsVoiceMessage == 0 && at.DurationSecs <= 0 {
		return flows.Event{}, false
	}
	if at.ID == "" {
		return flows.Event{}, false
	}
	secs := 0
	if d := at.DurationSecs; d > 0 && d < math.MaxInt32 {
		secs = int(math.Round(d))
	}
	return flows.Event{Kind: flows.EventVoice, Voice: &flows.Voice{
		FileID: "discord-attachment:" + at.ID, Duration: secs, URL: at.URL, Size: int64(max(at.Size, 0)),
	}}, true
}

// OpenVoice downloads a voice message's audio from Discord's CDN, where
// its URL points. Its errors hold no URL (it carries signed parameters),
// and read as the delivery policy reads a send's: 404 and 403 (the link
// expired) are for good, 429 asks to wait, the rest may pass.
func (a *Adapter) OpenVoice(ctx context.Context, ref voice.Ref) (io.ReadCloser, error) {
	u, err := url.Parse(ref.URL)
	if err != nil || u.Host == "" {
		return nil, &restError{err: errors.New("discord voice message: no download address"), permanent: true}
	}
	if !a.cdnAllowed(u) {
		return nil, &restError{err: fmt.Errorf("discord voice message: %q is not Discord's CDN", u.Host), permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &restError{err: errors.New("discord voice message: bad download address"), permanent: true}
	}
	resp, err := a.dg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &restError{err: fmt.Errorf("discord voice message: %w", err)}
	}
	if resp.StatusCode/100 == 2 {
		return resp.Body, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	e := &restError{status: resp.StatusCode, message: bot.Excerpt(body), err: errors.New("discord voice message")}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		secs, _ := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
		e.retryAfter = max(time.Duration(secs*float64(time.Second)), time.Second)
	case http.StatusGone:
		e.permanent = true // 403 and 404 are for good already
	}
	return nil, e
}

// cdnAllowed reports whether u is on Discord's CDN over https, or on the
// configured API base's host.
func (a *Adapter) cdnAllowed(u *url.URL) bool {
	if u.Scheme == "https" && cdnHosts[strings.ToLower(u.Hostname())] {
		return true
	}
	if a.opts.APIBase == "" {
		return false
	}
	base, err := url.Parse(a.opts.APIBase)
	return err == nil && base.Host == u.Host && base.Scheme == u.Scheme
}
