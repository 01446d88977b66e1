package main

import (
	"strings"
	"testing"
	"time"
)

func TestDigestConfig(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "[digest]\ndaily = \"18:30\"\ntime_zone = \"Europe/Paris\"\n"), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cfg.Digest.schedule()
	if err != nil || !sc.Daily || sc.Hour != 18 || sc.Minute != 30 || sc.Location.String() != "Europe/Paris" {
		t.Errorf("schedule = %+v, %v", sc, err)
	}
	cfg, _ = LoadConfig(writeConfig(t, "[digest]\nevery_hours = 6\n"), fakeEnv(nil))
	if sc, _ := cfg.Digest.schedule(); sc.Every != 6*time.Hour {
		t.Errorf("every_hours = 6 gives %+v", sc)
	}

	cfg, err = LoadConfig(writeConfig(t, "[digest]\ndaily = \"18h\"\ntime_zone = \"Mars/Olympus\"\nevery_hours = -1\nlanguage = \"de\"\n"), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{"digest.every_hours: -1", "digest.language: \"de\""} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
	cfg.Digest.EveryHours = 0
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `daily time "18h" is not HH:MM`) {
		t.Errorf("Validate() = %v, want the bad daily time reported", err)
	}
	cfg.Digest.Daily = "18:00"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("Validate() = %v, want the bad time zone reported", err)
	}
	// Digests show their times in time_zone whatever the schedule, so it
	// is checked with every_hours too.
	cfg.Digest.EveryHours = 6
	if err := cfg.Validate(); err == nil || strings.Count(err.Error(), "Mars/Olympus") != 1 {
		t.Errorf("Validate() = %v, want the bad time zone reported once", err)
	}
	cfg.Digest.EveryHours, cfg.Digest.Daily = 0, ""
	if err := cfg.Validate(); err == nil || strings.Count(err.Error(), "Mars/Olympus") != 1 {
		t.Errorf("Validate() = %v, want the bad time zone reported once without a daily digest", err)
	}
	cfg.Digest.TimeZone = "America/Cayenne"
	if loc, err := cfg.Digest.location(); err != nil || loc.String() != "America/Cayenne" {
		t.Errorf("location() = %v, %v", loc, err)
	}
}
