package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"consultbot/storage"
)

// runMigrate copies the consultation between a bbolt file and an etcd
// cluster, either way (storage.Migrate): every bucket in chunks, then
// counts and checksums compared. Running it again changes nothing. The
// etcd side takes its prefix, TLS and user from [storage]; the bots must
// be stopped.
func (m *Main) runMigrate(ctx context.Context) error {
	cfg, err := LoadConfig(m.configPath, m.Getenv)
	if err != nil {
		return m.configInvalid(err)
	}
	from, err := m.migrateSide(cfg.Storage, "--from", m.migrate.from)
	if err != nil {
		return err
	}
	to, err := m.migrateSide(cfg.Storage, "--to", m.migrate.to)
	if err != nil {
		return err
	}
	if from.name() == to.name() {
		return errors.New(m.t().MigrateSame)
	}
	if from.Backend == BackendBolt {
		// Opening a missing file would create it, and the migration of
		// an empty consultation would look like a success.
		if _, err := os.Stat(from.Path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf(m.t().MigrateNoSource, from.Path)
		}
	}
	src, _, err := from.openStore(storage.Options{})
	if errors.Is(err, storage.ErrInUse) {
		return fmt.Errorf(m.t().HeldByBot, "migrate", from.Path)
	}
	if err != nil {
		return m.failed("migrate", err)
	}
	defer src.Close()
	dst, _, err := to.openStore(storage.Options{})
	if errors.Is(err, storage.ErrInUse) {
		return fmt.Errorf(m.t().HeldByBot, "migrate", to.Path)
	}
	if err != nil {
		return m.failed("migrate", err)
	}
	defer dst.Close()
	sums, err := storage.Migrate(ctx, dst, src)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, m.t().MigrateTable)
	keys := 0
	for _, s := range sums {
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", s.Bucket, s.Keys, s.Sequence, s.SHA256[:16])
		keys += s.Keys
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, m.t().Migrated+"\n", from.name(), to.name(), keys, len(sums))
	return err
}

// migrateSide reads bolt:FILE or etcd:URL[,URL…] into storage settings.
func (m *Main) migrateSide(base StorageConfig, flag, spec string) (StorageConfig, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	s := base
	switch {
	case spec == "":
		return s, fmt.Errorf(m.t().MigrateNeeds, flag)
	case kind == BackendBolt && rest != "":
		s.Backend, s.Path = BackendBolt, rest
	case kind == BackendEtcd && rest != "":
		s.Backend, s.Endpoints = BackendEtcd, strings.Split(rest, ",")
	default:
		return s, fmt.Errorf(m.t().MigrateNotSpec, flag, spec)
	}
	if err := errors.Join(s.validate()...); err != nil {
		return s, &reported{msg: fmt.Sprintf(m.t().MigrateSide, flag) + "\n" + m.problems(err), err: err}
	}
	return s, nil
}
