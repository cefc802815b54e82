package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// nestedQuery is the analyst's query of the issue, with the IDs that let
// checkFloorMatches compare it with the floor.
const nestedQuery = `query Nested { projects(first: 10) { totalCount edges { node { id
	surveys(first: 10) { totalCount edges { node { id
		responses(first: 10) { totalCount edges { node { id submittedAt } } } } } } } } } }`

// nodeQuery looks up one response by its global ID.
const nodeQuery = `query Node($id: ID!) { node(id: $id) { id ... on Response { submittedAt } } }`

var nestedBody = mustJSON(map[string]any{"query": nestedQuery})

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// apiClient posts GraphQL requests to the server over loopback, with one
// kept-alive connection per client.
type apiClient struct {
	url string
	hc  *http.Client
}

func newClient(addr string, conns int) *apiClient {
	return &apiClient{url: "http://" + addr + "/graphql", hc: &http.Client{
		Timeout:   2 * time.Minute, // a nested request at -scale 20 and 16 clients takes up to 25 s
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true},
	}}
}

// post sends body with the token and returns the status and the body read.
// A body whose length the reader does not tell (not a *bytes.Reader) goes
// chunked.
func (c *apiClient) post(ctx context.Context, token string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// expect posts and checks the outcome: 200 without GraphQL errors for a
// valid token, 401 for an invalid one.
func (c *apiClient) expect(ctx context.Context, token string, body []byte, status int) error {
	got, b, err := c.post(ctx, token, bytes.NewReader(body))
	switch {
	case err != nil:
		return err
	case got != status:
		return fmt.Errorf("status %d, want %d: %.300s", got, status, b)
	case status == http.StatusOK && bytes.Contains(b, []byte(`"errors"`)):
		return fmt.Errorf("GraphQL errors: %.300s", b)
	case status == http.StatusOK && bytes.Contains(b, []byte(`"node":null`)):
		return fmt.Errorf("a visible response was not found: %.300s", b)
	}
	return nil
}

// op makes one request and says what kind it was and whether its outcome
// was the expected one.
type op func(ctx context.Context, rng *rand.Rand) (kind string, err error)

// shapeMakers make, for each shape, the op of each client.
var shapeMakers = map[string]func(ds *dataset, c *apiClient) func(worker int) op{
	// nested: the analyst query as the two users, alternating.
	"nested": func(ds *dataset, c *apiClient) func(int) op {
		users := []benchUser{ds.editor, ds.viewer}
		return func(worker int) op {
			i := worker
			return func(ctx context.Context, _ *rand.Rand) (string, error) {
				i++
				return "nested", c.expect(ctx, users[i%2].token, nestedBody, http.StatusOK)
			}
		}
	},
	// node: node(id) of a random response the user sees, users alternating.
	"node": func(ds *dataset, c *apiClient) func(int) op {
		return func(worker int) op {
			i := worker
			return func(ctx context.Context, rng *rand.Rand) (string, error) {
				i++
				return "node", nodeRequest(ctx, c, ds, i, rng)
			}
		}
	},
	// invalid: only the invalid tokens of mixed (not in the default
	// shapes): what a flood of bad tokens costs.
	"invalid": func(ds *dataset, c *apiClient) func(int) op {
		invalid := []struct{ kind, token string }{
			{"invalid: malformed", ds.malformed}, {"invalid: unknown", ds.unknown}, {"invalid: revoked", ds.revoked},
		}
		return func(worker int) op {
			return func(ctx context.Context, rng *rand.Rand) (string, error) {
				t := invalid[rng.IntN(len(invalid))]
				return t.kind, c.expect(ctx, t.token, nestedBody, http.StatusUnauthorized)
			}
		}
	},
	// mixed: 50% nested, 30% node, 20% invalid tokens (a third each
	// malformed, unknown and revoked), which must get 401.
	"mixed": func(ds *dataset, c *apiClient) func(int) op {
		users := []benchUser{ds.editor, ds.viewer}
		invalid := []struct{ kind, token string }{
			{"invalid: malformed", ds.malformed}, {"invalid: unknown", ds.unknown}, {"invalid: revoked", ds.revoked},
		}
		return func(worker int) op {
			i := worker
			return func(ctx context.Context, rng *rand.Rand) (string, error) {
				i++
				switch n := rng.IntN(10); {
				case n < 5:
					return "nested", c.expect(ctx, users[i%2].token, nestedBody, http.StatusOK)
				case n < 8:
					return "node", nodeRequest(ctx, c, ds, i, rng)
				default:
					t := invalid[rng.IntN(len(invalid))]
					return t.kind, c.expect(ctx, t.token, nestedBody, http.StatusUnauthorized)
				}
			}
		}
	},
}

// nodeRequest looks up a random response that user i%2 sees.
func nodeRequest(ctx context.Context, c *apiClient, ds *dataset, i int, rng *rand.Rand) error {
	u := []benchUser{ds.editor, ds.viewer}[i%2]
	ids := ds.visibleResponses[u.id]
	body := mustJSON(map[string]any{"query": nodeQuery, "variables": map[string]any{"id": ids[rng.IntN(len(ids))]}})
	return c.expect(ctx, u.token, body, http.StatusOK)
}

// sample is one request's outcome.
type sample struct {
	kind string
	lat  time.Duration
	err  error
}

// runResult is what one measured run found.
type runResult struct {
	name    string
	shape   string
	elapsed time.Duration
	samples []sample
	// statements per request; negative when not measured.
	statements float64
	// Server memory: peak resident set (VmHWM) and peak Go heap in use plus
	// goroutine stacks, in bytes; zero when not measured.
	peakRSS, peakHeap int64
	// cpu is the CPU time used during the run, nil when not measured;
	// selfName names what this process did (load generator or floor).
	cpu      *cpuUse
	selfName string
	// profile is the path of the server's CPU profile of the run, if taken.
	profile string
}

func (r *runResult) rps() float64 { return float64(len(r.samples)) / r.elapsed.Seconds() }

// drive runs concurrency clients, each repeating its op: first for warmup,
// unrecorded, then, after between() (when not nil), for duration, recorded.
// Each phase ends when every client has finished its last request, so the
// phases do not overlap and the server is idle when between runs.
func drive(ctx context.Context, name string, concurrency int, warmup, duration time.Duration, newOp func(worker int) op, between func()) *runResult {
	ops := make([]op, concurrency)
	rngs := make([]*rand.Rand, concurrency)
	for w := range ops {
		ops[w] = newOp(w)
		rngs[w] = rand.New(rand.NewPCG(uint64(w), 42))
	}
	phase := func(d time.Duration, record bool) ([]sample, time.Duration) {
		start := time.Now()
		deadline := start.Add(d)
		out := make([][]sample, concurrency)
		var wg sync.WaitGroup
		for w := range concurrency {
			wg.Go(func() {
				for time.Now().Before(deadline) && ctx.Err() == nil {
					t := time.Now()
					kind, err := ops[w](ctx, rngs[w])
					if record {
						out[w] = append(out[w], sample{kind, time.Since(t), err})
					}
				}
			})
		}
		wg.Wait()
		return slices.Concat(out...), time.Since(start)
	}
	phase(warmup, false)
	if between != nil {
		between()
	}
	samples, elapsed := phase(duration, true)
	return &runResult{name: name, shape: name, elapsed: elapsed, samples: samples, statements: -1}
}

// measureShape runs one shape against the server, with its statement count,
// memory peak and CPU profile.
func measureShape(ctx context.Context, o options, srv *serverProc, meter *cpuMeter, c *apiClient, ds *dataset, shape string) (*runResult, error) {
	log.Printf("running shape %s for %s at %d clients", shape, o.duration, o.concurrency)
	var (
		before    serverStats
		cpuBefore cpuSnapshot
		err       error
		profile   = make(chan error, 1)
	)
	path := filepath.Join(o.out, "cpu-"+shape+".pprof")
	r := drive(ctx, shape, o.concurrency, o.warmup, o.duration, shapeMakers[shape](ds, c), func() {
		if err = srv.resetPeak(); err != nil {
			return
		}
		before, err = srv.stats()
		cpuBefore = meter.snapshot(ctx)
		if o.profile {
			go func() { profile <- srv.saveCPUProfile(ctx, o.duration, path) }()
		}
	})
	if err != nil {
		return nil, err
	}
	use := meter.snapshot(ctx).since(cpuBefore)
	r.cpu, r.selfName = &use, "load generator"
	after, err := srv.stats()
	if err != nil {
		return nil, err
	}
	if len(r.samples) > 0 {
		r.statements = float64(after.Statements-before.Statements) / float64(len(r.samples))
	}
	r.peakRSS, r.peakHeap = after.PeakRSS, after.PeakHeap
	if o.profile {
		if err := <-profile; err != nil {
			log.Printf("CPU profile of %s: %v", shape, err)
		} else {
			r.profile = path
		}
	}
	return r, nil
}

// print writes the run's numbers, overall and by kind of request.
func (r *runResult) print() {
	fmt.Printf("== %s: %d requests in %s\n", r.name, len(r.samples), r.elapsed.Round(time.Millisecond))
	fmt.Printf("   %-22s %9s %9s %9s %9s %9s %7s\n", "", "req/s", "p50", "p95", "p99", "max", "errors")
	byKind := map[string][]sample{}
	for _, s := range r.samples {
		byKind[s.kind] = append(byKind[s.kind], s)
	}
	row := func(label string, ss []sample) {
		lat := make([]time.Duration, len(ss))
		errs := 0
		var firstErr error
		for i, s := range ss {
			lat[i] = s.lat
			if s.err != nil {
				if errs++; firstErr == nil {
					firstErr = s.err
				}
			}
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Printf("   %-22s %9.1f %9s %9s %9s %9s %7d\n", label, float64(len(ss))/r.elapsed.Seconds(),
			ms(pct(lat, 50)), ms(pct(lat, 95)), ms(pct(lat, 99)), ms(pct(lat, 100)), errs)
		if firstErr != nil {
			fmt.Printf("   first error: %.300v\n", firstErr)
		}
	}
	row("all", r.samples)
	if len(byKind) > 1 {
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			row(k, byKind[k])
		}
	}
	var extra []string
	if r.statements >= 0 {
		extra = append(extra, fmt.Sprintf("SQL statements per request: %.2f", r.statements))
	}
	if r.peakRSS > 0 {
		extra = append(extra, fmt.Sprintf("server peak RSS (VmHWM): %.1f MiB", mib(r.peakRSS)),
			fmt.Sprintf("server peak Go heap in use + stacks: %.1f MiB", mib(r.peakHeap)))
	}
	if len(extra) > 0 {
		fmt.Printf("   %s\n", strings.Join(extra, "; "))
	}
	if r.cpu != nil {
		fmt.Printf("   %s\n", r.cpu.perRequest(len(r.samples), r.selfName))
	}
	if r.profile != "" {
		fmt.Printf("   top of the server's CPU profile (%s):\n", r.profile)
		printProfileTop(r.profile, 12)
	}
	fmt.Println()
}

// pct returns the p-th percentile of sorted values (nearest rank).
func pct[T any](sorted []T, p float64) T {
	if len(sorted) == 0 {
		var zero T
		return zero
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }
