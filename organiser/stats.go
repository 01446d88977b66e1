package organiser

import (
	"context"
	"fmt"
	"math"
	"strings"

	"consultbot/digest"
)

// stats answers /stats: the totals so far in plain text, with the figures
// since the last periodic digest in brackets.
func (s *Service) stats(ctx context.Context, lang string) (Result, error) {
	since, err := s.db.DigestCursor()
	if err != nil {
		return Result{}, err
	}
	d, err := s.Compute(ctx, since, s.opts.Now(), "", lang)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: StatsText(d)}, nil
}

// StatsText renders a digest's figures as plain text: participants and
// answers in total (new since the last periodic digest in brackets), by
// channel, profile and académie, and each theme's answers and completion.
func StatsText(d digest.Digest) string {
	fr := d.Lang != "en"
	t := func(f, e string) string {
		if fr {
			return f
		}
		return e
	}
	var b strings.Builder
	b.WriteString(t("Statistiques de la consultation", "Consultation statistics"))
	b.WriteString("\n")
	fmt.Fprintf(&b, t("Participants : %s (+%s depuis la dernière synthèse)\n", "Participants: %s (+%s since the last digest)\n"),
		num(d.Total.Participants, fr), num(d.Period.Participants, fr))
	fmt.Fprintf(&b, t("Réponses : %s (+%s)\n", "Answers: %s (+%s)\n"),
		num(d.Total.Contributions, fr), num(d.Period.Contributions, fr))
	for _, sec := range []struct {
		title string
		rows  []digest.Breakdown
	}{
		{t("Par canal", "By channel"), d.ByChannel},
		{t("Par profil", "By profile"), d.ByProfile},
		{t("Par académie", "By académie"), d.ByAcademie},
	} {
		if len(sec.rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", sec.title)
		for _, r := range sec.rows {
			label := r.Label
			if label == "" {
				label = t("(non renseigné)", "(not given)")
			}
			fmt.Fprintf(&b, t("- %s : %s participants, %s réponses (+%s)\n", "- %s: %s participants, %s answers (+%s)\n"),
				label, num(r.Total.Participants, fr), num(r.Total.Contributions, fr), num(r.Period.Contributions, fr))
		}
	}
	if len(d.Themes) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t("Par thème", "By theme"))
		for i, th := range d.Themes {
			fmt.Fprintf(&b, t("%d. %s : %s réponses (+%s), commencé par %s, terminé par %s (%s)\n", "%d. %s: %s answers (+%s), started by %s, completed by %s (%s)\n"),
				i+1, th.Title, num(th.TotalAnswers, fr), num(th.NewAnswers, fr), num(th.Started, fr), num(th.Confirmed, fr), pct(th.CompletionRate, fr))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// num groups thousands the French way (narrow no-break space) or the
// English way (comma).
func num(n int, fr bool) string {
	s := fmt.Sprint(n)
	sepr := ","
	if fr {
		sepr = "\u202f"
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, sepr)
	if neg {
		r = "-" + r
	}
	return r
}

func pct(f float64, fr bool) string {
	p := int(math.Round(f * 100))
	if fr {
		return fmt.Sprintf("%d\u00a0%%", p)
	}
	return fmt.Sprintf("%d%%", p)
}
