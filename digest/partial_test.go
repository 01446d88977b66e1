package digest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"consultbot/flows"
)

// byParts digests in as a store with parts would: the answers of each
// period [cuts[i], cuts[i+1]) go into a part, the others one by one. It
// returns the digest that built the parts and one that merged them,
// adding those answers without their text.
func byParts(t *testing.T, in Input, cuts []time.Time) (built, merged Digest) {
	t.Helper()
	answers := slices.Clone(in.Answers)
	slices.SortStableFunc(answers, func(x, y Answer) int { return x.CreatedAt.Compare(y.CreatedAt) })
	period := func(at time.Time) int {
		for i := 0; i+1 < len(cuts); i++ {
			if !at.Before(cuts[i]) && at.Before(cuts[i+1]) {
				return i
			}
		}
		return -1
	}
	newAcc := func() *Accumulator {
		return NewAccumulator(Input{Questionnaire: in.Questionnaire, Participants: in.Participants,
			Since: in.Since, Until: in.Until, Theme: in.Theme, Lang: in.Lang})
	}
	acc := newAcc()
	parts := map[int][]byte{}
	open := -1
	end := func() {
		if open < 0 {
			return
		}
		b, err := acc.EndPart()
		if err != nil {
			t.Fatal(err)
		}
		parts[open] = b
		open = -1
	}
	for _, a := range answers {
		if p := period(a.CreatedAt); p != open {
			end()
			if p >= 0 {
				acc.StartPart()
				open = p
			}
		}
		acc.Add(a)
	}
	end()
	built = acc.Finish()

	acc = newAcc()
	for i := range len(cuts) - 1 {
		if b, ok := parts[i]; ok {
			if err := acc.MergePart(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, a := range answers {
		if _, ok := parts[period(a.CreatedAt)]; ok {
			a.Text = ""
		}
		acc.Add(a)
	}
	return built, acc.Finish()
}

// TestPartsGiveTheDigestOfTheAnswers checks that a digest merging parts,
// built now or earlier, is the digest computed answer by answer, on a
// store small enough for quotes to be chosen exactly.
func TestPartsGiveTheDigestOfTheAnswers(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		in := fixture(lang)
		want := Compute(in)
		for _, cuts := range [][]time.Time{
			{fixSince, fixUntil},
			{fixSince, fixSince.Add(5 * time.Hour), fixSince.Add(9 * time.Hour), fixUntil},
			{fixSince.Add(3 * time.Hour), fixSince.Add(4 * time.Hour), fixSince.Add(12 * time.Hour)},
		} {
			built, merged := byParts(t, in, cuts)
			if diff := gocmp.Diff(want, built); diff != "" {
				t.Errorf("%s, parts %v: digest building parts differs (-answers +parts):\n%s", lang, cuts, diff)
			}
			if diff := gocmp.Diff(want, merged); diff != "" {
				t.Errorf("%s, parts %v: digest merging parts differs (-answers +parts):\n%s", lang, cuts, diff)
			}
		}
	}
	// A digest of one theme takes from the parts its questions only.
	in := fixture("fr")
	in.Theme = "acces"
	_, merged := byParts(t, in, []time.Time{fixSince, fixUntil})
	if diff := gocmp.Diff(Compute(in), merged); diff != "" {
		t.Errorf("one theme: digest merging parts differs (-answers +parts):\n%s", diff)
	}
}

// TestPartsStayCloseOnALargeStore checks the merge's approximation beyond
// 2×64 answers a question: words and counts exact, quotes as central
// (by their scores, which are exact) as those chosen answer by answer.
func TestPartsStayCloseOnALargeStore(t *testing.T) {
	in := Input{Questionnaire: flows.DefaultQuestionnaire(), Lang: "fr"}
	qs := [][2]string{{"acces", "equipement"}, {"acces", "besoins"}}
	const days, perDay = 10, 600
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range days * perDay {
		q := qs[i%len(qs)]
		in.Answers = append(in.Answers, Answer{ID: uint64(i + 1), Participant: fmt.Sprint("telegram:", i/3),
			Channel: "telegram", Profile: "parent", Theme: q[0], Question: q[1], Text: synthText(i),
			CreatedAt: start.Add(time.Duration(i) * 24 * time.Hour / perDay)})
	}
	var cuts []time.Time
	for d := range days + 1 {
		cuts = append(cuts, start.Add(time.Duration(d)*24*time.Hour))
	}
	want := Compute(in)
	built, merged := byParts(t, in, cuts)
	if diff := gocmp.Diff(built, merged); diff != "" {
		t.Errorf("merging parts built earlier differs from building them (-built +merged):\n%s", diff)
	}
	for _, q := range qs {
		w, m := question(t, want, q[0], q[1]), question(t, merged, q[0], q[1])
		if w.NewAnswers != m.NewAnswers || w.TotalAnswers != m.TotalAnswers || !slices.Equal(w.Words, m.Words) {
			t.Errorf("%s: counts or words differ:\n answers %d/%d %v\n parts   %d/%d %v", q[1],
				w.NewAnswers, w.TotalAnswers, w.Words, m.NewAnswers, m.TotalAnswers, m.Words)
		}
		if len(m.Quotes) != len(w.Quotes) {
			t.Fatalf("%s: %d quotes, want %d", q[1], len(m.Quotes), len(w.Quotes))
		}
		// Quotes are chosen from candidates pruned along the way: the
		// merge may pick others, but as central, within 0.03.
		for i := range w.Quotes {
			if d := w.Quotes[i].Score - m.Quotes[i].Score; d > 0.03 || d < -0.03 {
				t.Errorf("%s: quote %d scores %.3f, answer by answer %.3f", q[1], i+1, m.Quotes[i].Score, w.Quotes[i].Score)
			}
		}
		t.Logf("%s: quotes %v (answer by answer) and %v (parts)", q[1], scores(w.Quotes), scores(m.Quotes))
	}
}

func scores(qs []Quote) []float64 {
	var out []float64
	for _, q := range qs {
		out = append(out, q.Score)
	}
	return out
}

// TestCorruptPartIsAnError checks that a damaged part is refused, not
// half merged into a digest, nor a panic.
func TestCorruptPartIsAnError(t *testing.T) {
	in := fixture("fr")
	acc := NewAccumulator(Input{Questionnaire: in.Questionnaire, Since: in.Since, Until: in.Until, Lang: "fr"})
	acc.StartPart()
	for _, a := range in.Answers {
		acc.Add(a)
	}
	b, err := acc.EndPart()
	if err != nil {
		t.Fatal(err)
	}
	want := Compute(in)
	for _, bad := range [][]byte{nil, {9}, b[:len(b)/2], append(slices.Clone(b), 0)} {
		acc := NewAccumulator(in)
		if err := acc.MergePart(bad); err == nil {
			t.Errorf("part of %d bytes (of %d) merged without error", len(bad), len(b))
		}
		if diff := gocmp.Diff(want, acc.Finish()); diff != "" {
			t.Errorf("part of %d bytes (of %d) changed the digest:\n%s", len(bad), len(b), diff)
		}
	}
}
