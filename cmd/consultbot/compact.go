package main

import (
	"errors"
	"fmt"

	"consultbot/storage"
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
	_, err = fmt.Fprintf(m.Stdout, m.t().Compacted+"\n", path, sizeText(before), sizeText(after))
	return err
}

// sizeText writes a file size for people: 512 B, 40 KiB, 3.2 MiB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
