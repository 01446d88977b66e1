package terminal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"consultbot/flows"
)

// writeDocument writes a file sent with a reply into the document
// directory, readable by its owner only since it holds the participant's
// data, and prints where it is (a.mu held). The participant's name prefixes the file
// name so that two people of one terminal do not overwrite each other.
func (a *Adapter) writeDocument(d *flows.Document) error {
	path := a.documentPath(d.Name)
	a.written++
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write document: %w", err)
	}
	// An existing file keeps its mode through O_TRUNC: narrow it.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write document: %w", err)
	}
	if _, err := f.Write(d.Data); err != nil {
		f.Close()
		return fmt.Errorf("write document: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write document: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if _, err := fmt.Fprintf(a.out, textsFor(a.shownLang).SavedFile+"\n\n", path); err != nil {
		return fmt.Errorf("print document path: %w", err)
	}
	return nil
}

// documentPath is where a document named name is written for this
// person (of this database, with a prefix).
func (a *Adapter) documentPath(name string) string {
	file := safeName(a.address) + "-" + safeName(name)
	if a.docPrefix != "" {
		file = safeName(a.docPrefix) + "-" + file
	}
	return filepath.Join(a.docDir, file)
}

// safeName keeps [A-Za-z0-9._-] of s, so that a name typed with -as
// cannot point outside the directory.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
	s = strings.TrimLeft(s, ".")
	if s == "" {
		return "_"
	}
	return s
}
