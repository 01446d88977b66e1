package main

import (
	"errors"
	"fmt"
	"strings"

	"consultbot/storage"
	"consultbot/text"
)

// runCompact rewrites the database without its free pages, where erased
// answers linger until bbolt reuses them (storage.Compact).
func (m *Main) runCompact() error {
	cfg, err := LoadConfig(m.configPath, m.Getenv)
	if err != nil {
		return m.configInvalid(err)
	}
	if m.dbPath != "" {
		cfg.Storage.Path = m.dbPath
	}
	path := cfg.Storage.Path
	before, after, err := storage.Compact(path, storage.Options{})
	if errors.Is(err, storage.ErrLockedByWriter) {
		return fmt.Errorf(m.t().HeldByBot, "compact", path)
	}
	if err != nil {
		return m.failed("compact", err)
	}
	_, err = fmt.Fprintf(m.Stdout, m.t().Compacted+"\n", path, sizeIn(before, m.t()), sizeIn(after, m.t()))
	return err
}

// sizeText writes a file size for people: 512 B, 40 KiB, 3.2 MiB.
func sizeText(n int64) string { return sizeIn(n, &text.For(text.EN).CLI) }

// sizeIn writes n bytes with the units and decimal mark of t.
func sizeIn(n int64, t *text.CLI) string {
	units := strings.Split(t.SizeUnits, "|")
	var s string
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d %s", n, units[0])
	case n < 1<<20:
		return fmt.Sprintf("%.0f %s", float64(n)/(1<<10), units[1])
	case n < 1<<30:
		s = fmt.Sprintf("%.1f %s", float64(n)/(1<<20), units[2])
	default:
		s = fmt.Sprintf("%.1f %s", float64(n)/(1<<30), units[3])
	}
	return strings.Replace(s, ".", t.DecimalMark, 1)
}
