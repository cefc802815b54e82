package export_test

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/ent/auditevent"
	"engage/testdb"
)

// pageHook, when set, runs before each query of an export's transaction
// that reads a page of responses; an error it returns fails the query.
type pageHook struct {
	hook atomic.Pointer[func() error]
	// queries counts the queries of exports' transactions.
	queries atomic.Int64
}

// wrap wraps a driver so that h sees the page queries of exports (which
// read in a transaction of their own, BeginTx).
func (h *pageHook) wrap(d dialect.Driver) dialect.Driver { return hookedDriver{d, h} }

type hookedDriver struct {
	dialect.Driver
	h *pageHook
}

func (d hookedDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
	return hookedTx{tx, d.h}, err
}

// ExecContext serves the ent client's ExecContext, which changes.Feed's
// hook uses on PostgreSQL.
func (d hookedDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, query, args...)
}

type hookedTx struct {
	dialect.Tx
	h *pageHook
}

func (t hookedTx) Query(ctx context.Context, query string, args, v any) error {
	t.h.queries.Add(1)
	if hook := t.h.hook.Load(); hook != nil && strings.Contains(query, "responses") && strings.Contains(query, "LIMIT") {
		if err := (*hook)(); err != nil {
			return err
		}
	}
	return t.Tx.Query(ctx, query, args, v)
}

// failPage makes the nth page query from now on fail as a lost connection.
func (h *pageHook) failPage(n int) {
	var seen atomic.Int32
	hook := func() error {
		if int(seen.Add(1)) == n {
			return driver.ErrBadConn
		}
		return nil
	}
	h.hook.Store(&hook)
}

// TestFailuresWhileStreaming checks how an export that fails after its
// first rows were sent ends, so that its client can tell: CSV and GeoJSON
// cut the connection before the end of the chunked body, NDJSON ends with
// an {"errors": [...]} line, XLSX (sent only once complete) answers with an
// error status; and one that fails before its first byte answers with an
// error status. Each export that ran is audited, as incomplete.
func TestFailuresWhileStreaming(t *testing.T) {
	var hook pageHook
	s := newServerWith(t, hook.wrap, true)
	admin := s.Admin()
	b := newBulkSurvey(s)
	b.insert(t, s.DB, 1500) // two pages
	srv := httptest.NewServer(s.Handler)
	defer srv.Close()
	get := func(ext string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+b.path(ext), nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", ext, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	t.Run("CSV cut short", func(t *testing.T) {
		hook.failPage(2)
		resp, body, err := get("csv")
		if resp.StatusCode != http.StatusOK || err == nil {
			t.Errorf("got status %d and read error %v; want 200 and an incomplete body", resp.StatusCode, err)
		}
		if lines := strings.Count(string(body), "\n"); lines != 1001 {
			t.Errorf("got %d lines before the cut, want the header and the first page of 1000", lines)
		}
	})
	t.Run("NDJSON ends with an error line", func(t *testing.T) {
		hook.failPage(2)
		resp, body, err := get("ndjson")
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("got status %d and read error %v; want 200 and a whole body", resp.StatusCode, err)
		}
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		var last struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if len(lines) != 1001 || json.Unmarshal([]byte(lines[1000]), &last) != nil || len(last.Errors) != 1 || last.Errors[0].Extensions.Code != "SERVICE_UNAVAILABLE" {
			t.Errorf("got %d lines ending with %s; want 1000 responses and an error line with SERVICE_UNAVAILABLE", len(lines), lines[len(lines)-1])
		}
	})
	t.Run("XLSX answers with an error status", func(t *testing.T) {
		hook.failPage(2)
		resp, body, _ := get("xlsx")
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"SERVICE_UNAVAILABLE"`) {
			t.Errorf("got %d (Retry-After %q) %.200s; want 503 SERVICE_UNAVAILABLE with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	})
	t.Run("CSV that fails before its first byte", func(t *testing.T) {
		hook.failPage(1)
		resp, body, _ := get("csv")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"SERVICE_UNAVAILABLE"`) {
			t.Errorf("got %d %.200s; want 503 SERVICE_UNAVAILABLE", resp.StatusCode, body)
		}
	})
	hook.hook.Store(nil)

	events := s.DB.Ent.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionDATA_EXPORTED)).AllX(testdb.System())
	var summary []string
	for _, e := range events {
		summary = append(summary, e.Details["format"].(string)+" "+jsonOf(e.Details["rows"])+" "+jsonOf(e.Details["complete"]))
	}
	if want := "csv 1000 false,ndjson 1000 false,xlsx 1000 false,csv 0 false"; strings.Join(summary, ",") != want {
		t.Errorf("audit events: got %q, want %q", summary, want)
	}
	if logs := s.Logs.String(); strings.Count(logs, "export failed") != 4 || strings.Contains(logs, admin) {
		t.Errorf("want 4 lines of failed exports and no secret in the log:\n%s", logs)
	}
}

// TestConcurrentExportsAreBounded checks that at most 4 exports run at once:
// each holds a connection and a transaction while it streams, and the
// others are refused at once with 503 TOO_MANY_EXPORTS and Retry-After.
func TestConcurrentExportsAreBounded(t *testing.T) {
	var hook pageHook
	s := newServerWith(t, hook.wrap, false)
	admin := s.Admin()
	b := newBulkSurvey(s)
	b.insert(t, s.DB, 10)
	arrived, release := make(chan struct{}), make(chan struct{})
	wait := func() error {
		arrived <- struct{}{}
		<-release
		return nil
	}
	hook.hook.Store(&wait)

	var done sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		done.Go(func() { statuses[i] = s.get(admin, b.path("csv"), nil).Status })
		<-arrived // the export holds its slot, reading its first page
	}
	resp := s.get(admin, b.path("ndjson"), nil)
	if code := errorCode(t, resp); resp.Status != http.StatusServiceUnavailable || code != "TOO_MANY_EXPORTS" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a fifth export: got %d %s (Retry-After %q), want 503 TOO_MANY_EXPORTS with Retry-After", resp.Status, code, resp.Header.Get("Retry-After"))
	}
	close(release)
	done.Wait()
	hook.hook.Store(nil)
	for i, status := range statuses {
		if status != http.StatusOK {
			t.Errorf("export %d: got status %d, want 200", i, status)
		}
	}
	s.export(admin, b.path("ndjson"), nil) // the slots are free again
}

// deadlineWriter records what an export asks of the connection's writer
// through http.ResponseController.
type deadlineWriter struct {
	*httptest.ResponseRecorder
	deadlines, flushes int
}

func (w *deadlineWriter) SetWriteDeadline(time.Time) error { w.deadlines++; return nil }
func (w *deadlineWriter) Flush()                           { w.flushes++ }

// TestPagesReachTheConnection checks that, through every layer of the API's
// handler, an export flushes each page and moves the write deadline on: an
// export may outlast the server's write timeout, each page and write may
// not.
func TestPagesReachTheConnection(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	b := newBulkSurvey(s)
	b.insert(t, s.DB, 1500)
	w := &deadlineWriter{ResponseRecorder: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodGet, b.path("csv"), nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	s.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.deadlines < 2 || w.flushes != 2 {
		t.Errorf("got status %d, %d write deadlines and %d flushes; want 200, a deadline for each page and write, a flush for each page (2)", w.Code, w.deadlines, w.flushes)
	}
	lines := bufio.NewScanner(w.Body)
	n := 0
	for lines.Scan() {
		n++
	}
	if n != 1501 {
		t.Errorf("got %d lines, want a header and 1500 rows", n)
	}
}
