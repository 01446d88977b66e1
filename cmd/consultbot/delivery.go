package main

import (
	"time"

	"consultbot/bot"
	"consultbot/text"
)

// DeliveryConfig sets the delivery policy the engine applies to every
// reply, on every channel.
type DeliveryConfig struct {
	// AttemptBudget is how long a reply may keep failing (not counting
	// the waits a platform asks for) before it is given up as
	// undeliverable and the person's later replies go; within it, a file
	// the platform will not take is sent as text and a chart is left out
	// with a note. A Go duration: "1m", "90s".
	AttemptBudget string `toml:"attempt_budget"`
	// ShutdownTimeout is how long a stop (SIGTERM, Ctrl-C) waits for the
	// channels, the organisers' commands and the replies in flight before
	// the database closes; what is not delivered by then is sent at the
	// next start. A Go duration: "15s".
	ShutdownTimeout string `toml:"shutdown_timeout"`
}

// defaultShutdownTimeout is [delivery] shutdown_timeout's default.
const defaultShutdownTimeout = 15 * time.Second

func defaultDeliveryConfig() DeliveryConfig {
	return DeliveryConfig{AttemptBudget: bot.DefaultBudget.String(), ShutdownTimeout: defaultShutdownTimeout.String()}
}

// Bounds of the attempt budget: long enough for a few retries, short
// enough that one failing reply never holds a person up for long.
const (
	minAttemptBudget = 5 * time.Second
	maxAttemptBudget = time.Hour
)

// budget returns the attempt budget (validated).
func (d DeliveryConfig) budget() (time.Duration, error) {
	b, err := time.ParseDuration(d.AttemptBudget)
	if err != nil {
		return 0, invalid("delivery.attempt_budget", text.NotDuration, d.AttemptBudget, "1m")
	}
	if b < minAttemptBudget || b > maxAttemptBudget {
		return 0, invalid("delivery.attempt_budget", text.DurationRange, b, minAttemptBudget, maxAttemptBudget)
	}
	return b, nil
}

// shutdown returns the shutdown timeout (validated).
func (d DeliveryConfig) shutdown() (time.Duration, error) {
	t, err := time.ParseDuration(d.ShutdownTimeout)
	if err != nil || t < time.Second || t > 10*time.Minute {
		return 0, invalid("delivery.shutdown_timeout", text.ShutdownTimeout, d.ShutdownTimeout)
	}
	return t, nil
}

func (d DeliveryConfig) validate() []error {
	var errs []error
	if _, err := d.budget(); err != nil {
		errs = append(errs, err)
	}
	if _, err := d.shutdown(); err != nil {
		errs = append(errs, err)
	}
	return errs
}
