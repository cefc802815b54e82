package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"engage/config"
	"engage/database"
	"engage/server"
	"engage/session"
	"engage/usage"
)

// The server runs as a child process of the bench, so that its memory is
// its own: the child is this same program started with childCommand. It
// wires the API as server.go does (database.Open, ListenForChanges, the
// usage recorder flushing every 10 s, sessions, server.New, the same HTTP
// timeouts) on a 127.0.0.1 listener, and adds, beside /graphql:
//
//	/debug/pprof/  net/http/pprof
//	/bench/stats   SQL statements run so far, peak RSS and peak Go heap
//	/bench/reset   restarts the peaks (POST)
//
// It counts the statements its ent driver sends (database.StatementCounter),
// at no cost a server without the benchmark would not pay. It stops when its
// standard input closes.
const childCommand = "serve-child"

// serverStats is what /bench/stats answers.
type serverStats struct {
	Statements int64 // SQL statements sent so far
	PeakRSS    int64 // VmHWM since the last reset, in bytes
	PeakHeap   int64 // peak of Go heap in use + goroutine stacks since the last reset, sampled every 10 ms
}

// serveChild is the child's main.
func serveChild(args []string) int {
	fs := flag.NewFlagSet(childCommand, flag.ExitOnError)
	dbURL := fs.String("database-url", "", "database to serve")
	logPath := fs.String("log", os.DevNull, "server log file")
	_ = fs.Parse(args)
	config.TuneGC() // as serve does

	var statements database.StatementCounter
	db, err := database.OpenWrapped(*dbURL, statements.Wrap)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve-child:", err)
		return 1
	}
	defer db.Close()
	logFile, err := os.Create(*logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve-child:", err)
		return 1
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, nil)) // info, as served by default

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	if err := db.ListenForChanges(ctx, logger); err != nil {
		fmt.Fprintln(os.Stderr, "serve-child:", err)
		return 1
	}
	rec := usage.New(db.Ent, logger)
	go rec.Run(ctx, 10*time.Second)
	cfg := config.Default()
	cfg.DatabaseURL = *dbURL
	h := server.New(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: rec})

	var peakHeap atomic.Int64
	go sampleHeap(ctx, &peakHeap)
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(serverStats{Statements: statements.Count(), PeakRSS: procStatus("VmHWM"), PeakHeap: peakHeap.Load()})
	})
	mux.HandleFunc("POST /bench/reset", func(w http.ResponseWriter, _ *http.Request) {
		peakHeap.Store(0)
		// 5 resets the peak resident set size (VmHWM) to the current one.
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve-child:", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute} // server.go's, but long writes for profiles
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())
	<-ctx.Done()
	shutdown, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdown)
	return 0
}

// sampleHeap keeps in peak the largest Go heap in use plus goroutine stacks
// seen, every 10 ms, without stopping the world.
func sampleHeap(ctx context.Context, peak *atomic.Int64) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		metrics.Read(s)
		var total int64
		for _, v := range s {
			total += int64(v.Value.Uint64())
		}
		if total > peak.Load() {
			peak.Store(total)
		}
	}
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// serverProc is the running child.
type serverProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
	hc    *http.Client
}

// startServer starts the child on dbURL and waits until it answers.
func startServer(ctx context.Context, dbURL, outDir string) (*serverProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, childCommand, "-database-url", dbURL, "-log", outDir+"/server.log")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &serverProc{cmd: cmd, stdin: stdin, hc: &http.Client{}}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		s.stop()
		return nil, fmt.Errorf("the server did not start: %q %v", line, err)
	}
	s.addr = addr
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	log.Printf("server started as process %d on %s", cmd.Process.Pid, addr)
	return s, ctx.Err()
}

// stop closes the child's standard input, which makes it shut down, and
// kills it if it has not exited within 20 seconds.
func (s *serverProc) stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *serverProc) stats() (serverStats, error) {
	var st serverStats
	resp, err := s.hc.Get("http://" + s.addr + "/bench/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (s *serverProc) resetPeak() error {
	resp, err := s.hc.Post("http://"+s.addr+"/bench/reset", "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting the memory peak: status %d", resp.StatusCode)
	}
	return nil
}

// saveCPUProfile takes a CPU profile of the server for d and writes it to
// path.
func (s *serverProc) saveCPUProfile(ctx context.Context, d time.Duration, path string) error {
	secs := max(1, int(d.Seconds()))
	return s.save(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), path)
}

// saveHeapProfile writes the server's heap profile to path.
func (s *serverProc) saveHeapProfile(path string) {
	if err := s.save(context.Background(), "/debug/pprof/heap?gc=1", path); err != nil {
		log.Printf("heap profile: %v", err)
	}
}

func (s *serverProc) save(ctx context.Context, endpoint, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+endpoint, nil)
	if err != nil {
		return err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", endpoint, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// printProfileTop prints the top of a CPU profile with go tool pprof, when
// the go command is there (it is under go run).
func printProfileTop(path string, n int) {
	for _, sort := range []string{"-flat", "-cum"} {
		out, err := exec.Command("go", "tool", "pprof", "-top", sort, "-nodecount", strconv.Itoa(n), path).Output()
		if err != nil {
			log.Printf("go tool pprof %s: %v", path, err)
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		for _, l := range lines {
			if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
				continue
			}
			fmt.Println("   | " + l)
		}
	}
}
