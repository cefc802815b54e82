package export_test

import (
	"bufio"
	"flag"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

var largeRows = flag.Int("export-rows", 100_000, "responses exported by TestLargeExportKeepsMemoryFlat (1000000 for the million of issue 19)")

// heapGrowthBound is the most the server's heap in use may grow during a
// large export, whatever its size: pages of 1,000 rows, the buffers of the
// response, and the garbage the collector has not yet reclaimed. Holding a
// million responses would take more than 500 MiB.
const heapGrowthBound = 32 << 20

// TestLargeExportKeepsMemoryFlat exports a survey of many responses (100,000
// by default; go test ./export -run Large -export-rows=1000000 for a
// million) as CSV and NDJSON through a real HTTP server, reading the body
// as it arrives, and samples the heap in use every 10,000 rows: it must
// stay within heapGrowthBound of what it was before the export.
func TestLargeExportKeepsMemoryFlat(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	b := newBulkSurvey(s)
	start := time.Now()
	b.insert(t, s.DB, *largeRows)
	t.Logf("inserted %d responses in %v", *largeRows, time.Since(start).Round(time.Millisecond))
	srv := httptest.NewServer(s.Handler)
	defer srv.Close()

	for _, ext := range []string{"csv", "ndjson"} {
		runtime.GC()
		baseline := heapInuse()
		peak := baseline
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+b.path(ext), nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(resp.Body)
		n := 0
		for lines.Scan() {
			if n++; n%10_000 == 0 {
				peak = max(peak, heapInuse())
			}
		}
		resp.Body.Close()
		if err := lines.Err(); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, reading: %v", ext, resp.StatusCode, err)
		}
		if want := *largeRows + map[string]int{"csv": 1}[ext]; n != want {
			t.Errorf("%s: got %d lines, want %d", ext, n, want)
		}
		growth := peak - baseline
		t.Logf("%s: %d rows in %v, heap in use grew by %.1f MiB at most", ext, *largeRows, time.Since(start).Round(time.Millisecond), float64(growth)/(1<<20))
		if growth > heapGrowthBound {
			t.Errorf("%s: the heap in use grew by %d MiB, more than %d MiB", ext, growth>>20, heapGrowthBound>>20)
		}
	}
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
