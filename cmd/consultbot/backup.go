package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"consultbot/storage"
	"consultbot/text"
)

// BackupConfig sets the scheduled backups `run` takes while it runs (each
// a hot copy, as `consultbot backup` makes one).
type BackupConfig struct {
	// EveryHours, when positive, takes a backup every that many hours
	// (the first at start-up when the directory holds none, else that
	// long after the newest); 0 turns scheduled backups off.
	EveryHours int `toml:"every_hours"`
	// Dir is where they go, created 0700; empty: "backups" beside the
	// database.
	Dir string `toml:"dir"`
	// Keep is how many are kept: the oldest beyond it are removed after
	// each new one.
	Keep int `toml:"keep"`
}

func defaultBackupConfig() BackupConfig { return BackupConfig{Keep: 7} }

func (b BackupConfig) validate() []error {
	var errs []error
	errs = appendRange(errs, "backup.every_hours", b.EveryHours, 0, 24*31, text.WhyBackupHours)
	errs = appendRange(errs, "backup.keep", b.Keep, 1, 1000, text.WhyBackupKeep)
	return errs
}

// dir returns where scheduled backups go for the database at dbPath.
func (b BackupConfig) dir(dbPath string) string {
	if b.Dir != "" {
		return b.Dir
	}
	return filepath.Join(filepath.Dir(dbPath), "backups")
}

// Backup file names: the prefix, the UTC time, the suffix; they sort by
// time.
const (
	backupPrefix     = "consultbot-"
	backupSuffix     = ".db"
	backupTimeLayout = "20060102T150405Z"
)

// runBackup writes a hot, checked copy of the database to --out: through
// the running bot's admin socket, or from the file opened read-only when
// the bot is stopped.
func (m *Main) runBackup(ctx context.Context) error {
	if m.org.out == "" || m.org.out == "-" {
		return errors.New(m.t().BackupNeedsOut)
	}
	r, cfg, err := m.openReader(ctx)
	if err != nil {
		return m.failed("backup", err)
	}
	defer r.Close()
	if err := checkOutTarget(m.t(), "backup", m.org.out, cfg.Storage.Path); err != nil {
		return err
	}
	start := time.Now()
	n, err := storage.SaveBackup(m.org.out, func(w io.Writer) (int64, error) { return r.backup(ctx, w) })
	if err != nil {
		return m.failed("backup", err)
	}
	_, err = fmt.Fprintf(m.Stderr, m.t().BackedUp+"\n", cfg.Storage.Path, m.org.out, sizeIn(n, m.t()), time.Since(start).Round(time.Millisecond))
	return err
}

// prepareBackupDir creates the scheduled backups' directory, 0700, or
// checks that an existing one is private: the backups hold every answer.
func prepareBackupDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return invalid("backup.dir", text.BackupDirCreate, dir, errors.Unwrap(err))
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return invalid("backup.dir", text.CannotRead, dir, errors.Unwrap(err))
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return invalid("backup.dir", text.BackupDirOpen, dir, perm, dir)
	}
	return nil
}

// listBackups returns the scheduled backups in dir, oldest first.
func listBackups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, backupPrefix) || !strings.HasSuffix(n, backupSuffix) {
			continue
		}
		if _, err := time.Parse(backupTimeLayout, strings.TrimSuffix(strings.TrimPrefix(n, backupPrefix), backupSuffix)); err == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// backupTime is when a scheduled backup was taken, from its name.
func backupTime(name string) time.Time {
	t, _ := time.Parse(backupTimeLayout, strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), backupSuffix))
	return t
}

// scheduledBackups takes a backup of db every cfg.EveryHours until ctx
// ends, keeping the newest cfg.Keep. The schedule follows the newest
// backup in the directory, so that restarts neither skip one nor take
// one each time.
func (m *Main) scheduledBackups(ctx context.Context, cfg BackupConfig, dir string, db *storage.DB) {
	every := time.Duration(cfg.EveryHours) * time.Hour
	log := m.logger.With("component", "backup")
	log.Info("scheduled backups", "dir", dir, "every", every, "keep", cfg.Keep)
	for {
		var wait time.Duration
		names, err := listBackups(dir)
		if err != nil {
			log.Error("list backups", "err", err)
			wait = time.Hour
		} else if len(names) > 0 {
			wait = time.Until(backupTime(names[len(names)-1]).Add(every))
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		if err := m.takeBackup(ctx, dir, cfg.Keep, db); err != nil {
			log.Error("scheduled backup failed; trying again in an hour", "err", err)
			t := time.NewTimer(min(time.Hour, every))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// takeBackup writes one scheduled backup and removes the oldest beyond
// keep.
func (m *Main) takeBackup(ctx context.Context, dir string, keep int, db *storage.DB) error {
	if ctx.Err() != nil {
		return nil
	}
	start := time.Now()
	name := backupPrefix + start.UTC().Format(backupTimeLayout) + backupSuffix
	n, err := storage.SaveBackup(filepath.Join(dir, name), func(w io.Writer) (int64, error) { return db.Backup(ctxWriter{ctx, w}) })
	if err != nil && ctx.Err() != nil {
		return nil // shutting down: the copy was abandoned and removed
	}
	if m.metrics != nil {
		m.metrics.Backup(time.Since(start), n, err)
	}
	if err != nil {
		return err
	}
	m.logger.Info("backup written", "component", "backup", "file", name, "size", sizeText(n), "took", time.Since(start).Round(time.Millisecond))
	names, err := listBackups(dir)
	if err != nil {
		return err
	}
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove old backup: %w", err)
		}
		m.logger.Info("old backup removed", "component", "backup", "file", names[0])
		names = names[1:]
	}
	return nil
}
