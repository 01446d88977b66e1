package main

import (
	"context"
	"errors"
	"fmt"
)

// runDigest prints the digest since the last periodic one as Markdown.
func (m *Main) runDigest(ctx context.Context) error {
	if !m.org.print {
		return errors.New("digest: use --print to see the digest since the last periodic one (periodic digests are posted by `consultbot run`)")
	}
	if m.org.lang != "fr" && m.org.lang != "en" {
		return fmt.Errorf("digest: --lang must be fr or en, not %q", m.org.lang)
	}
	r, _, err := m.openReader(ctx)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	defer r.Close()
	if err := r.digest(ctx, m.Stdout, m.org.theme, m.org.lang); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	return nil
}
