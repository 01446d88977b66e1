package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord"
	"consultbot/bot/discord/discordtest"
	"consultbot/flows"
)

// sendingAdapter is an adapter on srv that only sends, as a process does
// before its gateway is up.
func sendingAdapter(t *testing.T, srv *discordtest.Server) *discord.Adapter {
	t.Helper()
	ad, err := discord.New(nopHandler{}, discord.Options{
		Token: srv.Token, ApplicationID: srv.AppID, APIBase: srv.URL + "/api/v9",
		GuildIDs: []string{srv.GuildID}, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ad
}

// TestAnnouncementResentWithItsNonce: an announcement Discord created but
// whose answer the bot never got (a kill) is sent again by the next
// process, claimed, with the same nonce: Discord returns the first
// message and creates none. Past Discord's nonce window the second
// request creates a second message: the documented limit. A live reply
// carries no nonce.
func TestAnnouncementResentWithItsNonce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window time.Duration
		want   int
	}{
		{"within the nonce window", 0, 1},
		{"past the nonce window", time.Nanosecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := discordtest.NewServer(discordtest.Options{NonceWindow: tc.window})
			defer srv.Close()
			u := srv.NewUser("ines", "fr")
			out := bot.Outgoing{
				Seq: 4242, Channel: bot.ChannelDiscord, Address: "dm:" + u.ID, Participant: pid(u),
				Reply: flows.Reply{Title: "Annonce", Text: "La consultation ferme dans trois jours."},
				Low:   true, CreatedAt: time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC),
			}
			ctx := context.Background()
			if err := sendingAdapter(t, srv).Send(ctx, out); err != nil {
				t.Fatal(err)
			}
			// The next process, after the kill.
			out.Claimed, out.ClaimNote = true, ""
			if err := sendingAdapter(t, srv).Send(ctx, out); err != nil {
				t.Fatal(err)
			}
			if err := sendingAdapter(t, srv).Send(ctx, bot.Outgoing{Seq: 4243, Channel: bot.ChannelDiscord, Address: "dm:" + u.ID, Participant: pid(u), Reply: flows.Reply{Text: "Merci !"}}); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range srv.Messages(u.ID) {
				if strings.Contains(m.Content, "ferme dans trois jours") {
					n++
				}
			}
			if n != tc.want {
				t.Errorf("%d copies of the announcement, want %d", n, tc.want)
			}
			if hits := srv.NonceHits(); hits != 2-tc.want {
				t.Errorf("%d creates answered with the first message, want %d", hits, 2-tc.want)
			}
			var nonces []string
			for _, r := range srv.Requests() {
				if r.Method != "POST" || !strings.HasSuffix(r.Path, "/messages") {
					continue
				}
				var body struct {
					Nonce        string `json:"nonce"`
					EnforceNonce bool   `json:"enforce_nonce"`
				}
				if err := json.Unmarshal(r.JSON, &body); err != nil {
					t.Fatal(err)
				}
				if body.Nonce != "" && !body.EnforceNonce {
					t.Errorf("nonce %q sent without enforce_nonce", body.Nonce)
				}
				nonces = append(nonces, body.Nonce)
			}
			if len(nonces) != 3 || nonces[0] == "" || nonces[1] != nonces[0] || len(nonces[0]) > 25 || nonces[2] != "" {
				t.Errorf("nonces of the two sends and the live reply: %q, want one nonce of at most 25 characters twice, then none", nonces)
			}
			checkContract(t, srv.Requests())
		})
	}
}
