package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"consultbot/digest"
	"consultbot/organiser"
	"consultbot/text"
)

// runDigest prints the digest since the last periodic one as Markdown.
func (m *Main) runDigest(ctx context.Context) error {
	if !m.org.print {
		return errors.New("digest: use --print to see the digest since the last periodic one (periodic digests are posted by `consultbot run`)")
	}
	if m.org.lang != "fr" && m.org.lang != "en" {
		return fmt.Errorf("digest: --lang must be fr or en, not %q", m.org.lang)
	}
	db, cfg, err := m.openReadOnly()
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	defer db.Close()
	q, err := loadQuestionnaire(cfg.Consultation.Questionnaire)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	theme := ""
	if m.org.theme != "" {
		th := organiser.ResolveTheme(q, m.org.theme)
		if th == nil {
			return fmt.Errorf("digest: unknown theme %q", m.org.theme)
		}
		theme = th.ID
	}
	loc, err := cfg.Digest.location()
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	since, err := db.DigestCursor()
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	d, err := organiser.ComputeDigest(ctx, db, q, since, time.Now(), theme, m.org.lang)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	// The footer says how to hide an answer from here: the terminal's
	// organiser mode, on the same file.
	footer := text.For(m.org.lang).Organiser.PrintFooter
	_, err = io.WriteString(m.Stdout, digest.RenderMarkdown(d.In(loc))+"\n"+footer+"\n")
	return err
}
