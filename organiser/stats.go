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

// StatsText renders a digest's figures as plain text: when they were
// taken and when the last periodic digest was, participants and answers
// in total (and since that digest), by channel, profile and académie, and
// each theme's answers and completion. One idea per line; every number
// agrees with its noun.
func StatsText(d digest.Digest) string {
	lang := "fr"
	if d.Lang == "en" {
		lang = "en"
	}
	fr := lang == "fr"
	t := func(f, e string) string {
		if fr {
			return f
		}
		return e
	}
	// n writes a number followed by its noun, singular or plural.
	n := func(v int, one, many string) string { return num(v, fr) + " " + plural(lang, v, one, many) }
	since := !d.Since.IsZero()
	// news adds the part of a total that is new since the last digest.
	news := func(v int) string {
		if !since {
			return ""
		}
		return t(" (dont "+n(v, "nouvelle", "nouvelles")+")", " ("+num(v, fr)+" new)")
	}

	var b strings.Builder
	if d.Until.IsZero() {
		b.WriteString(t("Statistiques de la consultation", "Consultation statistics"))
	} else {
		b.WriteString(t("Statistiques de la consultation au ", "Consultation statistics as of ") + digest.FormatTime(d.Until, d.TimeZone, lang))
	}
	b.WriteString(".\n")
	if since {
		b.WriteString(t("La dernière synthèse date du ", "The last digest dates from ") + digest.FormatTime(d.Since, d.TimeZone, lang) + ".\n\n")
		fmt.Fprintf(&b, t("%s au total, dont %s %s depuis la dernière synthèse.\n", "%s in total; %[2]s answered since the last digest.\n"),
			n(d.Total.Participants, "participant", "participants"), num(d.Period.Participants, fr),
			plural(lang, d.Period.Participants, "qui a répondu", "qui ont répondu"))
		fmt.Fprintf(&b, t("%s au total, dont %s depuis la dernière synthèse.\n", "%s in total, %s since the last digest.\n"),
			n(d.Total.Contributions, t("réponse", "answer"), t("réponses", "answers")),
			t(n(d.Period.Contributions, "nouvelle", "nouvelles"), num(d.Period.Contributions, fr)+" new"))
	} else {
		b.WriteString(t("Aucune synthèse périodique n'a encore été envoyée.\n\n", "No periodic digest has been sent yet.\n\n"))
		fmt.Fprintf(&b, t("%s au total.\n", "%s in total.\n"), n(d.Total.Participants, "participant", "participants"))
		fmt.Fprintf(&b, t("%s au total.\n", "%s in total.\n"), n(d.Total.Contributions, t("réponse", "answer"), t("réponses", "answers")))
	}
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
				label = t("non renseigné", "not given")
			}
			fmt.Fprintf(&b, t("- %s : %s, %s%s\n", "- %s: %s, %s%s\n"), label,
				n(r.Total.Participants, "participant", "participants"),
				n(r.Total.Contributions, t("réponse", "answer"), t("réponses", "answers")),
				news(r.Period.Contributions))
		}
	}
	if len(d.Themes) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t("Par thème", "By theme"))
		for i, th := range d.Themes {
			fmt.Fprintf(&b, "%d. %s%s %s%s.", i+1, th.Title, t(" :", ":"),
				n(th.TotalAnswers, t("réponse", "answer"), t("réponses", "answers")), news(th.NewAnswers))
			if th.Started == 0 {
				b.WriteString(t(" Personne ne l'a commencé.\n", " Nobody started it.\n"))
				continue
			}
			fmt.Fprintf(&b, t(" Commencé par %s, terminé par %s (%s).\n", " Started by %s, completed by %s (%s).\n"),
				n(th.Started, "participant", "participants"), num(th.Confirmed, fr), pct(th.CompletionRate, fr))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// plural returns the noun to write after the number n: French uses the
// singular for 0 and 1 (« 0 réponse »), English for 1 only ("0 answers").
func plural(lang string, n int, one, many string) string {
	if n == 1 || (n == 0 && lang == "fr") {
		return one
	}
	return many
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
