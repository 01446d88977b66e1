package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"consultbot/flows"
	"consultbot/organiser"
	"consultbot/storage"
	"consultbot/text"
	"consultbot/voice"
)

// VoiceConfig says what becomes of voice answers: by default only the
// platform's reference is stored; enabled, their audio is fetched and
// kept next to the database for the organisers to listen to, and
// optionally transcribed by a program installed on this machine.
type VoiceConfig struct {
	// Enabled fetches and keeps the audio of every voice answer.
	Enabled bool `toml:"enabled"`
	// Dir is the private directory of the audio files; empty: next to
	// the database, named after it ("consultbot-voice").
	Dir string `toml:"dir"`
	// MaxBytes and MaxSeconds bound what is kept; a longer or larger
	// note is recorded as not kept, with the reason.
	MaxBytes   int64 `toml:"max_bytes"`
	MaxSeconds int   `toml:"max_seconds"`
	// TranscribeCommand is the program that transcribes a file and its
	// arguments; "{file}" stands for the file's path, appended when
	// absent. Empty: no transcription.
	TranscribeCommand []string `toml:"transcribe_command"`
	// TranscribeTimeout bounds one run; TranscribeConcurrency is how many
	// run at once.
	TranscribeTimeout     string `toml:"transcribe_timeout"`
	TranscribeConcurrency int    `toml:"transcribe_concurrency"`
	// DeleteAfterTranscript deletes the audio once the participant has
	// confirmed its transcript.
	DeleteAfterTranscript bool `toml:"delete_after_transcript"`
}

// Bounds of the voice settings. Telegram's Bot API downloads files of
// 20 MB at most; an hour of Opus speech is a few megabytes.
const (
	maxVoiceBytes        = 20 << 20
	minVoiceBytes        = 1 << 10
	maxVoiceSeconds      = 3600
	minTranscribeTimeout = time.Second
	maxTranscribeTimeout = 30 * time.Minute
)

func defaultVoiceConfig() VoiceConfig {
	return VoiceConfig{
		MaxBytes:              10 << 20,
		MaxSeconds:            600,
		TranscribeTimeout:     voice.DefaultTranscribeTimeout.String(),
		TranscribeConcurrency: voice.DefaultTranscribers,
	}
}

// transcribing reports whether the audio is transcribed.
func (v VoiceConfig) transcribing() bool { return v.Enabled && len(v.TranscribeCommand) > 0 }

func (v VoiceConfig) timeout() (time.Duration, error) {
	d, err := time.ParseDuration(v.TranscribeTimeout)
	if err != nil {
		return 0, invalid("voice.transcribe_timeout", text.NotDuration, v.TranscribeTimeout, "2m")
	}
	if d < minTranscribeTimeout || d > maxTranscribeTimeout {
		return 0, invalid("voice.transcribe_timeout", text.DurationRange, d, minTranscribeTimeout, maxTranscribeTimeout)
	}
	return d, nil
}

func (v VoiceConfig) validate(dbPath string) []error {
	var errs []error
	errs = appendRange(errs, "voice.max_bytes", int(v.MaxBytes), minVoiceBytes, maxVoiceBytes, text.WhyVoiceBytes)
	errs = appendRange(errs, "voice.max_seconds", v.MaxSeconds, 1, maxVoiceSeconds, text.WhySeconds)
	errs = appendRange(errs, "voice.transcribe_concurrency", v.TranscribeConcurrency, 1, 16, text.WhyTranscriptions)
	if _, err := v.timeout(); err != nil {
		errs = append(errs, err)
	}
	if dir := v.dir(dbPath); dbPath != "" && filepath.Clean(dir) == filepath.Clean(dbPath) {
		errs = append(errs, invalid("voice.dir", text.VoiceDirIsDatabase, v.Dir))
	}
	if len(v.TranscribeCommand) > 0 {
		prog := v.TranscribeCommand[0]
		if prog == "" {
			errs = append(errs, invalid("voice.transcribe_command", text.ProgramEmpty))
		} else if _, err := exec.LookPath(prog); v.Enabled && err != nil {
			errs = append(errs, invalid("voice.transcribe_command", text.ProgramNotFound, prog))
		}
	}
	if v.DeleteAfterTranscript && len(v.TranscribeCommand) == 0 {
		errs = append(errs, invalid("voice.delete_after_transcript", text.DeleteNeedsTranscript))
	}
	return errs
}

// dir is the voice directory: Dir, or next to the database and named
// after it, so that two databases never share one.
func (v VoiceConfig) dir(dbPath string) string {
	if v.Dir != "" {
		return v.Dir
	}
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + "-voice"
}

// storageOptions say what the database records about voice answers.
func (v VoiceConfig) storageOptions() storage.VoiceOptions {
	return storage.VoiceOptions{Keep: v.Enabled, Transcribe: v.transcribing(), DeleteTranscribed: v.transcribing() && v.DeleteAfterTranscript}
}

// flowsSettings say it to participants, in the consent details.
func (v VoiceConfig) flowsSettings() flows.VoiceSettings {
	return flows.VoiceSettings{Kept: v.Enabled, Transcribed: v.transcribing(), DeletedOnceConfirmed: v.transcribing() && v.DeleteAfterTranscript}
}

// startVoice runs the voice service with the channels that serve voice
// notes, until ctx ends. Disabled, it runs only when the directory exists
// (audio kept earlier), to delete the files of erased answers.
func (m *Main) startVoice(ctx context.Context, cfg Config, chans []channel) error {
	v := cfg.Voice
	opts := voice.Options{
		Dir:        v.dir(cfg.Storage.Path),
		MaxBytes:   v.MaxBytes,
		MaxSeconds: v.MaxSeconds,
		Logger:     m.logger.With("service", "voice"),
		TrashOnly:  !v.Enabled,
	}
	if !v.Enabled {
		if _, err := os.Stat(opts.Dir); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	if v.transcribing() {
		timeout, _ := v.timeout() // validated
		tr, err := voice.NewTranscriber(v.TranscribeCommand, timeout, v.TranscribeConcurrency)
		if err != nil {
			return err
		}
		opts.Transcriber = tr
	}
	svc, err := voice.New(m.db, m.engine, opts)
	if err != nil {
		return err
	}
	for _, c := range chans {
		if src, ok := c.sender.(voice.Source); ok {
			svc.AddSource(c.name, src)
		}
	}
	m.chanWG.Add(1)
	go func() {
		defer m.chanWG.Done()
		if err := svc.Run(ctx); err != nil {
			m.logger.Error("voice service stopped", "err", err)
		}
	}()
	if v.Enabled {
		m.logger.Info("voice answers kept", "dir", opts.Dir, "transcription", v.transcribing())
	}
	return nil
}

// exportVoice copies the kept audio of the answers into dir, each named
// by its answer id, and returns what each export row says of it. Without
// dir the rows only say what became of the audio.
func exportVoice(ctx context.Context, db *storage.DB, cfg Config, loc *time.Location, dir string, t *text.CLI) (map[uint64]organiser.Audio, int, error) {
	states, err := db.VoiceStates(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make(map[uint64]organiser.Audio, len(states))
	for id, s := range states {
		out[id] = organiser.Audio{Status: audioStatus(s, loc)}
	}
	if dir == "" {
		return out, 0, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, fmt.Errorf(t.VoiceDirCreate, dir, errors.Unwrap(err))
	}
	if !isDir(dir) {
		return nil, 0, fmt.Errorf(t.VoiceDirNotDir, dir)
	}
	from := cfg.Voice.dir(cfg.Storage.Path)
	if a, err := os.Stat(from); err == nil {
		if b, err := os.Stat(dir); err == nil && os.SameFile(a, b) {
			return nil, 0, fmt.Errorf(t.VoiceDirOwn, dir)
		}
	}
	copied := 0
	for id, s := range states {
		if s.File == "" {
			continue
		}
		name := strconv.FormatUint(id, 10) + filepath.Ext(s.File)
		if err := copyPrivate(filepath.Join(from, s.File), filepath.Join(dir, name)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				out[id] = organiser.Audio{Status: "missing from " + from}
				continue
			}
			return nil, copied, fmt.Errorf(t.VoiceDirCopy, dir, err)
		}
		out[id] = organiser.Audio{File: name, Status: s.State}
		copied++
	}
	return out, copied, nil
}

// audioStatus says what became of a voice answer's audio, in the export,
// its time written as the export's others are, in loc.
func audioStatus(s storage.VoiceState, loc *time.Location) string {
	switch s.State {
	case storage.VoiceFailed, storage.VoiceDeleted, storage.VoiceExpired:
		return s.State + ": " + s.Reason + " (" + organiser.ExportTime(s.At, loc) + ")"
	}
	return s.State
}

// copyPrivate copies a file to a new one readable by its owner only,
// written under a temporary name and renamed once complete.
func copyPrivate(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), to)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
