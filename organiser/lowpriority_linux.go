package organiser

import "golang.org/x/sys/unix"

// lowerThreadPriority raises the calling OS thread's nice value by n, to
// 19 at most (on Linux a priority is a thread's own). Raising one's own
// nice value needs no privilege; should it fail anyway (a seccomp
// profile), the digest runs at the normal priority, as it did before.
func lowerThreadPriority(n int) {
	tid := unix.Gettid()
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, tid) // the system call's 20 - nice
	if err != nil {
		return
	}
	_ = unix.Setpriority(unix.PRIO_PROCESS, tid, min(20-prio+n, 19))
}
