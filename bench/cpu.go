package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The machine the bench runs on may be shared, and throughput then depends
// on what else runs. CPU time per request does much less: cpuMeter reads,
// from /proc, the CPU time used during a run by the API server, by the
// PostgreSQL backends connected to the bench database, by this process
// (the load generator, or the floor), and by the whole machine.

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux).
const clockTicks = 100

// cpuMeter finds the processes to measure.
type cpuMeter struct {
	monitor   *sql.DB // connected to another database than the bench's, so not counted
	dbName    string
	serverPID int // 0 when no server runs
}

// cpuSnapshot is the CPU time used so far, in ticks.
type cpuSnapshot struct {
	at                 time.Time
	server, self       int64
	postgres           map[int]int64 // by backend PID
	machineBusy, total int64         // from /proc/stat, all CPUs
}

// cpuUse is what a run used, in seconds of CPU.
type cpuUse struct {
	server, self, postgres, machine float64
	wall                            time.Duration
}

func newCPUMeter(serverURL, dbName string) (*cpuMeter, error) {
	db, err := sql.Open("postgres", serverURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &cpuMeter{monitor: db, dbName: dbName}, nil
}

func (m *cpuMeter) close() { m.monitor.Close() }

func (m *cpuMeter) snapshot(ctx context.Context) cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), self: procTicks(os.Getpid()), postgres: map[int]int64{}}
	if m.serverPID != 0 {
		s.server = procTicks(m.serverPID)
	}
	rows, err := m.monitor.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, m.dbName)
	if err == nil {
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				s.postgres[pid] = procTicks(pid)
			}
		}
		rows.Close()
	}
	s.machineBusy, s.total = machineTicks()
	return s
}

// since returns what was used from before to s. A backend that started
// during the run counts whole; one that ended is lost (the pools keep
// their connections, so that is rare).
func (s cpuSnapshot) since(before cpuSnapshot) cpuUse {
	u := cpuUse{
		server:  float64(s.server-before.server) / clockTicks,
		self:    float64(s.self-before.self) / clockTicks,
		machine: float64(s.machineBusy-before.machineBusy) / clockTicks,
		wall:    s.at.Sub(before.at),
	}
	for pid, t := range s.postgres {
		u.postgres += float64(t-before.postgres[pid]) / clockTicks
	}
	return u
}

// perRequest says the use per request and what the rest of the machine used.
func (u cpuUse) perRequest(n int, selfName string) string {
	per := func(sec float64) string { return fmt.Sprintf("%.2f ms", 1000*sec/float64(max(1, n))) }
	parts := []string{}
	if u.server > 0 {
		parts = append(parts, "server "+per(u.server))
	}
	parts = append(parts, "PostgreSQL "+per(u.postgres), selfName+" "+per(u.self))
	others := u.machine - u.server - u.self - u.postgres
	return fmt.Sprintf("CPU per request: %s; other processes used %.2f of %d CPUs during the run",
		strings.Join(parts, ", "), max(0, others)/u.wall.Seconds(), runtime.NumCPU())
}

// procTicks is the user plus system CPU time of a process, in ticks.
func procTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: fields follow it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// machineTicks is the busy and total CPU time of the machine, in ticks.
func machineTicks() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	// user nice system idle iowait irq softirq steal guest guest_nice; the
	// guest times are already in user and nice.
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i < 8 {
			total += v
		}
		if i < 8 && i != 3 && i != 4 {
			busy += v
		}
	}
	return busy, total
}
