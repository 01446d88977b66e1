package main

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzConfig feeds arbitrary TOML through the config loader's decoder,
// env expansion and Validate. Properties: no panic; a bad file is an
// error naming the file, never a panic; Validate is deterministic (its
// report is sorted); a secret from the environment never shows in the
// printed config nor in the validation report.
func FuzzConfig(f *testing.F) {
	const marker = "SECRET-MARKER-1234567"
	getenv := func(k string) string {
		switch k {
		case "TELEGRAM_TOKEN", "DISCORD_TOKEN", "TELEGRAM_WEBHOOK_SECRET":
			return marker
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		if err := decodeConfig("fuzz.toml", data, &cfg); err != nil {
			if !strings.HasPrefix(err.Error(), `config "fuzz.toml"`) {
				t.Fatalf("decode error does not name the file: %v", err)
			}
			return
		}
		expandEnv(reflect.ValueOf(&cfg).Elem(), getenv)
		err1, err2 := cfg.Validate(), cfg.Validate()
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("Validate not deterministic:\n%v\n---\n%v", err1, err2)
		}
		// Only the secret fields may name the variables; a file that puts
		// ${TELEGRAM_TOKEN} in a plain field publishes it itself.
		if strings.Contains(string(data), "TOKEN") || strings.Contains(string(data), "SECRET") {
			return
		}
		if strings.Contains(cfg.String(), marker) {
			t.Fatalf("config prints a secret: %s", cfg)
		}
		if err1 != nil && strings.Contains(err1.Error(), marker) {
			t.Fatalf("validation report shows a secret: %v", err1)
		}
	})
}
