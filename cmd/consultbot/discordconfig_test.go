package main

import (
	"strings"
	"testing"
)

func TestInteractionsEndpointConfig(t *testing.T) {
	const key = "c0ffee0000000000000000000000000000000000000000000000000000000001"
	for name, tc := range map[string]struct {
		body string
		env  map[string]string
		want []string // problems; none: valid
	}{
		"off by default": {body: "", want: nil},
		"key from the environment": {
			body: "interactions_listen = \"127.0.0.1:8081\"\n",
			env:  map[string]string{"DISCORD_PUBLIC_KEY": key},
		},
		"key in the file": {body: "interactions_listen = \"127.0.0.1:8081\"\npublic_key = \"" + key + "\"\n"},
		"no key": {
			body: "interactions_listen = \"127.0.0.1:8081\"\n",
			want: []string{"discord.public_key: required with interactions_listen"},
		},
		"every mistake": {
			body: "interactions_listen = \"8081\"\ninteractions_path = \"interactions\"\npublic_key = \"not-hex\"\n",
			want: []string{
				`line 5: discord.interactions_listen: "8081" is not host:port`,
				`line 6: discord.interactions_path: "interactions" does not start with /`,
				"line 7: discord.public_key: is not 64 hexadecimal digits",
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeConfig(t, "[discord]\ntoken = \"${DISCORD_TOKEN}\"\napplication_id = \"123456789012345678\"\n"+"guild_ids = []\n"+tc.body)
			env := map[string]string{"DISCORD_TOKEN": "d"}
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := LoadConfig(path, fakeEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				if on := cfg.Discord.interactionsOn(); on != strings.Contains(tc.body, "interactions_listen") {
					t.Errorf("endpoint on: %v", on)
				}
				return
			}
			if err == nil {
				t.Fatalf("config validated; want %q", tc.want)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("report misses %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "not-hex") {
				t.Errorf("the public key's value is echoed:\n%s", msg)
			}
		})
	}
}
