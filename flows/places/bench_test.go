package places

import (
	"runtime"
	"testing"
)

// BenchmarkLookup measures one lookup on the loaded table, for each way a
// text can match.
func BenchmarkLookup(b *testing.B) {
	loadedTable()
	for _, bc := range []struct{ name, in string }{
		{"exact", "Montreuil"},
		{"homonyms", "Saint-Denis"},
		{"arrondissement", "Paris 15e"},
		{"postcode", "75015"},
		{"label", "Saint-Denis (93)"},
		{"typo", "Montpelier"},
		{"typo-long", "Saint Germain en laie"},
		{"prefix", "Boulogne"},
		{"not-a-place", "je ne sais pas trop"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(bc.in)
			}
		})
	}
}

// BenchmarkLoad measures the first-call cost: decompressing and parsing the
// embedded table and building its indexes. heap-MB is the live heap the
// table holds once loaded.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	var t *table
	for b.Loop() {
		var err error
		if t, err = parseTable(tableGz); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	t = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	t, _ = parseTable(tableGz)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(len(t.recs)), "places")
	b.ReportMetric(float64(len(t.entries)), "names")
	runtime.KeepAlive(t)
}
