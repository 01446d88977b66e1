package organiser

import (
	"context"
	"fmt"
	"math"
	"strings"

	"consultbot/digest"
	"consultbot/text"
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
	c := text.For(d.Lang)
	t := &c.Organiser.Stats
	fr := c.Lang == text.FR
	// n writes a number followed by its noun, singular or plural.
	n := func(v int, noun string) string { return num(v, fr) + " " + c.Count(v, noun) }
	since := !d.Since.IsZero()
	// news adds the part of a total that is new since the last digest.
	news := func(v int) string {
		if !since {
			return ""
		}
		return fmt.Sprintf(t.News, n(v, t.New))
	}

	var b strings.Builder
	if d.Until.IsZero() {
		b.WriteString(t.Title)
	} else {
		fmt.Fprintf(&b, t.TitleAsOf, digest.FormatTime(d.Until, d.TimeZone, c.Lang))
	}
	b.WriteString(".\n")
	if since {
		fmt.Fprintf(&b, t.LastDigest+"\n\n", digest.FormatTime(d.Since, d.TimeZone, c.Lang))
		fmt.Fprintf(&b, t.ParticipantsSince+"\n", n(d.Total.Participants, t.Contributor),
			num(d.Period.Participants, fr), c.Count(d.Period.Participants, t.Answered))
		fmt.Fprintf(&b, t.AnswersSince+"\n", n(d.Total.Contributions, t.Answer), n(d.Period.Contributions, t.New))
	} else {
		b.WriteString(t.NoPeriodic + "\n\n")
		fmt.Fprintf(&b, t.InTotal+"\n", n(d.Total.Participants, t.Contributor))
		fmt.Fprintf(&b, t.InTotal+"\n", n(d.Total.Contributions, t.Answer))
	}
	for _, sec := range []struct {
		title string
		rows  []digest.Breakdown
	}{
		{t.ByChannel, d.ByChannel},
		{t.ByProfile, d.ByProfile},
		{t.ByAcademie, d.ByAcademie},
	} {
		if len(sec.rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", sec.title)
		for _, r := range sec.rows {
			label := r.Label
			if label == "" {
				label = t.NotGiven
			}
			fmt.Fprintf(&b, t.BreakdownLine+"\n", label,
				n(r.Total.Participants, t.Participant),
				n(r.Total.Contributions, t.Answer),
				news(r.Period.Contributions))
		}
	}
	if len(d.Themes) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t.ByTheme)
		for i, th := range d.Themes {
			fmt.Fprintf(&b, t.ThemeLine, i+1, th.Title, n(th.TotalAnswers, t.Answer), news(th.NewAnswers))
			if th.Started == 0 {
				b.WriteString(" " + t.NoStart + "\n")
				continue
			}
			fmt.Fprintf(&b, " "+t.Completion, n(th.Started, t.Participant), num(th.Confirmed, fr), pct(th.CompletionRate, fr))
			if th.Skipped > 0 {
				fmt.Fprintf(&b, " "+t.Skipped, n(th.Skipped, t.Participant))
			}
			if th.Unasked > 0 {
				fmt.Fprintf(&b, " "+t.Unasked, n(th.Unasked, t.Participant))
			}
			b.WriteString("\n")
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
