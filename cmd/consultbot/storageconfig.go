package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"consultbot/storage"
	"consultbot/storage/etcdkv"
)

// Storage backends.
const (
	BackendBolt = "bolt" // one bbolt file on this machine (the default)
	BackendEtcd = "etcd" // an etcd cluster shared by several replicas
)

// EtcdPasswordEnv holds the etcd user's password: from the environment
// only, never in the configuration file.
const EtcdPasswordEnv = "CONSULTBOT_ETCD_PASSWORD"

// StorageConfig says where the consultation is kept: a bbolt file (Path),
// or an etcd cluster. Path stays the anchor of what lives on this machine
// (the admin socket, voice recordings, backups) with either backend.
type StorageConfig struct {
	Path    string `toml:"path"`
	Backend string `toml:"backend"`
	// Endpoints are the cluster members' client URLs
	// (https://10.0.0.1:2379).
	Endpoints []string `toml:"endpoints"`
	// Prefix is where the consultation's keys live in the cluster; one
	// cluster can hold several consultations under different prefixes.
	Prefix string `toml:"prefix"`
	// Username, with the password from CONSULTBOT_ETCD_PASSWORD, logs in
	// to a cluster with authentication on.
	Username string `toml:"username"`
	// CAFile checks the members' certificates; CertFile and KeyFile are
	// this client's, for a cluster that asks for client certificates.
	CAFile   string `toml:"ca_file"`
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// DialTimeoutSeconds bounds the first connection to the cluster.
	DialTimeoutSeconds int `toml:"dial_timeout_seconds"`
	// LeaseSeconds is how long the leader's lease outlives its last
	// keep-alive: a replica that died is replaced after about that long.
	LeaseSeconds int `toml:"lease_seconds"`

	// Password comes from EtcdPasswordEnv (LoadConfig).
	Password Secret `toml:"-"`
}

func defaultStorage() StorageConfig {
	return StorageConfig{Path: "consultbot.db", Backend: BackendBolt, Prefix: etcdkv.DefaultPrefix, DialTimeoutSeconds: 5, LeaseSeconds: 5}
}

// validate reports the storage settings' problems.
func (s StorageConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, invalid(key, format, args...)) }
	if s.Path == "" {
		bad("storage.path", "must not be empty")
	}
	switch s.Backend {
	case BackendBolt:
		return errs
	case BackendEtcd:
	default:
		bad("storage.backend", "%q is not one of bolt, etcd", s.Backend)
		return errs
	}
	if len(s.Endpoints) == 0 {
		bad("storage.endpoints", "must list the etcd members' client URLs (https://10.0.0.1:2379) with backend = \"etcd\"")
	}
	tlsWanted := s.CAFile != "" || s.CertFile != ""
	for _, e := range s.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
			bad("storage.endpoints", "%q is not a member's client URL such as https://10.0.0.1:2379", e)
			continue
		}
		if u.Scheme == "http" && tlsWanted {
			bad("storage.endpoints", "%q is plain http while ca_file or cert_file asks for TLS", e)
		}
	}
	if s.Prefix == "" || !strings.HasSuffix(s.Prefix, "/") {
		bad("storage.prefix", "%q must be a key prefix ending with /", s.Prefix)
	}
	if (s.CertFile == "") != (s.KeyFile == "") {
		bad("storage.cert_file", "cert_file and key_file go together")
	}
	for _, f := range []struct{ key, path string }{{"storage.ca_file", s.CAFile}, {"storage.cert_file", s.CertFile}, {"storage.key_file", s.KeyFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			bad(f.key, "cannot read %q: %v", f.path, errors.Unwrap(err))
		}
	}
	if s.Username != "" && s.Password == "" {
		bad("storage.username", "set the password in the environment variable %s", EtcdPasswordEnv)
	}
	if s.Username == "" && s.Password != "" {
		bad("storage.username", "%s is set but no username is", EtcdPasswordEnv)
	}
	errs = appendRange(errs, "storage.dial_timeout_seconds", s.DialTimeoutSeconds, 1, 300, "seconds")
	errs = appendRange(errs, "storage.lease_seconds", s.LeaseSeconds, 1, 60, "seconds before a stand-by replaces a leader that died")
	return errs
}

// etcdClient builds the client configuration of the cluster.
func (s StorageConfig) etcdClient() (clientv3.Config, error) {
	cfg := clientv3.Config{
		Endpoints:   s.Endpoints,
		DialTimeout: time.Duration(s.DialTimeoutSeconds) * time.Second,
		Username:    s.Username,
		Password:    string(s.Password),
		Logger:      zap.NewNop(),
		// Notice a member that went away within seconds.
		DialKeepAliveTime:    5 * time.Second,
		DialKeepAliveTimeout: 3 * time.Second,
	}
	if s.CAFile == "" && s.CertFile == "" && !strings.HasPrefix(strings.Join(s.Endpoints, ","), "https") {
		return cfg, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return cfg, fmt.Errorf("storage.ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("storage.ca_file %q: no PEM certificate in it", s.CAFile)
		}
	}
	if s.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
		if err != nil {
			return cfg, fmt.Errorf("storage.cert_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	cfg.TLS = tc
	return cfg, nil
}

// openStore opens the consultation on the configured backend.
func (s StorageConfig) openStore(opts storage.Options) (*storage.DB, *etcdkv.Backend, error) {
	if s.Backend != BackendEtcd {
		db, err := storage.Open(s.Path, opts)
		return db, nil, err
	}
	cfg, err := s.etcdClient()
	if err != nil {
		return nil, nil, err
	}
	b, err := etcdkv.Dial(cfg, etcdkv.Options{Prefix: s.Prefix})
	if err != nil {
		return nil, nil, err
	}
	db, err := storage.OpenBackend(b, s.name(), opts)
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	return db, b, nil
}

// name names the store in messages: the file, or the cluster and prefix.
func (s StorageConfig) name() string {
	if s.Backend != BackendEtcd {
		return s.Path
	}
	return "etcd:" + strings.Join(s.Endpoints, ",") + "/" + s.Prefix
}
