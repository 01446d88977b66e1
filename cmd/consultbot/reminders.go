package main

import (
	"fmt"
	"strings"
	"time"

	"consultbot/flows"
	"consultbot/text"
)

// RemindersConfig sets the opt-in reminders and announcements: who
// accepts gets at most MaxPerPerson reminders over the consultation,
// AfterDays after they paused (or validated a theme with others left),
// within allowed hours in [digest] time_zone and never after closes_at;
// and the organisers' announcements (/annonce).
type RemindersConfig struct {
	// MaxPerPerson is how many reminders one person gets at most; 0 turns
	// reminders, their offer and announcements off.
	MaxPerPerson int `toml:"max_per_person"`
	// AfterDays is how long after a pause the reminder comes.
	AfterDays int `toml:"after_days"`
	// From and Until bound the hours reminders are sent in ("09:00",
	// "20:00": from 9:00 until 20:00).
	From  string `toml:"from"`
	Until string `toml:"until"`
	// QuietDays are the days without reminders, in English ("sunday").
	QuietDays []string `toml:"quiet_days"`
}

func defaultRemindersConfig() RemindersConfig {
	return RemindersConfig{MaxPerPerson: 2, AfterDays: 3, From: "09:00", Until: "20:00", QuietDays: []string{"sunday"}}
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	// The organisers write French: their names are as good.
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
	"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
}

// clock reads "HH:MM" as minutes after midnight; "24:00" is the end of
// the day.
func clock(s string) (int, bool) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); n != 2 || err != nil || len(s) != 5 || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m > 0) {
		return 0, false
	}
	return h*60 + m, true
}

// settings returns the conversation's reminder settings (validated).
func (r RemindersConfig) settings() flows.ReminderSettings {
	from, _ := clock(r.From)
	until, _ := clock(r.Until)
	s := flows.ReminderSettings{Max: r.MaxPerPerson, AfterDays: r.AfterDays, From: from, Until: until}
	for _, d := range r.QuietDays {
		s.QuietDays = append(s.QuietDays, weekdays[strings.ToLower(d)])
	}
	return s
}

func (r RemindersConfig) validate() []error {
	var errs []error
	errs = appendRange(errs, "reminders.max_per_person", r.MaxPerPerson, 0, 20, text.WhyMaxPerPerson)
	errs = appendRange(errs, "reminders.after_days", r.AfterDays, 1, 60, text.WhyAfterDays)
	from, okFrom := clock(r.From)
	if !okFrom {
		errs = append(errs, invalid("reminders.from", text.NotClock, r.From, "09:00"))
	}
	until, okUntil := clock(r.Until)
	if !okUntil {
		errs = append(errs, invalid("reminders.until", text.NotClock, r.Until, "20:00"))
	}
	if okFrom && okUntil && until <= from {
		errs = append(errs, invalid("reminders.until", text.UntilNotAfterFrom, r.Until, r.From))
	}
	quiet := map[time.Weekday]bool{}
	for _, d := range r.QuietDays {
		w, ok := weekdays[strings.ToLower(d)]
		if !ok {
			errs = append(errs, invalid("reminders.quiet_days", text.NotWeekday, d))
		}
		quiet[w] = true
	}
	if len(quiet) == 7 {
		errs = append(errs, invalid("reminders.quiet_days", text.EveryDayQuiet))
	}
	return errs
}
