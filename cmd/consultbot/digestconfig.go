package main

import (
	"time"

	"consultbot/organiser"
	"consultbot/text"
)

// DigestConfig sets when periodic digests are posted to the organisers'
// chats (telegram.organiser_chats) and channels
// (discord.organiser_channel_ids).
type DigestConfig struct {
	// Daily is the time of day ("18:00") in TimeZone; empty turns the
	// daily digest off.
	Daily string `toml:"daily"`
	// TimeZone is the consultation's IANA time zone: the daily digest's,
	// and the one digests show their times in, whatever the schedule.
	TimeZone string `toml:"time_zone"`
	// EveryHours, when positive, replaces the daily digest with one every
	// that many hours (aligned on UTC midnight: 6 → 00:00, 06:00…).
	EveryHours int `toml:"every_hours"`
	// Language of the periodic digests: fr or en.
	Language string `toml:"language"`
}

func defaultDigestConfig() DigestConfig {
	return DigestConfig{Daily: "18:00", TimeZone: "Europe/Paris", Language: "fr"}
}

// schedule returns the configured schedule; the zero Schedule when both
// daily and every_hours are off.
func (d DigestConfig) schedule() (organiser.Schedule, error) {
	if d.EveryHours > 0 {
		return organiser.Schedule{Every: time.Duration(d.EveryHours) * time.Hour}, nil
	}
	if d.Daily == "" {
		return organiser.Schedule{}, nil
	}
	return organiser.ParseDaily(d.Daily, d.TimeZone)
}

// location returns the consultation's time zone.
func (d DigestConfig) location() (*time.Location, error) {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return nil, invalid("digest.time_zone", text.NotTimeZone, d.TimeZone)
	}
	return loc, nil
}

func (d DigestConfig) validate() []error {
	var errs []error
	// Each setting on its own, at its own line: a wrong daily time does
	// not hide a wrong time zone.
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		errs = append(errs, invalid("digest.time_zone", text.NotTimeZone, d.TimeZone))
	}
	errs = appendRange(errs, "digest.every_hours", d.EveryHours, 0, 24*7, text.WhyDigestHours)
	if d.Daily != "" {
		if _, err := organiser.ParseDaily(d.Daily, "UTC"); err != nil {
			errs = append(errs, invalid("digest.daily", text.NotDailyTime, d.Daily))
		}
	}
	if d.Language != "fr" && d.Language != "en" {
		errs = append(errs, invalid("digest.language", text.NotOneOf, d.Language, "fr, en"))
	}
	return errs
}
