package main

import (
	"strings"
	"testing"
)

func TestEtcdStorageSettingsAreCheckedWithTheirLines(t *testing.T) {
	path := writeConfig(t, `[storage]
backend = "etcd"
endpoints = ["https://10.0.0.1:2379", "10.0.0.2:2379", "http://10.0.0.3:2379"]
prefix = "consultbot"
username = "consultbot"
ca_file = "/nonexistent/ca.pem"
cert_file = "client.pem"
`)
	_, _, err := runCommand(t, english, "check-config", "-config", path)
	if err == nil {
		t.Fatal("check-config accepted the etcd settings")
	}
	for _, want := range []string{
		`line 3: storage.endpoints: "10.0.0.2:2379" is not a member's client URL`,
		`line 3: storage.endpoints: "http://10.0.0.3:2379" is plain http while ca_file or cert_file asks for TLS`,
		`line 4: storage.prefix: "consultbot" must be a key prefix ending with /`,
		"line 5: storage.username: set the password in the environment variable CONSULTBOT_ETCD_PASSWORD",
		`line 6: storage.ca_file: cannot read "/nonexistent/ca.pem"`,
		"line 7: storage.cert_file: cert_file and key_file go together",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("report misses %q:\n%v", want, err)
		}
	}

	path = writeConfig(t, "[storage]\nbackend = \"zookeeper\"\n")
	if _, _, err := runCommand(t, english, "check-config", "-config", path); err == nil ||
		!strings.Contains(err.Error(), `line 2: storage.backend: "zookeeper" is not one of bolt, etcd`) {
		t.Errorf("check-config of an unknown backend: %v", err)
	}

	// The password comes from the environment, and never shows.
	path = writeConfig(t, "[storage]\nbackend = \"etcd\"\nendpoints = [\"http://127.0.0.1:2379\"]\nusername = \"consultbot\"\n")
	out, _, err := runCommand(t, map[string]string{EtcdPasswordEnv: "s3cret-password-value"}, "check-config", "-config", path)
	if err != nil {
		t.Fatalf("check-config of a sound etcd config: %v", err)
	}
	if !strings.Contains(out, "configuration valide") || strings.Contains(out, "s3cret") {
		t.Errorf("check-config printed %q", out)
	}
}
