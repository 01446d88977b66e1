package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/discord/discordtest"
	"consultbot/storage"
	"consultbot/storage/etcdkv"
)

const ixToken = "discord-token-for-the-interactions-endpoint"

// startDiscordReplica starts `consultbot run` on the etcd cluster at
// endpoints with only the Discord channel, pointed at dc, serving the
// interactions endpoint on its own address with the public key pub. It
// returns the replica and its endpoint's URL. The lease (3 s) outlasts
// the pauses of a loaded test machine, so that the leader keeps its lead
// until the test takes it away.
func startDiscordReplica(t *testing.T, dc *discordtest.Server, endpoints []string, pub ed25519.PublicKey) (*runningBot, string) {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	path := writeConfig(t, fmt.Sprintf(`[storage]
path = %q
backend = "etcd"
endpoints = ["%s"]
prefix = "interactions/"
lease_seconds = 3
[discord]
api_base = %q
application_id = %q
guild_ids = [%q]
interactions_listen = %q
public_key = "${DISCORD_PUBLIC_KEY}"
`, filepath.Join(dir, "run.db"), strings.Join(endpoints, `", "`), dc.URL+"/api/v9", dc.AppID, dc.GuildID, addr))
	r := runReplica(t, path, map[string]string{"DISCORD_TOKEN": ixToken, "DISCORD_PUBLIC_KEY": hex.EncodeToString(pub)})
	return r, "http://" + addr + "/interactions"
}

// waitEndpoint waits until the endpoint at url answers a PING.
func waitEndpoint(t *testing.T, wait context.Context, dc *discordtest.Server, url string, key ed25519.PrivateKey) {
	t.Helper()
	dc.UseInteractionsEndpoint(url, key)
	for {
		err := dc.Ping()
		if err == nil {
			return
		}
		select {
		case <-wait.Done():
			t.Fatalf("the interactions endpoint %s never answered: %v", url, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// discordButton waits for the last message u sees to offer a button
// labelled label and to read text, and returns that message.
func discordButton(t *testing.T, wait context.Context, dc *discordtest.Server, u discordtest.User, label, text string) discordtest.Message {
	t.Helper()
	deadline, _ := wait.Deadline()
	msgs, err := dc.WaitUser(u.ID, time.Until(deadline), func(ms []discordtest.Message) bool {
		if len(ms) == 0 {
			return false
		}
		_, ok := ms[len(ms)-1].Button(label)
		return ok && strings.Contains(ms[len(ms)-1].Content, text)
	})
	if err != nil {
		var last string
		if len(msgs) > 0 {
			last = msgs[len(msgs)-1].Content
		}
		t.Fatalf("no button %q on a last message reading %q (%q): %v", label, text, last, err)
	}
	return msgs[len(msgs)-1]
}

func click(t *testing.T, dc *discordtest.Server, u discordtest.User, m discordtest.Message, label string) {
	t.Helper()
	b, _ := m.Button(label)
	if _, err := dc.ClickButton(u, m, b.CustomID); err != nil {
		t.Fatalf("click %q: %v", label, err)
	}
}

// TestDiscordInteractionsOnEveryReplica runs two replicas on one etcd
// cluster, each serving Discord's interactions endpoint. An educator's
// interactions go to one replica or the other: those the stand-by
// receives it applies itself, and the leader delivers their follow-ups
// (the stand-by sends nothing). Then the leader dies just after the
// stand-by applied an answer: once the stand-by leads, it delivers the
// follow-up the old leader never sent. Every answer is stored once.
func TestDiscordInteractionsOnEveryReplica(t *testing.T) {
	c := startCluster(t)
	dc := discordtest.NewServer(discordtest.Options{Token: ixToken})
	defer dc.Close()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	wait, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()

	a, urlA := startDiscordReplica(t, dc, c.Endpoints(), pub)
	waitLeading(t, wait, a, "the first replica")
	b, urlB := startDiscordReplica(t, dc, c.Endpoints(), pub)
	if _, err := dc.WaitCommands(dc.GuildID, 30*time.Second); err != nil {
		t.Fatalf("commands not registered by the leader: %v", err)
	}
	waitEndpoint(t, wait, dc, urlA, priv)
	waitEndpoint(t, wait, dc, urlB, priv) // the stand-by serves it too

	u := dc.NewUser("ines", "fr")
	// The stand-by receives the command and commits it; the leader
	// delivers its reply.
	if _, err := dc.SlashCommand(u, dc.Guild(), "contribuer"); err != nil {
		t.Fatal(err)
	}
	m := discordButton(t, wait, dc, u, "accepte", "")
	// Then the replicas take turns; each tap turns the tapped message into
	// the next prompt.
	for _, step := range []struct{ url, tap, ticked, next string }{
		{urlA, "accepte", "✓ J'accepte", "Enseignant"},
		{urlB, "Enseignant", "✓ Enseignant", "Passer"},
		{urlA, "Passer", "✓ Passer", "Égal accès"},
		{urlB, "Égal accès", "✓ Égal accès", "Répondre"},
	} {
		dc.UseInteractionsEndpoint(step.url, priv)
		click(t, dc, u, m, step.tap)
		m = discordButton(t, wait, dc, u, step.next, step.ticked)
	}
	if !strings.Contains(m.Content, "Question 1/5") {
		t.Fatalf("after choosing the theme: %q", m.Content)
	}
	answer := func(text string) {
		t.Helper()
		click(t, dc, u, m, "Répondre")
		if _, err := dc.WaitModal(u.ID, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := dc.SubmitModal(u, text); err != nil {
			t.Fatal(err)
		}
	}
	answer("Première réponse, reçue par la réplique en attente.")
	m = discordButton(t, wait, dc, u, "Répondre", "Question 2/5")
	select {
	case <-b.m.leading:
		t.Fatal("the stand-by leads while the leader lives")
	default:
	}

	// The leader dies (its etcd connection gone, as a killed process's);
	// the stand-by applies an answer before it leads.
	a.m.cluster.Client().Close()
	answer("Deuxième réponse, pendant la relève.")
	seen := len(dc.Messages(u.ID))
	waitLostLead(t, wait, a)
	waitLeading(t, wait, b, "the stand-by")
	// After the failover, the answer applied on the stand-by is followed
	// by the next question.
	discordButton(t, wait, dc, u, "Répondre", "Question 3/5")
	// No follow-up is left behind.
	waitDelivered(t, wait, b.m.db, bot.ChannelDiscord)
	if n := len(dc.Messages(u.ID)); n < seen {
		t.Errorf("messages went missing: %d, then %d", seen, n)
	}
	b.stop(t, wait)

	if r := dc.Rejected(); len(r) > 0 {
		t.Errorf("fake Discord refused requests: %q", r)
	}
	if un := dc.Unacknowledged(); len(un) > 0 {
		t.Errorf("interactions never acknowledged: %v", un)
	}
	twice := 0
	for _, msg := range dc.Messages(u.ID) {
		if strings.Contains(msg.Content, "Question 2/5") {
			twice++
		}
	}
	if twice != 1 {
		t.Errorf("question 2 shown %d times, want once", twice)
	}
	db, err := storage.OpenBackend(etcdkv.New(startClient(t, c.Endpoints()), etcdkv.Options{Prefix: "interactions/"}), "check", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, ok, err := db.Session(bot.ParticipantID(bot.ChannelDiscord, u.ID, []byte(testIDKey)))
	if err != nil || !ok {
		t.Fatalf("session: %v %v", ok, err)
	}
	if len(s.Answers) != 2 || s.Profile != "enseignant" {
		t.Errorf("stored: %d answers, profile %q; want 2 and enseignant", len(s.Answers), s.Profile)
	}
}
