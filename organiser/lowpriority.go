package organiser

import (
	"runtime"
	"sync"
)

// A digest runs in the bot's own process, beside the participants' writes,
// often on 2 cores. Go's scheduler takes a P back from a goroutine only
// after it has run for about 10 ms, so while a digest held one of the two
// Ps the writers' wake-ups waited up to that long for the other one
// (docs/BENCHMARKS.md, "Participants' writes while a digest runs"). While a
// digest runs, the process has one more P than it had, so that a writer
// always finds a free one, and the digest runs on an OS thread of its own
// at a lower priority, so that when the cores are contended the kernel,
// which has priorities and finer slices, runs the writers' threads first.

// digestNice is how much a digest's thread raises its nice value: from the
// usual 0 to 10, where the kernel gives it about a tenth of a core that a
// normal thread also wants, and all of an idle one.
const digestNice = 10

// spareP counts the digests running and remembers GOMAXPROCS from before
// the first of them: GOMAXPROCS belongs to the whole process, and digests
// (the schedule's, /synthese, /stats) may overlap.
var spareP struct {
	mu      sync.Mutex
	running int
	before  int
}

// addP raises GOMAXPROCS by one for the first digest running and returns
// the function that lowers it back after the last one, unless something
// else changed it meanwhile.
func addP() (release func()) {
	spareP.mu.Lock()
	if spareP.running == 0 {
		spareP.before = runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(spareP.before + 1)
	}
	spareP.running++
	spareP.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			spareP.mu.Lock()
			defer spareP.mu.Unlock()
			spareP.running--
			if spareP.running == 0 && runtime.GOMAXPROCS(0) == spareP.before+1 {
				runtime.GOMAXPROCS(spareP.before)
			}
		})
	}
}

// inBackground runs fn on a goroutine locked to an OS thread whose
// priority it lowers, with one more P for the process, and waits for it.
// The goroutine never unlocks its thread, so the runtime ends the thread
// with it instead of handing a lowered thread to other goroutines. A panic
// in fn is raised again in the caller.
func inBackground(fn func()) {
	release := addP()
	defer release()
	done := make(chan any, 1)
	go func() {
		runtime.LockOSThread()
		lowerThreadPriority(digestNice)
		defer func() { done <- recover() }()
		fn()
	}()
	if p := <-done; p != nil {
		panic(p)
	}
}
