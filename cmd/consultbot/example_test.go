package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// TestExampleConfigDocumentsEveryKey checks that config.example.toml sets
// every key Config accepts, so that the file an operator copies documents
// every setting: a key added to Config without an example fails here.
// (Unknown keys in the example already fail TestExampleConfigValidates.)
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var example map[string]any
	if err := toml.Unmarshal(data, &example); err != nil {
		t.Fatalf("parse config.example.toml: %v", err)
	}
	keys := tomlKeys(reflect.TypeFor[Config](), "")
	if len(keys) < 30 { // a sanity check of the walk itself
		t.Fatalf("found only %d keys in Config: %v", len(keys), keys)
	}
	for _, key := range keys {
		var node any = example
		for part := range strings.SplitSeq(key, ".") {
			table, ok := node.(map[string]any)
			if !ok {
				node = nil
				break
			}
			node = table[part]
		}
		if node == nil {
			t.Errorf("config.example.toml does not document %s", key)
		}
	}
}

// tomlKeys lists the dotted keys of every leaf setting of a config struct.
func tomlKeys(typ reflect.Type, prefix string) []string {
	var keys []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		if f.Type.Kind() == reflect.Struct {
			keys = append(keys, tomlKeys(f.Type, key+".")...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}
