//go:build unix

package voice

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of a process group of its own and, when
// its context ends, kills the whole group: a script's children go too.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
