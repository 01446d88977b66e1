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
			got, err := ComputeDigest(context.Background(), db, q, tc.since, tc.until, tc.theme, tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceDigest(t, db, q, tc.since, tc.until, tc.theme, tc.lang)
			if want.Period.Contributions == 0 || len(want.ByProfile) < 2 {
				t.Errorf("seed %d, %v–%v: a period with nothing to compare: %+v", seed, tc.since, tc.until, want.Period)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seed %d, %v–%v theme %q: digest (-full scan +index):\n%s", seed, tc.since, tc.until, tc.theme, diff)
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
	got, err := ComputeDigest(context.Background(), db, q, t0.Add(time.Hour), time.Time{}, "", flows.LangFR)
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
