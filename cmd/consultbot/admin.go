package main

import (
	"context"
	"io"
	"strconv"
	"time"

	"consultbot/admin"
	"consultbot/flows"
)

// The admin socket's operations.
const (
	opPing   = "ping"
	opExport = "export"
	opDigest = "digest"
	opStats  = "stats"
	opBackup = "backup"
)

// startAdmin opens the admin socket beside the database, through which
// export, digest --print, stats and backup reach this process while it
// holds the database (see reader.go). Close closes it before the
// database.
func (m *Main) startAdmin(cfg Config, q *flows.Questionnaire) error {
	loc, err := cfg.Digest.location() // validated
	if err != nil {
		return err
	}
	l := &localReader{db: m.db, q: q, loc: loc}
	if m.metrics != nil {
		l.onDigest = func(d time.Duration) { m.metrics.Digest("admin", d) }
	}
	handlers := map[string]admin.Handler{
		opPing: func(context.Context, map[string]string, io.Writer) (string, error) { return "ok", nil },
		opExport: func(ctx context.Context, p map[string]string, w io.Writer) (string, error) {
			raw, _ := strconv.ParseBool(p["raw"])
			n, err := l.export(ctx, w, exportRequest{format: p["format"], separator: p["separator"], raw: raw, key: []byte(p["key"]), lang: p["lang"]})
			return strconv.Itoa(n), err
		},
		opDigest: func(ctx context.Context, p map[string]string, w io.Writer) (string, error) {
			return "", l.digest(ctx, w, p["theme"], p["lang"])
		},
		opStats: func(ctx context.Context, p map[string]string, w io.Writer) (string, error) {
			return "", l.stats(ctx, w, p["lang"])
		},
		opBackup: func(ctx context.Context, _ map[string]string, w io.Writer) (string, error) {
			start := time.Now()
			n, err := l.backup(ctx, w)
			if m.metrics != nil {
				m.metrics.Backup(time.Since(start), n, err)
			}
			return strconv.FormatInt(n, 10), err
		},
	}
	srv, err := admin.Listen(admin.SocketPath(cfg.Storage.Path), handlers, m.logger.With("component", "admin"))
	if err != nil {
		return err
	}
	m.admin = srv
	m.logger.Info("admin socket open", "path", srv.Path())
	return nil
}

// closeAdmin ends the admin requests in flight and removes the socket.
func (m *Main) closeAdmin() error {
	if m.admin == nil {
		return nil
	}
	err := m.admin.Close()
	m.admin = nil
	return err
}

// runStats prints the organisers' statistics, as /stats shows them.
func (m *Main) runStats(ctx context.Context) error {
	if err := m.checkLang("stats"); err != nil {
		return err
	}
	r, _, err := m.openReader(ctx)
	if err != nil {
		return m.failed("stats", err)
	}
	defer r.Close()
	if err := r.stats(ctx, m.Stdout, m.org.lang); err != nil {
		return m.failed("stats", err)
	}
	return nil
}

// startOps starts what run offers operators beside the channels: the admin
// socket, the metrics listener and the scheduled backups (these stop with
// ctx, the channels' context).
func (m *Main) startOps(ctx context.Context, cfg Config, q *flows.Questionnaire) error {
	if err := m.startAdmin(cfg, q); err != nil {
		return err
	}
	if err := m.serveMetrics(cfg); err != nil {
		return err
	}
	if cfg.Backup.EveryHours > 0 {
		dir := cfg.Backup.dir(cfg.Storage.Path)
		if err := prepareBackupDir(dir); err != nil {
			return err
		}
		m.chanWG.Add(1)
		go func() {
			defer m.chanWG.Done()
			m.scheduledBackups(ctx, cfg.Backup, dir, m.db)
		}()
	}
	return nil
}
