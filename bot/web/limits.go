package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits is the page's flood control: token buckets per client address
// and per person. Beyond them a request gets 429 and a clear message;
// nothing is applied.
type Limits struct {
	// AddressRate and AddressBurst bound every request from one address
	// (an IPv6 /64): pages, messages, event streams. Generous, as a whole
	// school may share one address.
	AddressRate  float64
	AddressBurst int
	// MessageRate and MessageBurst bound the messages of one person.
	MessageRate  float64
	MessageBurst int
	// CodeRate and CodeBurst bound the continuation codes tried from one
	// address, against guessing.
	CodeRate  float64
	CodeBurst int
	// Streams bounds the event streams one person keeps open (tabs).
	Streams int
}

// DefaultLimits are used for the zero fields of Options.Limits.
var DefaultLimits = Limits{
	AddressRate:  20,
	AddressBurst: 200,
	MessageRate:  2,
	MessageBurst: 10,
	CodeRate:     5.0 / 60,
	CodeBurst:    5,
	Streams:      4,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.AddressRate <= 0 || l.AddressBurst <= 0 {
		l.AddressRate, l.AddressBurst = d.AddressRate, d.AddressBurst
	}
	if l.MessageRate <= 0 || l.MessageBurst <= 0 {
		l.MessageRate, l.MessageBurst = d.MessageRate, d.MessageBurst
	}
	if l.CodeRate <= 0 || l.CodeBurst <= 0 {
		l.CodeRate, l.CodeBurst = d.CodeRate, d.CodeBurst
	}
	if l.Streams <= 0 {
		l.Streams = d.Streams
	}
	return l
}

// maxBuckets bounds each bucket set: past it, idle buckets are dropped,
// and if none is idle new keys are refused until some are.
const maxBuckets = 200000

// buckets is a set of token buckets by key, dropped when idle.
type buckets struct {
	mu    sync.Mutex
	m     map[string]*bucket
	rate  rate.Limit
	burst int
	now   func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newBuckets(r float64, burst int, now func() time.Time) *buckets {
	return &buckets{m: make(map[string]*bucket), rate: rate.Limit(r), burst: burst, now: now}
}

// allow takes one token from key's bucket.
func (b *buckets) allow(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	k := b.m[key]
	if k == nil {
		if len(b.m) >= maxBuckets {
			b.sweepLocked(now.Add(-time.Minute))
			if len(b.m) >= maxBuckets {
				return false
			}
		}
		k = &bucket{lim: rate.NewLimiter(b.rate, b.burst)}
		b.m[key] = k
	}
	k.seen = now
	return k.lim.AllowN(now, 1)
}

// sweep drops the buckets unused since cutoff; a bucket refilled by then
// is the same as a new one.
func (b *buckets) sweep(cutoff time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepLocked(cutoff)
}

func (b *buckets) sweepLocked(cutoff time.Time) {
	for key, k := range b.m {
		if k.seen.Before(cutoff) {
			delete(b.m, key)
		}
	}
}
