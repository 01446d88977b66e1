package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"consultbot/admin"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
	"consultbot/text"
)

// reader is what export, digest --print, stats and backup read from: the
// database opened read-only when no bot runs (localReader), or the running
// bot through its admin socket (remoteReader), which answers with a
// localReader over its own open database. Either way the same code reads
// the store and the command writes the same output.
type reader interface {
	export(ctx context.Context, w io.Writer, req exportRequest) (int, error)
	digest(ctx context.Context, w io.Writer, theme, lang string) error
	stats(ctx context.Context, w io.Writer, lang string) error
	backup(ctx context.Context, w io.Writer) (int64, error)
	Close() error
}

// exportRequest is an export's flags, checked by the command line and
// again by the bot that runs it.
type exportRequest struct {
	format, separator string
	raw               bool
	// lang is the language of the messages about the request.
	lang string
	// key is the pseudonym key, from the environment of the person who
	// asked; it never leaves the two processes and is never logged.
	key []byte
	// audio says, by answer id, what became of each voice recording and
	// where the export copied it (local exports only: --voice-dir).
	audio map[uint64]organiser.Audio
}

// options turns the request into the organiser's export options.
func (r exportRequest) options() (organiser.ExportOptions, error) {
	t := &text.For(r.lang).CLI
	if r.format != organiser.FormatCSV && r.format != organiser.FormatJSONL {
		return organiser.ExportOptions{}, fmt.Errorf(t.ExportFormat, r.format)
	}
	sep, ok := parseSeparator(r.separator)
	if !ok {
		return organiser.ExportOptions{}, fmt.Errorf(t.ExportSeparator, r.separator)
	}
	switch {
	case len(r.key) == 0:
		return organiser.ExportOptions{}, fmt.Errorf(t.KeyMissing, organiser.PseudonymKeyEnv)
	case len(r.key) < organiser.MinPseudonymKey:
		return organiser.ExportOptions{}, fmt.Errorf(t.KeyShort, organiser.PseudonymKeyEnv, len(r.key), organiser.MinPseudonymKey)
	}
	pseudo, err := organiser.NewPseudonymizer(r.key)
	if err != nil {
		return organiser.ExportOptions{}, fmt.Errorf("export: %w", err)
	}
	return organiser.ExportOptions{Format: r.format, Separator: sep, Pseudonyms: pseudo, Until: time.Now(), Raw: r.raw, Audio: r.audio}, nil
}

// localReader reads a database this process has open.
type localReader struct {
	db  *storage.DB
	q   *flows.Questionnaire
	loc *time.Location
	// onDigest, when set, learns how long each digest took (metrics).
	onDigest func(time.Duration)
	// close closes db when the reader owns it (the command line's
	// read-only open); nil inside the bot.
	close func() error
}

func (l *localReader) Close() error {
	if l.close == nil {
		return nil
	}
	return l.close()
}

func (l *localReader) export(ctx context.Context, w io.Writer, req exportRequest) (int, error) {
	opts, err := req.options()
	if err != nil {
		return 0, err
	}
	opts.Location = l.loc
	return organiser.Export(ctx, l.db, l.q, w, opts)
}

// compute is the digest of the period since the last periodic one, in
// the consultation's time zone, as /synthese and /stats compute it.
func (l *localReader) compute(ctx context.Context, theme, lang string) (digest.Digest, error) {
	if lang != "fr" && lang != "en" {
		return digest.Digest{}, fmt.Errorf("--lang must be fr or en, not %q", lang)
	}
	since, err := l.db.DigestCursor()
	if err != nil {
		return digest.Digest{}, err
	}
	start := time.Now()
	d, err := organiser.ComputeDigest(ctx, l.db, l.q, since, start, theme, lang, l.loc)
	if err != nil {
		return digest.Digest{}, err
	}
	if l.onDigest != nil {
		l.onDigest(time.Since(start))
	}
	return d.In(l.loc), nil
}

func (l *localReader) digest(ctx context.Context, w io.Writer, theme, lang string) error {
	if theme != "" {
		th := organiser.ResolveTheme(l.q, theme)
		if th == nil {
			return fmt.Errorf("unknown theme %q", theme)
		}
		theme = th.ID
	}
	d, err := l.compute(ctx, theme, lang)
	if err != nil {
		return err
	}
	// The digest ends with how to hide a quoted answer; the footer adds
	// where to send that from here: the terminal's organiser mode.
	out := digest.RenderMarkdown(d)
	if quotes(d) {
		out += "\n" + text.For(lang).Organiser.PrintFooter + "\n"
	}
	_, err = io.WriteString(w, out)
	return err
}

// quotes reports whether d quotes any answer.
func quotes(d digest.Digest) bool {
	for _, th := range d.Themes {
		for _, q := range th.Questions {
			if len(q.Quotes) > 0 {
				return true
			}
		}
	}
	return false
}

func (l *localReader) stats(ctx context.Context, w io.Writer, lang string) error {
	d, err := l.compute(ctx, "", lang)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, organiser.StatsText(d)+"\n")
	return err
}

func (l *localReader) backup(ctx context.Context, w io.Writer) (int64, error) {
	return l.db.Backup(ctxWriter{ctx, w})
}

// ctxWriter fails once ctx ends, so that a copy in progress stops when
// the bot shuts down or the person who asked goes away.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// remoteReader asks the running bot, through its admin socket.
type remoteReader struct {
	path  string // the socket
	owner int    // the database file's owner, whom the socket must belong to
}

func (r *remoteReader) Close() error { return nil }

func (r *remoteReader) call(ctx context.Context, op string, params map[string]string, w io.Writer) (string, error) {
	return admin.Call(ctx, r.path, r.owner, admin.Request{Op: op, Params: params}, w)
}

func (r *remoteReader) export(ctx context.Context, w io.Writer, req exportRequest) (int, error) {
	summary, err := r.call(ctx, opExport, map[string]string{
		"format": req.format, "separator": req.separator, "raw": strconv.FormatBool(req.raw), "key": string(req.key), "lang": req.lang,
	}, w)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(summary)
}

func (r *remoteReader) digest(ctx context.Context, w io.Writer, theme, lang string) error {
	_, err := r.call(ctx, opDigest, map[string]string{"theme": theme, "lang": lang}, w)
	return err
}

func (r *remoteReader) stats(ctx context.Context, w io.Writer, lang string) error {
	_, err := r.call(ctx, opStats, map[string]string{"lang": lang}, w)
	return err
}

func (r *remoteReader) backup(ctx context.Context, w io.Writer) (int64, error) {
	summary, err := r.call(ctx, opBackup, nil, w)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(summary, 10, 64)
}

// openReader opens what a read-only command reads: the database file,
// read-only and checked page by page, when no bot holds it; else the bot
// that holds it, through its admin socket.
func (m *Main) openReader(ctx context.Context) (reader, Config, error) {
	db, cfg, err := m.openReadOnly()
	if errors.Is(err, storage.ErrLockedByWriter) {
		r, rerr := dialBot(ctx, cfg.Storage.Path, m.t())
		return r, cfg, rerr
	}
	if err != nil {
		return nil, cfg, err
	}
	q, err := loadQuestionnaire(cfg.Consultation.Questionnaire)
	if err != nil {
		db.Close()
		return nil, cfg, err
	}
	loc, err := cfg.Digest.location()
	if err != nil {
		db.Close()
		return nil, cfg, err
	}
	return &localReader{db: db, q: q, loc: loc, close: db.Close}, cfg, nil
}

// dialBot checks that the bot holding the database at dbPath answers on
// its admin socket.
func dialBot(ctx context.Context, dbPath string, t *text.CLI) (reader, error) {
	r := &remoteReader{path: admin.SocketPath(dbPath), owner: admin.FileOwner(dbPath)}
	if _, err := r.call(ctx, opPing, nil, io.Discard); errors.Is(err, admin.ErrNotRunning) {
		return nil, fmt.Errorf(t.NoAdminSocket, dbPath, r.path)
	} else if err != nil {
		return nil, err
	}
	return r, nil
}
