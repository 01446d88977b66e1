package main

import (
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profiles are the CPU and allocation profiles of a measured phase, when
// asked for: what delays the participants' writes shows up in them (the
// garbage collector's share, who allocates).
type profiles struct {
	cpu     *os.File
	memPath string
}

// startProfiles starts a CPU profile into cpuPath; with memPath, stop
// writes the allocation profile there (sampled at the default rate).
func startProfiles(cpuPath, memPath string) (*profiles, error) {
	p := &profiles{memPath: memPath}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		p.cpu = f
	}
	return p, nil
}

// stop ends the CPU profile and writes the allocation profile: the
// allocations since the program started, those of the measured phase
// standing out by their stacks.
func (p *profiles) stop() error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpu.Close())
	}
	if p.memPath != "" {
		runtime.GC() // the profile is as of the last collection
		f, err := os.Create(p.memPath)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	return errors.Join(errs...)
}

// traced runs fn, writing its execution trace to prefix-name.trace when
// prefix is set.
func traced(prefix, name string, fn func() error) error {
	if prefix == "" {
		return fn()
	}
	f, err := os.Create(prefix + "-" + name + ".trace")
	if err != nil {
		return err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return err
	}
	err = fn()
	trace.Stop()
	return errors.Join(err, f.Close())
}
