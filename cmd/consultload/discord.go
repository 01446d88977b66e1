package main

import (
	"context"
	"errors"
	"io"
)

// runDiscord drives simulated educators through the in-repo Discord fake.
func runDiscord(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("discord load: not implemented yet")
}
