//go:build !linux

package organiser

// lowerThreadPriority does nothing outside Linux, where setpriority sets
// the whole process's priority, not one thread's: the digest keeps only
// the spare P.
func lowerThreadPriority(n int) {}
