package main

import (
	"time"

	"consultbot/bot"
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
}

func defaultDeliveryConfig() DeliveryConfig {
	return DeliveryConfig{AttemptBudget: bot.DefaultBudget.String()}
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
		return 0, invalid("delivery.attempt_budget", "%q is not a duration such as \"1m\" or \"90s\"", d.AttemptBudget)
	}
	if b < minAttemptBudget || b > maxAttemptBudget {
		return 0, invalid("delivery.attempt_budget", "%s is not between %s and %s", b, minAttemptBudget, maxAttemptBudget)
	}
	return b, nil
}

func (d DeliveryConfig) validate() []error {
	if _, err := d.budget(); err != nil {
		return []error{err}
	}
	return nil
}
