package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"consultbot/organiser"
	"consultbot/storage"
	"consultbot/text"
)

// orgFlags are the flags of the organisers' commands, export and digest.
type orgFlags struct {
	format, out, separator string // export
	raw                    bool   // export
	voiceDir               string // export
	print                  bool   // digest
	theme, lang            string // digest
	console                bool   // chat -organiser
}

// orgCommands registers the flags of export and digest; it reports whether
// command is one of them.
func (m *Main) orgCommands(command string, fs *flag.FlagSet) bool {
	help := &m.t().Flags
	switch command {
	case "export":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
		fs.StringVar(&m.org.format, "format", organiser.FormatCSV, help.Format)
		fs.StringVar(&m.org.out, "out", "", help.ExportOut)
		fs.StringVar(&m.org.separator, "separator", ";", help.Separator)
		fs.StringVar(&m.org.voiceDir, "voice-dir", "", help.VoiceDir)
		fs.BoolVar(&m.org.raw, "raw", false, help.Raw)
	case "digest":
		fs.StringVar(&m.dbPath, "db", "", help.DB)
		fs.BoolVar(&m.org.print, "print", false, help.Print)
		fs.StringVar(&m.org.theme, "theme", "", help.Theme)
		// As stats: the language of the command line unless told.
		fs.StringVar(&m.org.lang, "lang", m.lang, help.DigestLang)
	default:
		return false
	}
	return true
}

// openReadOnly opens the configured database for a read-only command and
// checks all of it.
func (m *Main) openReadOnly() (*storage.DB, Config, error) {
	cfg, err := LoadConfig(m.configPath, m.Getenv)
	if err != nil {
		return nil, cfg, m.configInvalid(err)
	}
	if m.dbPath != "" {
		cfg.Storage.Path = m.dbPath
	}
	if cfg.Storage.Backend == BackendEtcd {
		// The cluster is shared: read it directly, bot running or not.
		if err := errors.Join(cfg.Storage.validate()...); err != nil {
			return nil, cfg, m.configInvalid(err)
		}
		db, _, err := cfg.Storage.openStore(storage.Options{})
		return db, cfg, err
	}
	if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, fs.ErrNotExist) {
		return nil, cfg, fmt.Errorf(m.t().NoDatabase, cfg.Storage.Path)
	}
	db, err := storage.OpenReadOnly(cfg.Storage.Path, storage.Options{})
	if err != nil {
		return nil, cfg, err
	}
	// Export and digest read every answer: check every page first, so
	// that a damaged file stops them with a clear message before any
	// output. It costs 4 to 6 s per million answers (docs/BENCHMARKS.md),
	// against 8 to 10 s for the export itself; run and chat, which must
	// come up quickly, check the meta pages and the size only.
	if err := db.Check(); err != nil {
		db.Close()
		return nil, cfg, &storage.OpenError{Path: cfg.Storage.Path, Err: err}
	}
	return db, cfg, nil
}

// runExport writes every answer, pseudonymised, as CSV or JSONL, from the
// database or, while the bot runs, through its admin socket. The file is
// written under a temporary name and renamed at the end, so that an
// interrupted export never leaves a truncated file behind.
func (m *Main) runExport(ctx context.Context) error {
	t := m.t()
	if m.org.out == "" {
		return errors.New(t.ExportNeedsOut)
	}
	req := exportRequest{format: m.org.format, separator: m.org.separator, raw: m.org.raw, key: []byte(m.Getenv(organiser.PseudonymKeyEnv)), lang: m.lang}
	// The flags and the key are checked before anything is opened: a
	// missing key must not leave an empty file behind.
	if _, err := req.options(); err != nil {
		return err
	}
	r, cfg, err := m.openReader(ctx)
	if err != nil {
		return m.failed("export", err)
	}
	defer r.Close()
	// Voice recordings are files beside the database: they are copied
	// when the bot is stopped, with the export of the file it left.
	if lr, ok := r.(*localReader); ok {
		audio, copied, err := exportVoice(ctx, lr.db, cfg, lr.loc, m.org.voiceDir, t)
		if err != nil {
			return err // worded for the command line, "export" first
		}
		req.audio = audio
		if m.org.voiceDir != "" {
			fmt.Fprintf(m.Stderr, t.VoiceCopied+"\n", copied, text.For(m.lang).Count(copied, t.VoiceNoun), m.org.voiceDir)
		}
	} else if m.org.voiceDir != "" {
		return errors.New(t.VoiceWhileRuns)
	}
	answers := func(n int) string { return text.For(m.lang).Count(n, t.ExportedAnswer) }
	if m.org.out == "-" {
		n, err := r.export(ctx, m.Stdout, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, t.Exported+"\n", n, answers(n))
		return nil
	}
	if err := checkOutTarget(t, "export", m.org.out, cfg.Storage.Path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(m.org.out), "."+filepath.Base(m.org.out)+".*.tmp")
	if err != nil {
		return m.failed("export", err)
	}
	// CreateTemp makes the file 0600 already; say it, since it matters.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return m.failed("export", err)
	}
	n, err := r.export(ctx, tmp, req)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), m.org.out)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return m.failed(fmt.Sprintf("export %q", m.org.out), err)
	}
	fmt.Fprintf(m.Stderr, t.ExportedTo+"\n", n, answers(n), m.org.out)
	return nil
}

// checkOutTarget refuses an --out of command (export, backup) that is not
// a regular file or a new name: the command replaces it by renaming a
// finished file over it, which
// would destroy the database being read (through any of its names: a hard
// link or another spelling of the path is the same file), replace a
// symbolic link instead of writing where it points, or, for root, replace
// a device node such as /dev/null. Only the last element is looked at: a
// directory reached through a link is fine.
func checkOutTarget(t *text.CLI, command, out, dbPath string) error {
	fi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		// The file is written beside out, then renamed: its directory
		// must be there.
		if dir := filepath.Dir(out); !isDir(dir) {
			return fmt.Errorf(t.OutNoDir, command, out, dir)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: --out %q: %w", command, out, err)
	}
	refuse := func(what string) error {
		msg := fmt.Sprintf(t.OutRefused, command, out, what)
		if command == "export" {
			msg += t.OutStdout
		}
		return errors.New(msg)
	}
	switch mode := fi.Mode(); {
	case mode&fs.ModeSymlink != 0:
		return refuse(t.OutSymlink)
	case mode.IsDir():
		return refuse(t.OutDirectory)
	case mode&fs.ModeNamedPipe != 0:
		return refuse(t.OutPipe)
	case mode&fs.ModeDevice != 0:
		return refuse(t.OutDevice)
	case !mode.IsRegular():
		return refuse(t.OutNotRegular)
	}
	if db, err := os.Stat(dbPath); err == nil && os.SameFile(fi, db) {
		return refuse(t.OutIsDatabase)
	}
	return nil
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

func parseSeparator(s string) (rune, bool) {
	if s == "tab" || s == `\t` {
		return '\t', true
	}
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || size != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, false
	}
	return r, true
}
