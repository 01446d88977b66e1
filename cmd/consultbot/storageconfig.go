package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"consultbot/storage"
	"consultbot/storage/etcdkv"
	"consultbot/text"
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
	bad := func(key string, p text.Problem, args ...any) { errs = append(errs, invalid(key, p, args...)) }
	if s.Path == "" {
		bad("storage.path", text.EmptyPath)
	}
	switch s.Backend {
	case BackendBolt:
		return errs
	case BackendEtcd:
	default:
		bad("storage.backend", text.NotOneOf, s.Backend, "bolt, etcd")
		return errs
	}
	if len(s.Endpoints) == 0 {
		bad("storage.endpoints", text.EndpointsMissing)
	}
	tlsWanted := s.CAFile != "" || s.CertFile != ""
	for _, e := range s.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
			bad("storage.endpoints", text.NotEndpoint, e)
			continue
		}
		if u.Scheme == "http" && tlsWanted {
			bad("storage.endpoints", text.PlainHTTPWithTLS, e)
		}
	}
	if s.Prefix == "" || !strings.HasSuffix(s.Prefix, "/") {
		bad("storage.prefix", text.NotPrefix, s.Prefix)
	}
	if (s.CertFile == "") != (s.KeyFile == "") {
		bad("storage.cert_file", text.CertWithoutKey)
	}
	for _, f := range []struct{ key, path string }{{"storage.ca_file", s.CAFile}, {"storage.cert_file", s.CertFile}, {"storage.key_file", s.KeyFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			bad(f.key, text.CannotRead, f.path, errors.Unwrap(err))
		}
	}
	if s.Username != "" && s.Password == "" {
		bad("storage.username", text.PasswordMissing, EtcdPasswordEnv)
	}
	if s.Username == "" && s.Password != "" {
		bad("storage.username", text.UsernameMissing, EtcdPasswordEnv)
	}
	errs = appendRange(errs, "storage.dial_timeout_seconds", s.DialTimeoutSeconds, 1, 300, text.WhySeconds)
	errs = appendRange(errs, "storage.lease_seconds", s.LeaseSeconds, 1, 60, text.WhyLease)
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
			return cfg, invalid("storage.ca_file", text.CannotRead, s.CAFile, errors.Unwrap(err))
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return cfg, invalid("storage.ca_file", text.NoPEM, s.CAFile)
		}
	}
	if s.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
		if err != nil {
			return cfg, invalid("storage.cert_file", text.BadCertificate, err)
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
