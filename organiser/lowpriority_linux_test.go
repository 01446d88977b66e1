package organiser

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// threadNice returns the calling thread's nice value.
func threadNice() (int, error) {
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	return 20 - prio, err
}

// TestDigestThreadIsNiced checks that the digest's thread runs digestNice
// lower than the caller's, and that the caller's thread, where the
// participants' goroutines run too, keeps its priority.
func TestDigestThreadIsNiced(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	caller, err := threadNice()
	if err != nil {
		t.Fatal(err)
	}
	var inside int
	inBackground(func() { inside, err = threadNice() })
	if err != nil {
		t.Fatal(err)
	}
	if want := min(caller+digestNice, 19); inside != want {
		t.Errorf("digest thread's nice = %d, want %d (caller's %d)", inside, want, caller)
	}
	if got, _ := threadNice(); got != caller {
		t.Errorf("caller's nice after the digest = %d, want %d", got, caller)
	}
}
