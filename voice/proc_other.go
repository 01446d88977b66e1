//go:build !unix

package voice

import "os/exec"

// killGroup leaves cmd as it is: where there are no process groups the
// program alone is killed when its context ends.
func killGroup(*exec.Cmd) {}
