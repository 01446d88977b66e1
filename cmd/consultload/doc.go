// Command consultload drives simulated participants through the in-repo
// platform fakes against the real adapters, engine and storage, and prints
// figures; docs/BENCHMARKS.md quotes them. Everything runs on loopback.
//
// Usage:
//
//	consultload telegram -parents N -duration D  // throughput and latency through the Telegram fake
//	consultload discord …                         // acknowledgement times through the Discord fake
//	consultload web -participants N -duration D   // people in browsers: HTTP posts and event streams against the real binary's page
//	consultload soak -kills K -updates U -seed S  // the real consultbot binary, SIGKILLed at random moments
//	consultload perf                              // bbolt writes, end-to-end throughput, outgoing rate, memory
//	consultload digest -answers N -new M          // daily and whole-store digests, then exports, over N answers (M in the last day)
//
// Each command's -h lists its flags.
package main
