package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/internal/fault"
	"consultbot/organiser"
	"consultbot/storage"
)

// TestMyDataArrivesAsTextWhenUploadsFail: Telegram answers 500 to every
// sendDocument, as it does for an upload it cannot take. The person gets
// their data as text, and their next reply (the erase confirmation) is
// not held behind the file.
func TestMyDataArrivesAsTextWhenUploadsFail(t *testing.T) {
	fake := newFake(t)
	fake.Faults().Always("sendDocument", fault.Status500)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	p := newParent(t, fake, 42)
	p.onboard()
	p.say("/mes_donnees")
	p.say("/effacer")
	p.expect("format JSON")
	data := p.expect(`"participant"`)
	if !strings.Contains(data.Text, pid(42)) || data.Kind != "text" {
		t.Errorf("data message = %s %.200q, want the JSON as text", data.Kind, data.Text)
	}
	p.expect("Effacer vos données")
	for _, m := range fake.Messages(42) {
		if m.Kind == "document" {
			t.Error("a document reached the chat although every upload failed")
		}
	}
	if n := fake.Requests("sendDocument"); n < 2 {
		t.Errorf("%d uploads tried, want the file tried before it went as text", n)
	}
	list, err := a.db.Undeliverable()
	if err != nil || len(list) != 0 {
		t.Errorf("undeliverable replies: %+v, %v", list, err)
	}
}

// TestDigestTextArrivesWhenTheChartFails: sendPhoto fails for good; the
// organiser gets the note in the chart's place, then the digest.
func TestDigestTextArrivesWhenTheChartFails(t *testing.T) {
	fake := newFake(t)
	fake.Faults().Always("sendPhoto", fault.Status500)
	a, _ := startOrganiserApp(t, fake)
	fake.SendText(telegramtest.User{ID: orgUser, FirstName: "Orga", LanguageCode: "fr"}, "/synthese")
	msgs := waitNew(t, fake, orgUser, 0, "#")
	if msgs[0].Kind != "text" || msgs[0].Text != "(graphique indisponible)" {
		t.Errorf("first message %s %q, want the note in the chart's place", msgs[0].Kind, msgs[0].Text)
	}
	if !strings.Contains(joined(msgs), fmt.Sprintf("#%d", answerID(t, a.db, seedTexts[0]))) {
		t.Errorf("the digest's quotes are missing:%s", dumpTG(msgs))
	}
	if !strings.Contains(a.logs.String(), "picture left out") {
		t.Errorf("the degradation was not logged:\n%s", a.logs)
	}
}

// TestPeriodicDigestWithoutItsChart: the periodic digest goes through the
// same policy: its chart meets a proxy's HTML 502 every time, and the
// organisers' group gets the note and the text; the log says status=502
// with a piece of the page, never the token.
func TestPeriodicDigestWithoutItsChart(t *testing.T) {
	fake := newFake(t)
	fake.Faults().Always("sendPhoto", fault.BadGateway)
	a, _ := startOrganiserApp(t, fake)
	fake.JoinGroup(telegramtest.Group{ID: orgGroup})
	svc := organiser.New(a.db, nil, organiser.Options{Outbox: a.eng})
	until := time.Now()
	d, err := svc.Compute(context.Background(), time.Time{}, until, "", "fr")
	if err != nil {
		t.Fatal(err)
	}
	content, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	dest := []storage.DigestDestination{{Channel: bot.ChannelTelegram, Address: fmt.Sprint(orgGroup)}}
	if _, err := a.db.RecordDigest(time.Time{}, until, content, dest, until); err != nil {
		t.Fatal(err)
	}
	svc.AddChannel(bot.ChannelTelegram, a.ad.Layout(), []string{fmt.Sprint(orgGroup)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("digest schedule: %v", err)
		}
	}()
	msgs := waitNew(t, fake, orgGroup, 0, "")
	if msgs[0].Text != "(graphique indisponible)" {
		t.Fatalf("group got %s, want the note then the digest", dumpTG(msgs))
	}
	if _, err := fake.WaitMessages(waitCtx(t), orgGroup, 2); err != nil {
		t.Fatalf("no digest text after the note: %v", err)
	}
	logs := a.logs.String()
	if !strings.Contains(logs, "status=502") || !strings.Contains(logs, "502 Bad Gateway") {
		t.Errorf("the failed upload was logged without its status and page:\n%s", logs)
	}
	if strings.Contains(logs, fake.Token()) {
		t.Error("the token appears in the logs")
	}
	if n := fake.Requests("sendPhoto"); n < 2 {
		t.Errorf("%d chart uploads tried, want a retry before the note", n)
	}
}

// TestReplyToChatZeroIsUndeliverable: an update from user 0 (as a
// broken client or proxy sends) gets a reply Telegram refuses with 400
// "chat_id is empty"; it is set aside at once, and a parent writing at the
// same time is answered.
func TestReplyToChatZeroIsUndeliverable(t *testing.T) {
	fake := newFake(t)
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), nil)
	fake.SendText(telegramtest.User{ID: 0, FirstName: "Zéro", LanguageCode: "fr"}, "/start")
	p := newParent(t, fake, 42)
	p.onboard()
	waitUntil(t, "an undeliverable record for chat 0", func() bool {
		list, err := a.db.Undeliverable()
		return err == nil && len(list) > 0
	})
	list, _ := a.db.Undeliverable()
	for _, u := range list {
		if u.Participant != pid(0) || !strings.Contains(u.Reason, "chat_id is empty") {
			t.Errorf("undeliverable record %+v", u)
		}
	}
	waitUntil(t, "an empty outbox", func() bool { return pending(t, a) == 0 })
}

// waitUntil polls cond, which reads the database, until it holds or the
// test's wait ends.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if err := eventually(waitCtx(t), cond); err != nil {
		t.Fatalf("timed out waiting for %s", what)
	}
}

func pending(t *testing.T, a *app) int {
	t.Helper()
	list, err := a.db.Pending(context.Background(), bot.ChannelTelegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestOverLongOrganiserEchoIsSplit: an organiser's malformed command
// echoes what they typed; 4,080 "&" make it longer than a message, and it
// arrives cut in pieces within the limit instead of being refused.
func TestOverLongOrganiserEchoIsSplit(t *testing.T) {
	fake := newFake(t)
	startOrganiserApp(t, fake)
	arg := strings.Repeat("&", 4080)
	fake.SendText(telegramtest.User{ID: orgUser, LanguageCode: "fr"}, "/masquer "+arg)
	msgs := waitNew(t, fake, orgUser, 0, "numéro de réponse")
	if len(msgs) < 2 {
		t.Fatalf("echo in %d message, want it split", len(msgs))
	}
	amps := 0
	for _, m := range msgs {
		if n := len([]rune(m.Text)); n > 4096 {
			t.Errorf("a message of %d characters", n)
		}
		amps += strings.Count(m.Text, "&")
	}
	if amps != len(arg) {
		t.Errorf("%d of the %d & arrived", amps, len(arg))
	}
}

// TestRefusalsTakeNoOrganiserSlot: a hundred organiser commands from
// someone who is not an organiser are refused a few times and cost
// nothing else; the real organiser's /stats right behind them is
// answered within a few seconds.
func TestRefusalsTakeNoOrganiserSlot(t *testing.T) {
	fake := newFake(t)
	a, _ := startOrganiserApp(t, fake)
	intruder := telegramtest.User{ID: 66, LanguageCode: "fr"}
	for i := range 100 {
		fake.SendText(intruder, []string{"/stats", "/synthese", "/masquer 1", "/bannir 2"}[i%4])
	}
	asked := time.Now()
	fake.SendText(telegramtest.User{ID: orgUser, LanguageCode: "fr"}, "/stats")
	fewSeconds, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.Wait(fewSeconds, func() bool {
		msgs := fake.Messages(orgUser)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, "participants ayant répondu au total")
	}); err != nil {
		t.Fatalf("the organiser's /stats behind a hundred refused commands: %v", err)
	}
	t.Logf("the organiser's /stats answered %v after it was sent, behind 100 refused commands", time.Since(asked).Round(time.Millisecond))
	waitUntil(t, "every update confirmed and every reply sent", func() bool { return fake.PendingUpdates() == 0 && pending(t, a) == 0 })
	refusals := 0
	for _, m := range fake.Messages(intruder.ID) {
		if m.Text == refusalFR {
			refusals++
		}
	}
	if refusals < 1 || refusals > 5 {
		t.Errorf("%d refusals, want at least one and at most five", refusals)
	}
	if strings.Contains(a.logs.String(), "queue full") {
		t.Errorf("the organiser queue filled up:\n%s", a.logs)
	}
}

// TestOrganiserUserOutsideTheirChatsGetsResultsPrivately: an organiser
// user running /synthese in a public group gets the digest in their
// private chat, nothing of it in the group; one who never opened a private
// chat with the bot gets a short note in the group instead.
func TestOrganiserUserOutsideTheirChatsGetsResultsPrivately(t *testing.T) {
	fake := newFake(t)
	var svc *organiser.Service
	a := startApp(t, fake, filepath.Join(t.TempDir(), "c.db"), func(o *telegram.Options) {
		o.OrganiserUsers = []int64{orgUser, orgUser + 1}
		o.Organiser = lazyService{&svc}
	})
	svc = organiser.New(a.db, flows.DefaultQuestionnaire(), organiser.Options{Outbox: a.eng})
	svc.AddChannel(bot.ChannelTelegram, a.ad.Layout(), nil)
	runService(t, svc)
	q := flows.DefaultQuestionnaire()
	seedAnswer(t, a.db, "telegram:seed", q.Themes[0].ID, q.Themes[0].Questions[0].ID, seedTexts[0])
	public := telegramtest.Group{ID: -777}

	org := telegramtest.User{ID: orgUser, FirstName: "Orga", LanguageCode: "fr"}
	fake.SendText(org, "/aide") // their private chat exists from now on
	waitUntil(t, "the help sent", func() bool {
		return fake.PendingUpdates() == 0 && pending(t, a) == 0 && len(fake.Messages(orgUser)) > 0
	})
	before := len(fake.Messages(orgUser))
	fake.GroupMessage(public, org, "/synthese@"+fake.BotUsername())
	msgs := waitNew(t, fake, orgUser, before, "#")
	checkDigest(t, msgs)

	stranger := telegramtest.User{ID: orgUser + 1, FirstName: "Orga2", LanguageCode: "fr"}
	fake.GroupMessage(public, stranger, "/synthese@"+fake.BotUsername())
	note := waitNew(t, fake, public.ID, 0, "conversation")
	if len(note) != 1 || !strings.Contains(note[0].Text, "t.me/"+fake.BotUsername()) || note[0].ReplyTo == 0 {
		t.Errorf("group got %s, want one note answering the command, with the link", dumpTG(note))
	}
	for _, m := range fake.Messages(public.ID) {
		if m.Kind != "text" || strings.Contains(m.Text, "#") || strings.Contains(m.Text, "«") {
			t.Errorf("the public group got %s %.100q", m.Kind, m.Text)
		}
	}
	if list, _ := a.db.Undeliverable(); len(list) != 0 {
		t.Errorf("undeliverable: %+v", list)
	}
}
