package export_test

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"engage/ent/user"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

var benchRows = flag.Int("export-bench-rows", 100_000, "responses of the survey BenchmarkExport exports")

// BenchmarkExport exports a survey of -export-bench-rows responses (100,000
// by default; one RATING question, so a row and an answer each) through a
// real HTTP server, in each format, as an administrator (no privacy
// predicates) and as a project VIEWER (the privacy subqueries in every
// page's SQL), and reports rows per second, the SQL statements of each export's reads and
// how much the heap in use grew at most (sampled every 10 ms, server and
// client together: they share the process). Run it with
//
//	go test ./export -run '^$' -bench Export -benchtime 3x
func BenchmarkExport(b *testing.B) {
	var hook pageHook // counts the statements of exports
	s := newServerWith(b, hook.wrap, false)
	admin := s.Admin()
	bulk := newBulkSurvey(s)
	bulk.insert(b, s.DB, *benchRows)
	viewer := s.DB.Ent.User.Create().SetEmail("viewer@example.test").SetName("Viewer").SetAPIAccess(true).SaveX(testdb.System())
	s.DB.Ent.ProjectMembership.Create().SetProjectID(bulk.projectID).SetUserID(viewer.ID).SetRole(role.Viewer).ExecX(testdb.System())
	callers := map[string]string{
		"admin":  admin,
		"viewer": s.Mint(token.Spec{OwnerID: s.DB.Ent.User.Query().Where(user.Email("viewer@example.test")).OnlyIDX(testdb.System()), Name: "bench"}),
	}
	srv := httptest.NewServer(s.Handler)
	defer srv.Close()

	for _, ext := range []string{"csv", "ndjson", "xlsx"} {
		for _, who := range []string{"admin", "viewer"} {
			b.Run(ext+"/"+who, func(b *testing.B) {
				runtime.GC()
				baseline := heapInuse()
				var peak atomic.Uint64
				stop := sampleHeap(&peak)
				hook.queries.Store(0)
				var bytes int64
				for b.Loop() {
					req, _ := http.NewRequest(http.MethodGet, srv.URL+bulk.path(ext), nil)
					req.Header.Set("Authorization", "Bearer "+callers[who])
					resp, err := srv.Client().Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("status %d, reading: %v", resp.StatusCode, err)
					}
					bytes += n
				}
				stop()
				b.ReportMetric(float64(*benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(hook.queries.Load())/float64(b.N), "statements/op")
				b.ReportMetric(float64(peak.Load()-min(baseline, peak.Load()))/(1<<20), "heap-MiB")
				b.ReportMetric(float64(bytes)/float64(b.N)/(1<<20), "MiB/op")
			})
		}
	}
}

// sampleHeap records the largest heap in use into peak every 10 ms until
// the returned function is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapInuse(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
