package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/text"
)

// runDigest prints the digest since the last periodic one as Markdown.
func (m *Main) runDigest(ctx context.Context) error {
	if !m.org.print {
		return errors.New(m.t().DigestNeedsPrint)
	}
	if err := m.checkLang("digest"); err != nil {
		return err
	}
	r, cfg, err := m.openReader(ctx)
	if err != nil {
		return m.failed("digest", err)
	}
	defer r.Close()
	if m.org.theme != "" {
		// Checked here, in the command line's language, also when the
		// running bot computes the digest.
		q, err := loadQuestionnaire(cfg.Consultation.Questionnaire)
		if err != nil {
			return m.failed("digest", err)
		}
		if organiser.ResolveTheme(q, m.org.theme) == nil {
			return errors.New(m.unknownTheme(q, m.org.theme))
		}
	}
	if err := r.digest(ctx, m.Stdout, m.org.theme, m.org.lang); err != nil {
		return m.failed("digest", err)
	}
	return nil
}

// unknownTheme says that theme does not exist, lists the themes by number,
// id and title, and shows what to type.
func (m *Main) unknownTheme(q *flows.Questionnaire, theme string) string {
	t := m.t()
	var b strings.Builder
	fmt.Fprintf(&b, t.UnknownTheme, theme)
	for i, th := range q.Themes {
		b.WriteByte('\n')
		fmt.Fprintf(&b, t.ThemeLine, i+1, th.ID, th.Title.In(text.Lang(m.lang)))
	}
	b.WriteString("\n" + t.ThemeExample)
	return b.String()
}

// checkLang checks the --lang flag of command.
func (m *Main) checkLang(command string) error {
	if m.org.lang != text.FR && m.org.lang != text.EN {
		return fmt.Errorf(m.t().LangFlag, command, m.org.lang)
	}
	return nil
}

// failed puts command before an error from below (I/O, storage), in the
// command line's language.
func (m *Main) failed(command string, err error) error {
	return fmt.Errorf(m.t().Failed+"%w", command, m.worded(err))
}
