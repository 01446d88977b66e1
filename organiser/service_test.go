package organiser

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
	"consultbot/text"
)

func quoteIDs(d *digest.Digest) []uint64 {
	var ids []uint64
	for _, th := range d.Themes {
		for _, q := range th.Questions {
			for _, qt := range q.Quotes {
				ids = append(ids, qt.AnswerID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func execute(t *testing.T, s *Service, text string) Result {
	t.Helper()
	cmd, err := ParseCommand(text)
	if err != nil {
		t.Fatalf("ParseCommand(%q): %v", text, err)
	}
	res, err := s.Execute(context.Background(), cmd, flows.LangFR)
	if err != nil {
		t.Fatalf("Execute(%q): %v", text, err)
	}
	return res
}

func TestModerationCommands(t *testing.T) {
	db := openDB(t, "")
	texts := []string{
		"Il faut des ordinateurs portables pour chaque élève au collège",
		"Des tablettes et une connexion fiable dans chaque école rurale",
		"Former les enseignants aux logiciels libres avant d'acheter du matériel",
	}
	var ids []uint64
	for i, text := range texts {
		ids = append(ids, put(t, db, answerOpt{participant: "telegram:p" + string(rune('1'+i)), profile: "parent", academie: "Lyon",
			theme: "acces", question: "equipement", text: text, at: t0.Add(time.Duration(i) * time.Minute)}))
	}
	clk := &clock{now: t0.Add(time.Hour)}
	s := New(db, nil, Options{Now: clk.Now, Chart: fakeChart})

	res := execute(t, s, "/synthese")
	if res.Digest == nil || res.Digest.Period.Contributions != 3 || len(res.Chart) == 0 {
		t.Fatalf("digest = %+v (chart %d bytes), want 3 contributions and a chart", res.Digest, len(res.Chart))
	}
	if got := quoteIDs(res.Digest); !slices.Equal(got, ids) {
		t.Fatalf("quotes %v, want %v", got, ids)
	}

	res = execute(t, s, "/masquer 2")
	if !strings.Contains(res.Text, "Réponse n° 2 masquée") {
		t.Errorf("hide reply %q", res.Text)
	}
	res = execute(t, s, "/synthese")
	if res.Digest.Period.Contributions != 2 || slices.Contains(quoteIDs(res.Digest), 2) {
		t.Errorf("after hiding 2: %d contributions, quotes %v", res.Digest.Period.Contributions, quoteIDs(res.Digest))
	}
	if res := execute(t, s, "/masquer 2"); !strings.Contains(res.Text, "déjà masquée") {
		t.Errorf("hide twice reply %q", res.Text)
	}
	if res := execute(t, s, "/masquer 123"); !strings.HasPrefix(res.Text, "Aucune réponse ne porte le n° 123.") {
		t.Errorf("hide unknown reply %q", res.Text)
	}
	if res := execute(t, s, "/bannir 123"); !strings.HasPrefix(res.Text, "Aucune réponse ne porte le n° 123.") {
		t.Errorf("ban unknown reply %q", res.Text)
	}

	res = execute(t, s, "/bannir 3")
	if !strings.Contains(res.Text, "réponse n° 3 est bannie.") || !strings.Contains(res.Text, "Rien n'est supprimé.") {
		t.Errorf("ban reply %q", res.Text)
	}
	res = execute(t, s, "/synthese")
	if res.Digest.Period.Contributions != 1 || !slices.Equal(quoteIDs(res.Digest), []uint64{1}) {
		t.Errorf("after ban: %d contributions, quotes %v", res.Digest.Period.Contributions, quoteIDs(res.Digest))
	}
	// Nothing of the banned participant is deleted.
	if all, _ := db.AnswersByTheme("acces"); len(all) != 3 {
		t.Errorf("%d answers stored after hide and ban, want 3", len(all))
	}
	if sess, _, _ := db.Session("telegram:p3"); !sess.Banned || len(sess.Answers) != 1 {
		t.Errorf("banned session = %+v", sess)
	}

	res = execute(t, s, "/stats")
	for _, want := range []string{"1 participant ayant répondu au total.", "1 réponse au total.", "Par profil", "- Parent : 1 participant, 1 réponse", "1. Égal accès au numérique : 1 réponse. Commencé par 2 participants, terminé par 0 (0\u00a0%).",
		"Aucune synthèse périodique", "au 2 mars 2026 à 11:00 (heure de Paris)"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("stats missing %q:\n%s", want, res.Text)
		}
	}

	execute(t, s, "/debannir 3")
	execute(t, s, "/afficher 2")
	if res := execute(t, s, "/synthese"); res.Digest.Period.Contributions != 3 {
		t.Errorf("after unban and unhide: %d contributions, want 3", res.Digest.Period.Contributions)
	}
	if res := execute(t, s, "/synthese 9"); !strings.Contains(res.Text, "Le thème « 9 » n'existe pas.") || res.Digest != nil {
		t.Errorf("unknown theme: %+v", res)
	}
	if res := execute(t, s, "/synthese 2"); res.Digest == nil || res.Digest.Theme != "enseigner" {
		t.Errorf("theme 2 digest = %+v", res.Digest)
	}
}

// addPosters gives s a fresh outbox and the organiser destinations of the
// schedule tests.
func addPosters(s *Service) (*fakePoster, *fakePoster) {
	ob := &fakeOutbox{}
	s.opts.Outbox = ob
	tg, dc := &fakePoster{channel: bot.ChannelTelegram, ob: ob}, &fakePoster{channel: bot.ChannelDiscord, ob: ob}
	s.AddChannel(bot.ChannelTelegram, tg, []string{"-1001"})
	s.AddChannel(bot.ChannelDiscord, dc, []string{"555"})
	return tg, dc
}

func periodOf(p []posted) []int {
	var n []int
	for _, x := range p {
		n = append(n, x.d.Period.Contributions)
	}
	return n
}

// TestPeriodicDigestsAcrossRestarts: every answer lands in exactly one
// periodic digest, through restarts, a digest missed while the bot was
// down is posted once at start-up, and on-demand digests do not move the
// cursor.
func TestPeriodicDigestsAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openDB(t, path)
	clk := &clock{}
	opts := Options{Now: clk.Now, Schedule: Schedule{Every: time.Hour}, Settle: 10 * time.Second, Chart: fakeChart}
	at := func(hh, mm, ss int) time.Time { return time.Date(2026, 3, 2, hh, mm, ss, 0, time.UTC) }
	n := 0
	answer := func(ts time.Time) {
		n++
		put(t, db, answerOpt{participant: "discord:u" + ts.Format("150405"), channel: bot.ChannelDiscord,
			theme: "acces", question: "besoins", text: "réponse", at: ts})
	}

	// First run, started at 09:05: the 09:00 due time is before the start
	// and no digest was ever sent, so nothing is posted for it.
	started := at(9, 5, 0)
	s := New(db, nil, opts)
	tg, dc := addPosters(s)
	answer(at(9, 10, 0))
	answer(at(9, 59, 59))
	clk.Set(at(10, 0, 5)) // 10:00 not settled yet
	if _, err := s.tick(ctx, started); err != nil {
		t.Fatal(err)
	}
	if len(tg.list()) != 0 {
		t.Fatalf("posted before the due time settled: %v", periodOf(tg.list()))
	}
	clk.Set(at(10, 0, 11))
	wait, err := s.tick(ctx, started)
	if err != nil {
		t.Fatal(err)
	}
	if got := periodOf(tg.list()); !slices.Equal(got, []int{2}) || !slices.Equal(periodOf(dc.list()), []int{2}) {
		t.Fatalf("10:00 digest: telegram %v discord %v, want [2] each", got, periodOf(dc.list()))
	}
	if want := at(11, 0, 10).Sub(at(10, 0, 11)); wait != want {
		t.Errorf("next wake in %v, want %v", wait, want)
	}
	// On demand: the period since the last periodic digest, cursor kept.
	answer(at(10, 0, 3))
	answer(at(10, 20, 0))
	clk.Set(at(10, 30, 0))
	res := execute(t, s, "/synthese")
	if !res.Digest.Since.Equal(at(10, 0, 0)) || res.Digest.Period.Contributions != 2 {
		t.Errorf("on-demand digest since %v with %d contributions, want since 10:00 with 2", res.Digest.Since, res.Digest.Period.Contributions)
	}
	if c, _ := db.DigestCursor(); !c.Equal(at(10, 0, 0)) {
		t.Errorf("cursor %v after an on-demand digest, want 10:00", c)
	}
	db.Close()

	// Restart at 11:30: the 11:00 digest was missed while down; it is
	// posted at start-up, once, even across another restart.
	for i := range 2 {
		db = openDB(t, path)
		s = New(db, nil, opts)
		tg, dc = addPosters(s)
		clk.Set(at(11, 30, i))
		if _, err := s.tick(ctx, at(11, 30, i)); err != nil {
			t.Fatal(err)
		}
		want := []int{2}
		if i == 1 {
			want = nil
		}
		if got := periodOf(tg.list()); !slices.Equal(got, want) || !slices.Equal(periodOf(dc.list()), want) {
			t.Errorf("restart %d: posted telegram %v discord %v, want %v", i, got, periodOf(dc.list()), want)
		}
		if i == 0 {
			answer(at(11, 45, 0))
			answer(at(12, 30, 0))
		}
		db.Close()
	}

	// Down over two due times (12:00 and 13:00): one digest covers both.
	db = openDB(t, path)
	s = New(db, nil, opts)
	tg, _ = addPosters(s)
	answer(at(13, 10, 0)) // after the period: in the next digest
	clk.Set(at(13, 20, 0))
	if _, err := s.tick(ctx, at(13, 20, 0)); err != nil {
		t.Fatal(err)
	}
	if got := periodOf(tg.list()); !slices.Equal(got, []int{2}) {
		t.Errorf("after two missed due times: posted %v, want one digest of 2", got)
	}

	log, err := db.DigestLog()
	if err != nil {
		t.Fatal(err)
	}
	var since time.Time
	for _, r := range log {
		if !r.Since.Equal(since) {
			t.Errorf("digest %d starts at %v, previous ended at %v: a gap or an overlap", r.Seq, r.Since, since)
		}
		since = r.Until
	}
	if len(log) != 3 || !since.Equal(at(13, 0, 0)) {
		t.Errorf("%d digests ending %v, want 3 ending 13:00", len(log), since)
	}
	if total := 2 + 2 + 2; total != n-1 {
		t.Errorf("periodic digests hold %d contributions, store has %d before 13:00", total, n-1)
	}
	pending, _ := db.PendingDigests()
	if len(pending) != 0 {
		t.Errorf("%d deliveries still pending", len(pending))
	}
}

// TestDigestGoesWithoutAChartThatCannotBeDrawn: organisers get the text
// of a digest, periodic or on demand, even when its chart fails.
func TestDigestGoesWithoutAChartThatCannotBeDrawn(t *testing.T) {
	db := openDB(t, "")
	put(t, db, answerOpt{participant: "telegram:1", theme: "acces", question: "besoins", text: "x", at: t0})
	if _, err := db.RecordDigest(time.Time{}, t0.Add(-time.Hour), nil, nil, t0); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: t0.Add(90 * time.Minute)}
	broken := func(digest.Digest) ([]byte, error) { return nil, errors.New("no font") }
	s := New(db, nil, Options{Now: clk.Now, Schedule: Schedule{Every: time.Hour}, Chart: broken})
	tg, _ := addPosters(s)
	if _, err := s.tick(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	if got := tg.list(); len(got) != 1 || got[0].d.Period.Contributions != 1 || got[0].chart != 0 {
		t.Errorf("handed over %+v, want the digest of 1 without a chart", got)
	}
	if res := execute(t, s, "/synthese"); res.Digest == nil || res.Chart != nil {
		t.Errorf("on demand: %+v, want the digest without a chart", res)
	}
}

func TestUndeliveredDigestIsPostedAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "consult.db")
	db := openDB(t, path)
	put(t, db, answerOpt{participant: "telegram:1", theme: "acces", question: "besoins", text: "x", at: t0})
	// A first digest, so that the cursor exists.
	if _, err := db.RecordDigest(time.Time{}, t0.Add(-time.Hour), nil, nil, t0); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: t0.Add(90 * time.Minute)}
	opts := Options{Now: clk.Now, Schedule: Schedule{Every: time.Hour}, Retry: time.Second}
	s := New(db, nil, opts)
	tg, _ := addPosters(s)
	tg.fail = true
	wait, err := s.tick(ctx, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if wait != time.Second {
		t.Errorf("wait after a digest not handed over = %v, want the retry interval", wait)
	}
	if pending, _ := db.PendingDigests(); len(pending) != 1 {
		t.Fatalf("%d pending after a failed post, want 1", len(pending))
	}
	db.Close()

	db = openDB(t, path)
	s = New(db, nil, opts)
	tg, _ = addPosters(s)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(tg.list()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	got := tg.list()
	if len(got) != 1 || got[0].d.Period.Contributions != 1 || got[0].chart == 0 || got[0].address != "-1001" {
		t.Fatalf("posted after restart: %+v", got)
	}
	if log, _ := db.DigestLog(); len(log) != 2 {
		t.Errorf("%d digests recorded, want 2 (no new one for the retry)", len(log))
	}
	if pending, _ := db.PendingDigests(); len(pending) != 0 {
		t.Errorf("%d pending after delivery", len(pending))
	}
}

func TestDailySchedule(t *testing.T) {
	sc, err := ParseDaily("18:00", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	paris := sc.Location
	for _, tc := range []struct{ now, prev, next time.Time }{
		{time.Date(2026, 3, 2, 17, 0, 0, 0, paris), time.Date(2026, 3, 1, 18, 0, 0, 0, paris), time.Date(2026, 3, 2, 18, 0, 0, 0, paris)},
		{time.Date(2026, 3, 2, 18, 0, 0, 0, paris), time.Date(2026, 3, 2, 18, 0, 0, 0, paris), time.Date(2026, 3, 3, 18, 0, 0, 0, paris)},
		// Across the spring DST change (29 March 2026), still 18:00 local.
		{time.Date(2026, 3, 29, 12, 0, 0, 0, paris), time.Date(2026, 3, 28, 18, 0, 0, 0, paris), time.Date(2026, 3, 29, 18, 0, 0, 0, paris)},
	} {
		if got := sc.Prev(tc.now); !got.Equal(tc.prev) {
			t.Errorf("Prev(%v) = %v, want %v", tc.now, got, tc.prev)
		}
		if got := sc.Next(tc.now); !got.Equal(tc.next) {
			t.Errorf("Next(%v) = %v, want %v", tc.now, got, tc.next)
		}
	}
	if got := sc.Next(time.Date(2026, 3, 29, 12, 0, 0, 0, paris)).UTC().Hour(); got != 16 {
		t.Errorf("18:00 Paris on 29 March is %d:00 UTC, want 16:00 (summer time)", got)
	}
	for _, bad := range [][2]string{{"25:00", "Europe/Paris"}, {"18h", "Europe/Paris"}, {"18:00", "Mars/Olympus"}} {
		if _, err := ParseDaily(bad[0], bad[1]); err == nil {
			t.Errorf("ParseDaily(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

// fakeChart stands in for digest.Chart, which takes seconds under the race
// detector; TestUndeliveredDigestIsPostedAfterRestart draws a real one.
func fakeChart(d digest.Digest) ([]byte, error) { return []byte("PNG"), nil }

// TestBanThroughTheStore: once an organiser bans the author of an answer,
// that participant's next message, stepped by the real machine in a
// storage transaction as the engine does, gets the polite note and
// changes nothing stored; unbanned, the same message is answered again.
func TestBanThroughTheStore(t *testing.T) {
	db := openDB(t, "")
	id := put(t, db, answerOpt{participant: "telegram:p1", profile: "parent", theme: "acces", question: "equipement", text: "Des ordinateurs", at: t0})
	s := New(db, nil, Options{Now: func() time.Time { return t0.Add(time.Hour) }, Chart: fakeChart})
	execute(t, s, "/bannir "+strconv.FormatUint(id, 10))

	m := flows.NewMachine(nil, flows.Config{})
	send := func(evID, text string) []string {
		in := bot.Inbound{ID: evID, Channel: bot.ChannelTelegram, Participant: "telegram:p1", Address: "1",
			Event: flows.Event{Kind: flows.EventText, Text: text}}
		res, err := db.Apply(context.Background(), in, t0.Add(2*time.Hour), func(sess flows.Session) (flows.Session, []flows.Reply) {
			return m.Step(sess, in.Event, t0.Add(2*time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, o := range res.Outbox {
			texts = append(texts, o.Reply.Text)
		}
		return texts
	}
	got := send("b1", "/menu")
	if len(got) != 1 || !strings.Contains(got[0], "suspendue") {
		t.Errorf("banned participant got %q, want the polite note only", got)
	}
	if all, _ := db.AnswersByParticipant("telegram:p1"); len(all) != 1 || all[0].Text != "Des ordinateurs" {
		t.Errorf("answers after a banned message: %+v", all)
	}
	execute(t, s, "/debannir "+strconv.FormatUint(id, 10))
	if got := send("b2", "/menu"); len(got) == 0 || strings.Contains(got[0], "suspendue") {
		t.Errorf("unbanned participant got %q, want the menu", got)
	}
}

// TestPeriodicDigestShowsParisTime: a periodic digest, stored and posted
// later, shows its period in the consultation's time zone and names it,
// whatever the zone of the host and of the stored cursor.
func TestPeriodicDigestShowsParisTime(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	sc, err := ParseDaily("18:00", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	s := New(db, nil, Options{Now: clk.Now, Schedule: sc, Chart: fakeChart})
	tg, _ := addPosters(s)
	started := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	put(t, db, answerOpt{participant: "telegram:p1", theme: "acces", question: "equipement", text: "Des ordinateurs pour tous les élèves.", at: started.Add(time.Hour)})
	for _, now := range []time.Time{
		time.Date(2026, 11, 26, 17, 0, 11, 0, time.UTC), // 18:00 in Paris
		time.Date(2026, 11, 27, 17, 0, 11, 0, time.UTC),
	} {
		clk.Set(now)
		if _, err := s.tick(ctx, started); err != nil {
			t.Fatal(err)
		}
	}
	got := tg.list()
	if len(got) != 2 {
		t.Fatalf("%d digests posted, want 2", len(got))
	}
	for i, want := range []string{
		"# 📊 Synthèse jusqu’au 26 novembre 2026 à 18:00 (heure de Paris)\n",
		"# 📊 Synthèse du 26 novembre à 18:00 au 27 novembre 2026 à 18:00 (heure de Paris)\n",
	} {
		if md := digest.RenderMarkdown(got[i].d); !strings.HasPrefix(md, want) {
			t.Errorf("digest %d begins %q, want %q", i, md[:min(len(md), 120)], want)
		}
	}
}

func TestPluralInStats(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 0, "réponse"}, {"fr", 1, "réponse"}, {"fr", 2, "réponses"}, {"fr", 1000, "réponses"},
		{"en", 0, "answers"}, {"en", 1, "answer"}, {"en", 2, "answers"},
	} {
		c := text.For(tc.lang)
		if got := c.Count(tc.n, c.Organiser.Stats.Answer); got != tc.want {
			t.Errorf("Count(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	d := digest.Digest{Lang: "fr",
		Period: digest.Figures{Participants: 0, Contributions: 0}, Total: digest.Figures{Participants: 1, Contributions: 1},
		Since: t0, Until: t0.Add(time.Hour),
		ByChannel: []digest.Breakdown{{Label: "Telegram", Total: digest.Figures{Participants: 1, Contributions: 1}}},
		Themes:    []digest.ThemeDigest{{Title: "Égal accès", TotalAnswers: 1, Started: 1}},
	}
	fr := StatsText(d)
	for _, want := range []string{
		"1 participant ayant répondu au total, dont 0 qui a répondu depuis la dernière synthèse.",
		"1 réponse au total, dont 0 nouvelle depuis la dernière synthèse.",
		"- Telegram : 1 participant, 1 réponse (dont 0 nouvelle)",
		"1. Égal accès : 1 réponse (dont 0 nouvelle). Commencé par 1 participant, terminé par 0",
		"La dernière synthèse date du 2 mars 2026 à 09:00 (UTC).",
	} {
		if !strings.Contains(fr, want) {
			t.Errorf("stats lack %q:\n%s", want, fr)
		}
	}
	d.Lang = "en"
	d.Total.Contributions = 2
	en := StatsText(d)
	for _, want := range []string{"1 participant who answered in total; 0 answered", "2 answers in total, 0 new", "- Telegram: 1 participant, 1 answer (0 new)", "Started by 1 participant,"} {
		if !strings.Contains(en, want) {
			t.Errorf("English stats lack %q:\n%s", want, en)
		}
	}
}

// TestAnnouncementConfirmedThroughTheEngine: /annonce drafts, and
// /annonce_envoyer confirms through the outbox's StartCampaign, so that
// the engine starts sending at once; a second confirmation and an
// unknown number are told as such, and start nothing.
func TestAnnouncementConfirmedThroughTheEngine(t *testing.T) {
	db := openDB(t, "")
	ob := &fakeOutbox{}
	s := New(db, nil, Options{Now: func() time.Time { return t0 }, Outbox: ob})
	// Nobody accepted reminders: the draft says so, and how to send it
	// anyway.
	if res := execute(t, s, "/annonce La consultation ferme vendredi."); !strings.HasPrefix(res.Text, "Personne n'a encore accepté les rappels") ||
		!strings.Contains(res.Text, "/annonce_envoyer 1") {
		t.Fatalf("draft reply %q", res.Text)
	}
	if ob.campaigns != 0 {
		t.Fatal("a draft started a campaign")
	}
	// Confirmed all the same; the reply does not pretend it goes out to
	// « 0 personne ».
	if res := execute(t, s, "/annonce_envoyer 1"); res.Text != "Annonce n° 1 confirmée, mais personne n'a accepté les rappels pour l'instant : elle ne part vers personne." {
		t.Fatalf("send reply %q", res.Text)
	}
	if ob.campaigns != 1 {
		t.Fatalf("%d campaigns started, want 1", ob.campaigns)
	}
	if res := execute(t, s, "/annonce_envoyer 1"); res.Text != "L'annonce n° 1 est déjà partie." {
		t.Errorf("second send reply %q", res.Text)
	}
	// A wrong number points to where the right one is, rather than to
	// writing a new draft.
	if res := execute(t, s, "/annonce_envoyer 7"); !strings.HasPrefix(res.Text, "Aucune annonce en attente ne porte le n° 7. Le numéro figure dans la réponse à /annonce") {
		t.Errorf("unknown send reply %q", res.Text)
	}
	if ob.campaigns != 1 {
		t.Errorf("%d campaigns started, want still 1", ob.campaigns)
	}
}

// TestScheduleKeepsThePartsOfEndedDays: once the schedule runs (the
// leader's), the digest parts of the days that ended are built without
// any digest being asked for, and not today's, which has not ended; the
// schedule stops with its context.
func TestScheduleKeepsThePartsOfEndedDays(t *testing.T) {
	db := openDB(t, "")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 3, 2+d, h, 0, 0, 0, paris) }
	for d := range 4 {
		put(t, db, answerOpt{participant: fmt.Sprintf("telegram:p%d", d), profile: "parent", theme: "acces", question: "equipement",
			text: "Des ordinateurs portables pour chaque élève", at: day(d, 10)})
	}
	s := New(db, nil, Options{Now: func() time.Time { return day(3, 15) }, Location: paris, Chart: fakeChart})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Schedule(ctx)
	}()
	var spans []storage.Span
	waitFor(t, "the parts of the three ended days", func() bool {
		spans, err = db.DigestPartSpans(time.Time{}, day(5, 0))
		return err == nil && len(spans) == 3
	})
	cancel()
	<-done
	for i, sp := range spans {
		if !sp.Start.Equal(day(i, 0)) || !sp.End.Equal(day(i+1, 0)) {
			t.Errorf("part %d covers %v – %v, want the day of %v", i, sp.Start, sp.End, day(i, 0))
		}
	}
	if spans, _ := db.DigestPartSpans(time.Time{}, day(5, 0)); len(spans) != 3 {
		t.Errorf("%d parts after the schedule stopped, want the three ended days' (not today's)", len(spans))
	}
}
