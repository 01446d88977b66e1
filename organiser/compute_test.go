package organiser

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// referenceDigest computes a digest the way it was before the digest
// index: every session and every answer of the store, read in full and
// filtered by period in the accumulator. ComputeDigest must agree with it.
func referenceDigest(t *testing.T, db *storage.DB, q *flows.Questionnaire, since, until time.Time, theme, lang string) digest.Digest {
	t.Helper()
	ctx := context.Background()
	hidden, err := db.HiddenAnswers()
	if err != nil {
		t.Fatal(err)
	}
	in := digest.Input{Questionnaire: q, Since: since, Until: until, Theme: theme, Lang: lang}
	err = db.ForEachSession(ctx, func(s flows.Session) error {
		p := digest.Participant{ID: s.Participant, Banned: s.Banned, Themes: map[string]digest.Progress{}}
		for _, th := range q.Themes {
			var prog digest.Progress
			for _, qu := range th.Questions {
				if _, ok := s.Answers[flows.AnswerKey(th.ID, qu.ID)]; ok {
					prog.Answered = append(prog.Answered, qu.ID)
				}
			}
			_, prog.Confirmed = s.Confirmed[th.ID]
			if s.Theme == th.ID && (s.Stage == flows.StageQuestion || s.Stage == flows.StageEdit) {
				prog.Current = s.Question
			}
			if len(prog.Answered) > 0 || prog.Confirmed || prog.Current != "" {
				p.Themes[th.ID] = prog
			}
		}
		in.Participants = append(in.Participants, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.ForEachAnswer(ctx, func(a storage.Answer) error {
		in.Answers = append(in.Answers, digest.Answer{
			ID: a.ID, Participant: a.Participant, Channel: a.Channel, Profile: a.Profile, Academie: a.Academie,
			Source: a.Source, Theme: a.Theme, Question: a.Question, Text: a.Text, Voice: a.Voice != nil,
			Hidden: hidden[a.ID], CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return digest.Compute(in)
}

var quoteWords = strings.Fields(`écrans tablettes connexion réseau école collège élèves enseignants parents
formation logiciels données protection numérique matériel accompagnement inclusion famille devoirs
plateforme messagerie sécurité sobriété ressources`)

func randomText(r *rand.Rand) string {
	w := make([]string, 2+r.IntN(12))
	for i := range w {
		w[i] = quoteWords[r.IntN(len(quoteWords))]
	}
	return strings.Join(w, " ") + "."
}

// randomStore writes, through storage.Apply and the moderation methods, ten
// days of a consultation: new answers (text, choice, voice), edits,
// removals, confirmed themes, profile changes, hidden answers, bans and
// unbans, erasures.
func randomStore(t *testing.T, db *storage.DB, q *flows.Questionnaire, seed uint64) {
	t.Helper()
	randomStoreThen(t, db, q, seed, nil)
}

// randomStoreThen is randomStore calling then, when set, after every
// step.
func randomStoreThen(t *testing.T, db *storage.DB, q *flows.Questionnaire, seed uint64, then func(step int, now time.Time)) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 1))
	type ref struct{ theme, question string }
	var qs []ref
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			qs = append(qs, ref{th.ID, qu.ID})
		}
	}
	const participants = 40
	var ids []uint64
	event := 0
	for step := range 1000 {
		now := t0.Add(time.Duration(step) * 15 * time.Minute)
		if then != nil && step > 0 {
			then(step-1, now)
		}
		n := r.IntN(participants)
		ch := []string{bot.ChannelTelegram, bot.ChannelDiscord, bot.ChannelTerminal}[n%3]
		p := fmt.Sprintf("%s:p%d", ch, n)
		roll := r.IntN(100)
		switch {
		case roll < 3 && len(ids) > 0:
			if _, _, err := db.SetHidden(ids[r.IntN(len(ids))], r.IntN(3) > 0, now); err != nil && !errors.Is(err, storage.ErrNoAnswer) {
				t.Fatal(err)
			}
			continue
		case roll < 5 && len(ids) > 0:
			if _, _, err := db.SetBanned(ids[r.IntN(len(ids))], r.IntN(2) == 0); err != nil && !errors.Is(err, storage.ErrNoAnswer) {
				t.Fatal(err)
			}
			continue
		}
		event++
		in := bot.Inbound{ID: fmt.Sprint("ev-", event), Channel: ch, Participant: p, Address: "chat"}
		_, err := db.Apply(ctx, in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
			if s.Answers == nil {
				s.Answers = map[string]flows.Answer{}
			}
			if s.Confirmed == nil {
				s.Confirmed = map[string]time.Time{}
			}
			if s.Profile == "" || r.IntN(15) == 0 {
				s.Profile = q.Profiles[r.IntN(len(q.Profiles))].ID
				s.Academie = []string{"Lyon", "Paris", "", "Créteil"}[r.IntN(4)]
			}
			k := qs[r.IntN(len(qs))]
			key := flows.AnswerKey(k.theme, k.question)
			switch {
			case roll < 9:
				s.Stage = flows.StageErased
			case roll < 14:
				delete(s.Answers, key)
			case roll < 18:
				s.Confirmed[k.theme] = now
				s.Stage = flows.StageMenu
			default:
				a := flows.Answer{Theme: k.theme, Question: k.question, CreatedAt: now, UpdatedAt: now}
				if old, ok := s.Answers[key]; ok {
					a.CreatedAt = old.CreatedAt
				}
				switch v := r.IntN(10); {
				case v == 0:
					a.Choice = "oui"
				case v == 1:
					a.Voice = &flows.Voice{FileID: "f", Duration: 3}
				case v == 2:
					a.Voice = &flows.Voice{FileID: "f", Duration: 3}
					a.Text = randomText(r)
				default:
					a.Text = randomText(r)
				}
				s.Answers[key] = a
				s.Stage, s.Theme, s.Question = flows.StageQuestion, k.theme, k.question
			}
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if step%100 == 0 {
			ids = ids[:0]
			if err := db.ForEachAnswer(ctx, func(a storage.Answer) error { ids = append(ids, a.ID); return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDigestOfAPeriodEqualsTheFullScan checks the digest read through the
// digest index against the reference, over random stores and periods.
func TestDigestOfAPeriodEqualsTheFullScan(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	day := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(24*time.Hour))) }
	for seed := range uint64(2) {
		db := openDB(t, "")
		randomStore(t, db, q, seed)
		if err := db.CheckDigestIndex(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, tc := range []struct {
			since, until time.Time
			theme, lang  string
		}{
			{time.Time{}, time.Time{}, "", flows.LangFR},
			{day(3), day(4), "", flows.LangFR},
			{day(2.5), day(7.25), "", flows.LangEN},
			{day(6), time.Time{}, "", flows.LangFR},
			{time.Time{}, day(5), q.Themes[0].ID, flows.LangFR},
			{day(1), day(9), q.Themes[1].ID, flows.LangEN},
		} {
			want := referenceDigest(t, db, q, tc.since, tc.until, tc.theme, tc.lang)
			if want.Period.Contributions == 0 || len(want.ByProfile) < 2 {
				t.Errorf("seed %d, %v–%v: a period with nothing to compare: %+v", seed, tc.since, tc.until, want.Period)
			}
			// Without digest parts, then building them, then merging them.
			for _, days := range []*time.Location{nil, paris, paris} {
				got, err := ComputeDigest(context.Background(), db, q, tc.since, tc.until, tc.theme, tc.lang, days)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("seed %d, %v–%v theme %q, days in %v: digest (-full scan +index):\n%s", seed, tc.since, tc.until, tc.theme, days, diff)
				}
			}
		}
	}
}

// TestDigestQuotesTheTextOfTheirAnswer reads many answers to one question
// in small chunks, so that the store reuses its text buffer from chunk to
// chunk and the question's quote candidates are pruned several times: each
// quote must still be the text of the answer it names, and the digest the
// one a full scan gives.
func TestDigestQuotesTheTextOfTheirAnswer(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	th, qu := q.Themes[0].ID, q.Themes[0].Questions[0].ID
	db := openDB(t, "") // 12 rows per read transaction
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 400 {
		now := t0.Add(time.Duration(i) * time.Minute)
		text := fmt.Sprintf("%s réponse%d", randomText(r), i) // each its own
		in := bot.Inbound{ID: fmt.Sprint("ev-", i), Channel: bot.ChannelTelegram, Participant: fmt.Sprint("telegram:", i), Address: "chat"}
		_, err := db.Apply(context.Background(), in, now, func(s flows.Session) (flows.Session, []flows.Reply) {
			s.Profile = q.Profiles[i%len(q.Profiles)].ID
			s.Answers = map[string]flows.Answer{flows.AnswerKey(th, qu): {Theme: th, Question: qu, Text: text, CreatedAt: now, UpdatedAt: now}}
			s.Stage, s.Theme, s.Question = flows.StageQuestion, th, qu
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	byID := map[uint64]string{}
	if err := db.ForEachAnswer(context.Background(), func(a storage.Answer) error { byID[a.ID] = a.Text; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := ComputeDigest(context.Background(), db, q, t0.Add(time.Hour), time.Time{}, "", flows.LangFR, nil)
	if err != nil {
		t.Fatal(err)
	}
	quotes := got.Themes[0].Questions[0].Quotes
	if len(quotes) == 0 {
		t.Fatal("no quote")
	}
	for _, qt := range quotes {
		if qt.Shortened || qt.Text != byID[qt.AnswerID] {
			t.Errorf("quote of answer %d: %q, its text is %q", qt.AnswerID, qt.Text, byID[qt.AnswerID])
		}
	}
	want := referenceDigest(t, db, q, t0.Add(time.Hour), time.Time{}, "", flows.LangFR)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digest (-full scan +index):\n%s", diff)
	}
}

// paris is a time zone an hour off UTC, whose days do not fall on the
// store's.
var paris = time.FixedZone("CET", 3600)

// TestDigestPartsFollowTheStore computes the whole store's digest with
// digest parts after every few hours of a random consultation (edits,
// removals, hidden answers, bans, erasures of answers whose days have
// parts), and checks it against the reference each time: a part that
// outlived a change to one of its answers would show.
func TestDigestPartsFollowTheStore(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	db := openDB(t, "")
	checks, merged := 0, 0
	randomStoreThen(t, db, q, 3, func(step int, now time.Time) {
		if step%20 != 0 {
			return
		}
		for _, theme := range []string{"", q.Themes[0].ID} {
			got, err := ComputeDigest(context.Background(), db, q, time.Time{}, now, theme, flows.LangFR, paris)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceDigest(t, db, q, time.Time{}, now, theme, flows.LangFR)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("step %d, theme %q: digest with parts (-full scan +parts):\n%s", step, theme, diff)
			}
			checks++
		}
		if err := db.ForEachDigestPart(context.Background(), time.Time{}, now, func(storage.DigestPart) error { merged++; return nil }); err != nil {
			t.Fatal(err)
		}
	})
	if merged == 0 {
		t.Errorf("%d digests checked, none with a digest part", checks)
	}
}

// TestDigestPartsDroppedByEachChange builds the digest parts of two days,
// then changes one answer of the first day in every way a digest sees
// (edited, hidden, shown, its author banned and unbanned, its author's
// profile or académie corrected, removed, its author erased): each time
// the whole store's digest must be the reference's, and the first day's
// part must be gone until the next digest builds it again, the second
// day's left alone.
func TestDigestPartsDroppedByEachChange(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	th, qu := q.Themes[0].ID, q.Themes[0].Questions[0].ID
	db := openDB(t, "")
	ctx := context.Background()
	day := func(d int, h int) time.Time { return time.Date(2026, 3, 2+d, h, 0, 0, 0, paris) }
	event := 0
	write := func(p string, at time.Time, change func(s *flows.Session)) {
		t.Helper()
		event++
		in := bot.Inbound{ID: fmt.Sprint("ev-", event), Channel: bot.ChannelTelegram, Participant: p, Address: "chat"}
		if _, err := db.Apply(ctx, in, at, func(s flows.Session) (flows.Session, []flows.Reply) {
			if s.Answers == nil {
				s.Answers = map[string]flows.Answer{}
			}
			s.Profile = "parent"
			change(&s)
			return s, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(text string, at time.Time) func(s *flows.Session) {
		return func(s *flows.Session) {
			created := at
			if old, ok := s.Answers[flows.AnswerKey(th, qu)]; ok {
				created = old.CreatedAt
			}
			s.Answers[flows.AnswerKey(th, qu)] = flows.Answer{Theme: th, Question: qu, Text: text, CreatedAt: created, UpdatedAt: at}
		}
	}
	for d := range 2 {
		for i := range 4 {
			write(fmt.Sprintf("telegram:%d-%d", d, i), day(d, 10+i), answer(fmt.Sprintf("tablettes écrans connexion école mot%d-%d", d, i), day(d, 10+i)))
		}
	}
	now := day(2, 12)
	parts := func() []time.Time {
		var starts []time.Time
		if err := db.ForEachDigestPart(ctx, time.Time{}, now, func(p storage.DigestPart) error {
			starts = append(starts, p.Start)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return starts
	}
	check := func(what string) {
		t.Helper()
		got, err := ComputeDigest(ctx, db, q, time.Time{}, now, "", flows.LangFR, paris)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(referenceDigest(t, db, q, time.Time{}, now, "", flows.LangFR), got); diff != "" {
			t.Errorf("%s: digest with parts (-full scan +parts):\n%s", what, diff)
		}
		if got := parts(); len(got) != 2 || !got[0].Equal(day(0, 0)) || !got[1].Equal(day(1, 0)) {
			t.Errorf("%s: parts of the days starting %v, want both days'", what, got)
		}
	}
	check("built")
	var id uint64
	if err := db.ForEachAnswer(ctx, func(a storage.Answer) error {
		if a.Participant == "telegram:0-1" {
			id = a.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		change func()
	}{
		{"edited", func() { write("telegram:0-1", now, answer("ordinateurs réseau famille devoirs", now)) }},
		{"hidden", func() { _, _, _ = db.SetHidden(id, true, now) }},
		{"shown", func() { _, _, _ = db.SetHidden(id, false, now) }},
		{"banned", func() { _, _, _ = db.SetBanned(id, true) }},
		{"unbanned", func() { _, _, _ = db.SetBanned(id, false) }},
		{"profile corrected", func() { write("telegram:0-1", now, func(s *flows.Session) { s.Profile = "enseignant" }) }},
		{"académie corrected", func() { write("telegram:0-1", now, func(s *flows.Session) { s.Academie = "Bordeaux" }) }},
		{"removed", func() {
			write("telegram:0-1", now, func(s *flows.Session) { delete(s.Answers, flows.AnswerKey(th, qu)) })
		}},
		{"erased", func() { write("telegram:0-2", now, func(s *flows.Session) { s.Stage = flows.StageErased }) }},
	} {
		c.change()
		if got := parts(); len(got) != 1 || !got[0].Equal(day(1, 0)) {
			t.Errorf("%s: parts of the days starting %v, want the second day's only", c.what, got)
		}
		check(c.what)
	}
	// Nothing of the erased answer survives in a part.
	if err := db.ForEachDigestPart(ctx, time.Time{}, now, func(p storage.DigestPart) error {
		if strings.Contains(string(p.Data), "mot0-2") {
			t.Errorf("the part of the day starting %v holds the erased answer", p.Start)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedDigestPartIsBuiltAgain stores a part that cannot be read:
// the digest reads that day's answers instead, equals the reference, and
// stores a sound part in its place.
func TestDamagedDigestPartIsBuiltAgain(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	ctx := context.Background()
	db := openDB(t, "")
	randomStore(t, db, q, 5)
	first, _, err := db.FirstDigestAnswer()
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := first.In(paris).Date()
	day := storage.Span{Start: time.Date(y, m, d+1, 0, 0, 0, 0, paris), End: time.Date(y, m, d+2, 0, 0, 0, 0, paris)}
	token, err := db.ClaimDigestParts([]storage.Span{day})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.StoreDigestPart(day, token, []byte{1, 200}); !ok || err != nil {
		t.Fatalf("stored %v, %v", ok, err)
	}
	until := first.Add(6 * 24 * time.Hour)
	got, err := ComputeDigest(ctx, db, q, time.Time{}, until, "", flows.LangFR, paris)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(referenceDigest(t, db, q, time.Time{}, until, "", flows.LangFR), got); diff != "" {
		t.Errorf("digest over a damaged part (-full scan +parts):\n%s", diff)
	}
	n := 0
	if err := db.ForEachDigestPart(ctx, day.Start, day.End, func(p storage.DigestPart) error {
		n++
		return digest.NewAccumulator(digest.Input{Questionnaire: q}).MergePart(p.Data)
	}); err != nil || n != 1 {
		t.Errorf("the day's part after the digest: %d parts, %v; want one sound part", n, err)
	}
}

// textCounter is a DigestSource that counts the texts read of answers
// created before a time.
type textCounter struct {
	DigestSource
	before time.Time
	texts  int
}

func (c *textCounter) ForEachDigestAnswer(ctx context.Context, since, until time.Time, noText []storage.Span, fn func(storage.DigestAnswer) error) error {
	return c.DigestSource.ForEachDigestAnswer(ctx, since, until, noText, func(a storage.DigestAnswer) error {
		if a.Text != "" && a.CreatedAt.Before(c.before) {
			c.texts++
		}
		return fn(a)
	})
}

// TestKeptPartsServeTheWholeStoresDigest keeps the digest parts of the
// ended days every few hours of a random consultation, as the schedule
// does after each midnight: the whole store's digest then reads no text
// of an ended day, only today's, and is still the reference's.
func TestKeptPartsServeTheWholeStoresDigest(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	db := openDB(t, "")
	ctx := context.Background()
	kept := 0
	randomStoreThen(t, db, q, 5, func(step int, now time.Time) {
		if step%30 != 0 {
			return
		}
		y, m, d := now.In(paris).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, paris)
		n, err := KeepDigestParts(ctx, db, q, today, paris)
		if err != nil {
			t.Fatal(err)
		}
		kept += n
		if again, err := KeepDigestParts(ctx, db, q, today, paris); again != 0 || err != nil {
			t.Fatalf("step %d: kept %d parts again right after, %v", step, again, err)
		}
		src := &textCounter{DigestSource: db, before: today}
		got, err := ComputeDigest(ctx, src, q, time.Time{}, now, "", flows.LangFR, paris)
		if err != nil {
			t.Fatal(err)
		}
		if src.texts != 0 {
			t.Errorf("step %d: the whole store's digest read %d texts of days whose parts were kept", step, src.texts)
		}
		want := referenceDigest(t, db, q, time.Time{}, now, "", flows.LangFR)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("step %d: digest over kept parts (-full scan +parts):\n%s", step, diff)
		}
	})
	if kept < 10 {
		t.Errorf("kept %d parts over ten days of answers", kept)
	}
}
