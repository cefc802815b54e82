package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// soakInterval is how often the soak samples the server's /metrics.
const soakInterval = 5 * time.Second

// soakRequest is one kind of request of the soak: how often it is sent
// (weight), what it sends, and the status it must get (400: any 4xx), with
// the code of its error when it must have one.
type soakRequest struct {
	kind     string
	weight   int
	request  func(rng *rand.Rand) (token string, body io.Reader)
	want     int
	wantCode string
}

// soakMix is what the soak's clients send: mostly the valid analyst and
// node queries, and what an API on the internet also gets: invalid tokens
// (401) and bodies that are not GraphQL requests (4xx).
func soakMix(ds *dataset) []soakRequest {
	users := []benchUser{ds.editor, ds.viewer}
	with := func(token func(*rand.Rand) string, body []byte) func(*rand.Rand) (string, io.Reader) {
		return func(rng *rand.Rand) (string, io.Reader) { return token(rng), bytes.NewReader(body) }
	}
	valid := func(rng *rand.Rand) string { return users[rng.IntN(2)].token }
	invalid := func(s string) func(*rand.Rand) string { return func(*rand.Rand) string { return s } }
	// Just over the server's default body limit of 1 MiB (config.Default).
	over := []byte(`{"query": "{ __typename }", "pad": "` + strings.Repeat("x", 1<<20) + `"}`)
	mix := []soakRequest{
		{"valid: nested", 40, with(valid, nestedBody), http.StatusOK, ""},
		{"valid: node", 25, func(rng *rand.Rand) (string, io.Reader) {
			u := users[rng.IntN(2)]
			ids := ds.visibleResponses[u.id]
			vars := map[string]any{"id": ids[rng.IntN(len(ids))]}
			return u.token, bytes.NewReader(mustJSON(map[string]any{"query": nodeQuery, "variables": vars}))
		}, http.StatusOK, ""},
		{"token: malformed", 5, with(invalid(ds.malformed), nestedBody), http.StatusUnauthorized, ""},
		{"token: unknown", 5, with(invalid(ds.unknown), nestedBody), http.StatusUnauthorized, ""},
		{"token: revoked", 5, with(invalid(ds.revoked), nestedBody), http.StatusUnauthorized, ""},
		{"body: over the limit", 1, with(valid, over), http.StatusRequestEntityTooLarge, ""},
		// io.MultiReader hides the length: the client sends it chunked.
		{"body: over the limit, chunked", 1, func(rng *rand.Rand) (string, io.Reader) {
			return valid(rng), io.MultiReader(bytes.NewReader(over))
		}, http.StatusRequestEntityTooLarge, ""},
	}
	for _, b := range []struct{ kind, body string }{
		{"empty", ``},
		{"truncated JSON", `{"query": `},
		{"JSON string", `"{ __typename }"`},
		{"batch", `[{"query": "{ __typename }"}]`},
		{"query not a string", `{"query": 1}`},
		{"variables not an object", `{"query": "{ __typename }", "variables": []}`},
		{"JSON too deep", strings.Repeat("[", 10001)},
	} {
		mix = append(mix, soakRequest{"body: " + b.kind, 2, with(valid, []byte(b.body)), http.StatusBadRequest, ""})
	}
	// A GraphQL request that fails validation: 200 under application/json,
	// as the GraphQL-over-HTTP spec asks, with the error's code.
	mix = append(mix, soakRequest{"body: unknown field", 2, with(valid, []byte(`{"query": "{ nope }"}`)), http.StatusOK, "GRAPHQL_VALIDATION_FAILED"})
	return mix
}

// soakOutcome is what a request got: its status and the extensions.code of
// its first error ("" when none).
type soakOutcome struct {
	kind, code string
	status     int
}

// expected tells whether o is what a request of kind r must get: its status
// (any 4xx for 400) with no INTERNAL_SERVER_ERROR, and for a 200 no error.
func (r soakRequest) expected(o soakOutcome) bool {
	switch {
	case o.code == "INTERNAL_SERVER_ERROR":
		return false
	case r.wantCode != "":
		return o.status == r.want && o.code == r.wantCode
	case r.want == http.StatusBadRequest:
		return o.status >= 400 && o.status < 500
	case r.want == http.StatusOK:
		return o.status == http.StatusOK && o.code == ""
	}
	return o.status == r.want
}

// soakSample is one reading of the server's /metrics.
type soakSample struct {
	at                     time.Duration
	requests, unexpected5x int64
	rss, heap, goroutines  float64
	poolInUse, poolOpen    float64
	poolWaits              float64
	poolWaitTime           float64 // seconds
}

// runSoak drives the mix with o.concurrency clients for o.soak, samples the
// server's memory and connection pool every soakInterval, and reports every
// outcome by kind, status and code, the unexpected ones, and the series.
func runSoak(ctx context.Context, o options, srv *serverProc, c *apiClient, ds *dataset) error {
	mix := soakMix(ds)
	var total int
	for _, r := range mix {
		total += r.weight
	}
	var requests, unexpected5xx atomic.Int64
	newOp := func(int) op {
		return func(ctx context.Context, rng *rand.Rand) (string, error) {
			n := rng.IntN(total)
			i := 0
			for n >= mix[i].weight {
				n -= mix[i].weight
				i++
			}
			r := mix[i]
			token, body := r.request(rng)
			status, answer, err := c.post(ctx, token, body)
			requests.Add(1)
			o := soakOutcome{kind: r.kind, status: status, code: firstCode(answer)}
			if err != nil {
				o.code = "(no answer)"
			} else if status >= 500 {
				unexpected5xx.Add(1)
			}
			if err == nil && !r.expected(o) {
				err = fmt.Errorf("unexpected: %.200s", answer)
			}
			return o.key(), err
		}
	}

	log.Printf("soak: %d clients for %s", o.concurrency, o.soak)
	start := time.Now()
	var series []soakSample
	sampled := make(chan struct{})
	sampleCtx, stopSampling := context.WithCancel(ctx)
	go func() {
		defer close(sampled)
		tick := time.NewTicker(soakInterval)
		defer tick.Stop()
		for {
			s, err := srv.metrics()
			if err != nil {
				log.Printf("soak: reading /metrics: %v", err)
			}
			s.at, s.requests, s.unexpected5x = time.Since(start), requests.Load(), unexpected5xx.Load()
			series = append(series, s)
			select {
			case <-sampleCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	r := drive(ctx, "soak", o.concurrency, 0, o.soak, newOp, nil)
	stopSampling()
	<-sampled
	final, err := srv.metrics()
	if err != nil {
		return err
	}
	final.at, final.requests, final.unexpected5x = time.Since(start), requests.Load(), unexpected5xx.Load()
	series = append(series, final)
	printSoak(o, r, series)
	return ctx.Err()
}

// key is the outcome as a sample's kind: what printSoak counts by.
func (o soakOutcome) key() string {
	return strings.Join([]string{o.kind, strconv.Itoa(o.status), o.code}, "\t")
}

// firstCode returns the extensions.code of the first error of a GraphQL
// response, "" when it has none, and "(not JSON)" when it is not one.
func firstCode(body []byte) string {
	var resp struct {
		Errors []struct{ Extensions struct{ Code string } }
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return "(not JSON)"
	}
	if len(resp.Errors) == 0 {
		return ""
	}
	return resp.Errors[0].Extensions.Code
}

// printSoak prints the outcomes by kind, status and code, then the series
// of samples and the targets.
func printSoak(o options, r *runResult, series []soakSample) {
	counts := map[string]int{}
	unexpected := map[string]int{}
	for _, s := range r.samples {
		counts[s.kind]++
		if s.err != nil {
			unexpected[s.kind]++
		}
	}
	fmt.Printf("== soak: %d requests in %s at %d clients (%.1f req/s)\n",
		len(r.samples), r.elapsed.Round(time.Millisecond), o.concurrency, r.rps())
	fmt.Printf("   %-32s %6s %-24s %8s %10s\n", "request", "status", "code", "count", "unexpected")
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		row := strings.Split(k, "\t")
		fmt.Printf("   %-32s %6s %-24s %8d %10d\n", row[0], row[1], row[2], counts[k], unexpected[k])
	}
	fmt.Println()

	fmt.Printf("   %6s %8s %8s %9s %9s %10s %12s %10s %12s\n",
		"time", "requests", "5xx", "RSS MiB", "heap MiB", "goroutines", "pool in use", "pool waits", "pool wait s")
	for _, s := range series {
		fmt.Printf("   %5.0fs %8d %8d %9.1f %9.1f %10.0f %6.0f / %-4.0f %10.0f %12.3f\n", s.at.Seconds(), s.requests, s.unexpected5x,
			s.rss/(1<<20), s.heap/(1<<20), s.goroutines, s.poolInUse, s.poolOpen, s.poolWaits, s.poolWaitTime)
	}
	fmt.Println()

	first, last := series[0], series[len(series)-1]
	half := series[:len(series)/2+1]
	var early, late float64
	for _, s := range half {
		early = max(early, s.rss)
	}
	for _, s := range series[len(half):] {
		late = max(late, s.rss)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("== Targets of the soak\n")
	fmt.Printf("   0 unexpected 5xx: %d: %s\n", last.unexpected5x, verdict(last.unexpected5x == 0))
	fmt.Printf("   flat memory (peak RSS of the second half within 10%% of the first's): %.1f MiB then %.1f MiB: %s\n",
		early/(1<<20), late/(1<<20), verdict(late <= 1.1*early))
	// The first interval starts with a cold pool and cold caches: its waits
	// are told apart from those of the server warm.
	warm := series[min(1, len(series)-1)]
	fmt.Printf("   no pool exhaustion (no request waited for a connection): %.0f waits, %.3f s, of which after the first %s: %.0f, %.3f s: %s\n",
		last.poolWaits-first.poolWaits, last.poolWaitTime-first.poolWaitTime, soakInterval,
		last.poolWaits-warm.poolWaits, last.poolWaitTime-warm.poolWaitTime, verdict(last.poolWaits == first.poolWaits))
	fmt.Println()
}

// metrics reads the server's memory, goroutines and database pool from its
// /metrics (Prometheus text; these metrics have a single series each).
func (s *serverProc) metrics() (soakSample, error) {
	var out soakSample
	resp, err := s.hc.Get("http://" + s.addr + "/metrics")
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	fields := map[string]*float64{
		"process_resident_memory_bytes":      &out.rss,
		"go_memstats_heap_inuse_bytes":       &out.heap,
		"go_goroutines":                      &out.goroutines,
		"go_sql_in_use_connections":          &out.poolInUse,
		"go_sql_open_connections":            &out.poolOpen,
		"go_sql_wait_count_total":            &out.poolWaits,
		"go_sql_wait_duration_seconds_total": &out.poolWaitTime,
	}
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		name, _, _ := strings.Cut(f[0], "{")
		if p, ok := fields[name]; ok {
			*p, _ = strconv.ParseFloat(f[len(f)-1], 64)
		}
	}
	return out, lines.Err()
}
