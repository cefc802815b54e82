// Command bench measures Engage API under load on PostgreSQL and compares
// it with the floor: the same data fetched by hand-written SQL.
//
// One run, from the module root:
//
//	go run ./bench [-scale 1] [-concurrency 16] [-duration 20s] [-shapes nested,node,mixed]
//	               [-database-url postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable]
//
// creates a fresh database engage_bench_<random> on that server, applies the
// migrations, loads a scaled data set (data.go), starts the API server as a
// child process of this program (server.go), drives load on each shape from
// loopback (load.go), runs the floor at the same concurrency (floor.go),
// measures what token authentication adds (authcost.go), checks the SQL of
// the main queries with EXPLAIN ANALYZE and that deep cursor pages are keyset
// queries (explain.go), prints a report, and drops the database (unless
// -keep). With -soak, it runs a soak (soak.go) instead of the measurements.
// See README.md in this folder.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	serverURL   string
	scale       int
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	shapes      []string
	keep        bool
	reuse       string
	out         string
	floor       bool
	auth        bool
	explain     bool
	profile     bool
	pairs       int
	// soak, when not zero, replaces every measurement by one soak run of
	// that length (soak.go).
	soak time.Duration
	// serverParams are added to the query of the server's database URL.
	serverParams string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == childCommand {
		os.Exit(serveChild(os.Args[2:]))
	}
	log.SetFlags(log.Ltime)
	log.SetPrefix("bench: ")
	var o options
	var shapes string
	flag.StringVar(&o.serverURL, "database-url", envOr("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"PostgreSQL server to benchmark on; its database is only used to create and drop the bench database (env BENCH_DATABASE_URL)")
	flag.IntVar(&o.scale, "scale", 1, "multiplies the responses (and answers): 100×scale responses per survey, 50,000×scale in all; 20 gives 1,000,000")
	flag.IntVar(&o.concurrency, "concurrency", 16, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time of each run (each shape, the floor, the token-auth comparison)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each run")
	flag.StringVar(&shapes, "shapes", "nested,node,mixed", "comma-separated shapes to run: nested, node, mixed (and aggregates: stats of a page of surveys; invalid: bad tokens only)")
	flag.BoolVar(&o.keep, "keep", false, "keep the bench database at the end (its name is printed; pass it to -reuse)")
	flag.StringVar(&o.reuse, "reuse", "", "use this existing bench database (made with -keep) instead of creating and loading one; it is kept")
	flag.StringVar(&o.out, "out", "", "folder for CPU profiles, EXPLAIN plans and the server log (default: a new temporary folder)")
	flag.BoolVar(&o.floor, "floor", true, "measure the hand-written SQL floor")
	flag.BoolVar(&o.auth, "auth", true, "measure the token-authentication overhead")
	flag.BoolVar(&o.explain, "explain", true, "EXPLAIN ANALYZE the main queries and check deep pagination")
	flag.BoolVar(&o.profile, "profile", true, "take a CPU profile of the server during each shape")
	flag.IntVar(&o.pairs, "pairs", 0, "after the runs, this many more runs of nested and of the floor, alternating, -duration each: short runs (-duration 3s) follow a machine whose speed drifts")
	flag.DurationVar(&o.soak, "soak", 0, "instead of the measurements, a soak of this length: valid queries, invalid tokens and malformed bodies, with the server's memory and connection pool sampled every 5 s")
	flag.StringVar(&o.serverParams, "server-params", "", "parameters added to the server's database URL, which lib/pq sends as settings, such as jit=off")
	flag.Parse()
	for _, s := range strings.Split(shapes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.shapes = append(o.shapes, s)
		}
	}
	if err := o.validate(); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func (o *options) validate() error {
	u, err := url.Parse(o.serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("-database-url must be a postgres:// URL")
	}
	if o.scale < 1 || o.scale > 40 {
		return fmt.Errorf("-scale must be between 1 and 40, got %d", o.scale)
	}
	if o.concurrency < 1 || o.concurrency > 256 {
		return fmt.Errorf("-concurrency must be between 1 and 256, got %d", o.concurrency)
	}
	if o.pairs < 0 || o.pairs > 50 {
		return fmt.Errorf("-pairs must be between 0 and 50, got %d", o.pairs)
	}
	if o.duration < time.Second || o.duration > 10*time.Minute {
		return fmt.Errorf("-duration must be between 1s and 10m, got %s", o.duration)
	}
	if o.soak != 0 && (o.soak < 10*time.Second || o.soak > time.Hour) {
		return fmt.Errorf("-soak must be between 10s and 1h, got %s", o.soak)
	}
	for _, s := range o.shapes {
		if _, ok := shapeMakers[s]; !ok {
			return fmt.Errorf("unknown shape %q: use nested, node, mixed, aggregates or invalid", s)
		}
	}
	return nil
}

// run is the whole benchmark: database, data, server, load, floor, reports.
func run(ctx context.Context, o options) error {
	if o.out == "" {
		dir, err := os.MkdirTemp("", "engage-bench-")
		if err != nil {
			return err
		}
		o.out = dir
	} else if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	machine := describeMachine(o.serverURL)
	fmt.Printf("engage bench: %s\n%s\n\n", strings.Join(os.Args[1:], " "), machine)

	ds, release, err := benchDataset(ctx, o)
	if err != nil {
		return err
	}
	defer release()
	fmt.Printf("data: %s\n\n", ds.summary())

	serverURL, err := withParams(ds.url, o.serverParams)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, serverURL, o.out)
	if err != nil {
		return err
	}
	defer srv.stop()
	if o.soak > 0 {
		return runSoak(ctx, o, srv, newClient(srv.addr, o.concurrency), ds)
	}
	meter, err := newCPUMeter(o.serverURL, ds.name)
	if err != nil {
		return err
	}
	defer meter.close()
	meter.serverPID = srv.cmd.Process.Pid

	client := newClient(srv.addr, o.concurrency)
	if err := checkFloorMatches(ctx, client, ds); err != nil {
		return err
	}

	var results []*runResult
	for _, name := range o.shapes {
		r, err := measureShape(ctx, o, srv, meter, client, ds, name)
		if err != nil {
			return err
		}
		results = append(results, r)
		r.print()
	}
	if o.profile {
		srv.saveHeapProfile(filepath.Join(o.out, "heap.pprof"))
	}
	var floor *runResult
	if o.floor {
		if floor, err = measureFloor(ctx, o, meter, ds); err != nil {
			return err
		}
		floor.print()
		printNestedToFloor(results, floor)
	}
	if o.pairs > 0 {
		if err := measurePairs(ctx, o, srv, meter, client, ds); err != nil {
			return err
		}
	}
	var auth map[int]authOverhead
	if o.auth {
		if auth, err = measureAuthCost(ctx, o, ds); err != nil {
			return err
		}
	}
	if o.explain {
		if err := explainQueries(ctx, o, ds, client); err != nil {
			return err
		}
	}
	printTargets(o, results, floor, auth)
	fmt.Printf("profiles, plans and the server log are in %s\n", o.out)
	return ctx.Err()
}

// benchDataset opens the kept database o.reuse, or creates and loads one,
// and returns it with what to do at the end: drop it, or say that it is
// kept.
func benchDataset(ctx context.Context, o options) (*dataset, func(), error) {
	var (
		ds  *dataset
		err error
	)
	if o.reuse != "" {
		ds, err = openDataset(ctx, o.serverURL, o.reuse)
	} else {
		ds, err = createDataset(ctx, o.serverURL, o.scale)
	}
	if err != nil {
		return nil, nil, err
	}
	if o.keep || o.reuse != "" {
		return ds, func() { log.Printf("kept database %s (reuse it with -reuse %s)", ds.name, ds.name) }, nil
	}
	return ds, func() { ds.drop(o.serverURL) }, nil
}

// printNestedToFloor prints the nested shape's throughput and CPU per
// request against the floor's.
func printNestedToFloor(results []*runResult, floor *runResult) {
	for _, r := range results {
		if r.shape == "nested" {
			n, f := float64(len(r.samples)), float64(len(floor.samples))
			fmt.Printf("nested / floor throughput: %.1f%% (target ≥ 50%%); by CPU time per request (server + PostgreSQL vs floor + PostgreSQL): %.1f%%\n\n",
				100*r.rps()/floor.rps(), 100*((floor.cpu.self+floor.cpu.postgres)/f)/((r.cpu.server+r.cpu.postgres)/n))
		}
	}
}

// measurePairs runs the nested shape and the floor one after the other,
// o.pairs times, and prints the ratio of each pair and their median. On a
// shared machine whose speed drifts, two runs far apart in time compare
// badly; a pair's runs are next to each other.
func measurePairs(ctx context.Context, o options, srv *serverProc, meter *cpuMeter, client *apiClient, ds *dataset) error {
	quiet := o
	quiet.profile = false
	var ratios []float64
	var nestedRuns, floorRuns []*runResult
	for range o.pairs {
		nested, err := measureShape(ctx, quiet, srv, meter, client, ds, "nested")
		if err != nil {
			return err
		}
		floor, err := measureFloor(ctx, quiet, meter, ds)
		if err != nil {
			return err
		}
		nestedRuns, floorRuns = append(nestedRuns, nested), append(floorRuns, floor)
		ratios = append(ratios, nested.rps()/floor.rps())
		fmt.Printf("pair %d: nested %.1f req/s, floor %.1f req/s: %.1f%%\n", len(ratios), nested.rps(), floor.rps(), 100*ratios[len(ratios)-1])
	}
	slices.Sort(ratios)
	fmt.Printf("nested / floor over %d pairs: median %.1f%%, from %.1f%% to %.1f%%; all pairs together: %.1f%%\n\n", len(ratios),
		100*pct(ratios, 50), 100*ratios[0], 100*ratios[len(ratios)-1], 100*totalRate(nestedRuns)/totalRate(floorRuns))
	return ctx.Err()
}

// totalRate is the requests per second of runs taken together.
func totalRate(runs []*runResult) float64 {
	var n int
	var d time.Duration
	for _, r := range runs {
		n, d = n+len(r.samples), d+r.elapsed
	}
	return float64(n) / d.Seconds()
}

// printTargets compares the run with the targets of the issue.
func printTargets(o options, results []*runResult, floor *runResult, auth map[int]authOverhead) {
	fmt.Printf("== Targets (at %d clients)\n", o.concurrency)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	var peak int64
	for _, r := range results {
		peak = max(peak, r.peakRSS)
		if r.shape != "nested" {
			continue
		}
		if floor != nil {
			ratio := r.rps() / floor.rps()
			fmt.Printf("   nested ≥ 50%% of the floor's throughput: %.1f%%: %s\n", 100*ratio, verdict(ratio >= 0.5))
		}
		lat := make([]time.Duration, len(r.samples))
		for i, s := range r.samples {
			lat[i] = s.lat
		}
		slices.Sort(lat)
		p99 := pct(lat, 99)
		fmt.Printf("   nested p99 < 100 ms: %s: %s\n", ms(p99), verdict(p99 < 100*time.Millisecond))
	}
	if peak > 0 {
		fmt.Printf("   server memory < 200 MB: peak RSS %.1f MiB over all shapes: %s\n", mib(peak), verdict(peak < 200<<20))
	}
	if v, ok := auth[1]; ok {
		result := verdict(v.fraction < 0.05)
		if v.samples < 100 {
			result = fmt.Sprintf("inconclusive (%d samples at 1 client: run at a smaller -scale or a longer -duration)", v.samples)
		}
		fmt.Printf("   token auth < 5%% over an in-process viewer: the whole handler adds %.1f%% at 1 client, %.1f%% at %d: %s\n",
			100*v.fraction, 100*auth[o.concurrency].fraction, o.concurrency, result)
	}
	fmt.Println()
}

// withParams adds the URL-encoded params to the query of rawURL.
func withParams(rawURL, params string) (string, error) {
	if params == "" {
		return rawURL, nil
	}
	extra, err := url.ParseQuery(params)
	if err != nil {
		return "", fmt.Errorf("-server-params: %w", err)
	}
	u, _ := url.Parse(rawURL)
	q := u.Query()
	for k, vs := range extra {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// describeMachine says what the numbers were measured on.
func describeMachine(serverURL string) string {
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		for _, line := range strings.Split(string(b), "\n") {
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
	}
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("code: %s\nmachine: %d CPUs (%s), %s RAM, %s, %s; load average before the run %s; PostgreSQL %s",
		codeVersion(), runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, load, postgresVersion(serverURL))
}

// codeVersion names the commit measured and whether tracked files differ
// from it, as git tells (read only).
func codeVersion() string {
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (no git)"
	}
	changed, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	v := "commit " + strings.TrimSpace(string(rev))
	if n := len(strings.Fields(string(changed))) / 2; n > 0 {
		v += fmt.Sprintf(" with %d tracked files changed", n)
	}
	return v
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
