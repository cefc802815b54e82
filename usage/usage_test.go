package usage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"engage/database"
	"engage/ent"
	"engage/testdb"
	"engage/token"
)

// base is a fixed time with a whole second, so the tests control every
// fraction that follows it.
var base = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fixture is a migrated database with one user who owns some tokens.
type fixture struct {
	db     *database.DB
	userID string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Open(t)
	u, err := db.Ent.User.Create().SetEmail("owner@example.test").SetName("Owner").SetRole("ADMIN").Save(testdb.System())
	if err != nil {
		t.Fatalf("creating user: %v", err)
	}
	return &fixture{db: db, userID: u.ID}
}

// token creates a token and returns its ID.
func (f *fixture) token(t *testing.T, name string) string {
	t.Helper()
	secret := token.Generate()
	tok, err := f.db.Ent.APIToken.Create().SetName(name).SetPrefix(token.Display(secret)).
		SetSecretHash(token.Hash(secret)).SetOwnerID(f.userID).Save(testdb.System())
	if err != nil {
		t.Fatalf("creating token %s: %v", name, err)
	}
	return tok.ID
}

// usage is what the database holds for a token.
type usage struct {
	count  int64
	lastAt time.Time // zero when never used
	lastIP string
}

func (u usage) String() string {
	return fmt.Sprintf("{count %d, last %s from %q}", u.count, u.lastAt.UTC().Format(time.RFC3339Nano), u.lastIP)
}

func (f *fixture) usage(t *testing.T, id string) usage {
	t.Helper()
	tok, err := f.db.Ent.APIToken.Get(testdb.System(), id)
	if err != nil {
		t.Fatalf("reading token %s: %v", id, err)
	}
	u := usage{count: tok.UseCount}
	if tok.LastUsedAt != nil {
		u.lastAt = *tok.LastUsedAt
	}
	if tok.LastUsedIP != nil {
		u.lastIP = *tok.LastUsedIP
	}
	return u
}

func assertUsage(t *testing.T, f *fixture, id string, want usage) {
	t.Helper()
	got := f.usage(t, id)
	if got.count != want.count || !got.lastAt.Equal(want.lastAt) || got.lastIP != want.lastIP {
		t.Errorf("token %s usage = %v, want %v", id, got, want)
	}
}

// pendingCount is how many uses of id wait for a flush.
func (r *Recorder) pendingCount(id string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending[id].count
}

func (r *Recorder) pendingTokens() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// spyDriver counts the database calls made through it and can fail the
// statements that write usage.
type spyDriver struct {
	dialect.Driver
	calls atomic.Int64
	// beforeWrite, when set, runs before each statement that Flush runs
	// directly; an error from it fails the statement.
	beforeWrite func() error
}

func (d *spyDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.calls.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *spyDriver) Query(ctx context.Context, query string, args, v any) error {
	d.calls.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *spyDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	d.calls.Add(1)
	return d.Driver.Tx(ctx)
}

func (d *spyDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	d.calls.Add(1)
	if d.beforeWrite != nil {
		if err := d.beforeWrite(); err != nil {
			return nil, err
		}
	}
	return d.Driver.(*entsql.Driver).ExecContext(ctx, query, args...)
}

// spy returns a client over f's database whose calls the returned driver
// counts. It is not closed: the database is, when the test ends.
func (f *fixture) spy() (*ent.Client, *spyDriver) {
	drv := &spyDriver{Driver: entsql.OpenDB(f.db.Dialect, f.db.SQL)}
	return ent.NewClient(ent.Driver(drv)), drv
}

func TestConcurrentRecordThenFlush(t *testing.T) {
	f := newFixture(t)
	ids := []string{f.token(t, "A"), f.token(t, "B")}
	const goroutines, perGoroutine = 50, 200
	const n = goroutines * perGoroutine

	// Use k happens k*7919 mod n milliseconds after base: a permutation,
	// so the latest use is neither the first nor the last one recorded.
	// Odd goroutines give their times in another zone.
	zone := time.FixedZone("UTC+5", 5*60*60)
	at := func(g, i int) time.Time {
		k := g*perGoroutine + i
		t := base.Add(time.Duration(k*7919%n) * time.Millisecond)
		if g%2 == 1 {
			t = t.In(zone)
		}
		return t
	}
	ip := func(g, i int) string { return fmt.Sprintf("10.0.%d.%d", g, i) }
	want := map[string]usage{}
	for g := range goroutines {
		id := ids[g%len(ids)]
		for i := range perGoroutine {
			w := want[id]
			w.count++
			if a := at(g, i); a.After(w.lastAt) {
				w.lastAt, w.lastIP = a, ip(g, i)
			}
			want[id] = w
		}
	}

	r := New(f.db.Ent, nil)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				r.Record(ids[g%len(ids)], ip(g, i), at(g, i))
			}
		})
	}
	wg.Wait()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	for _, id := range ids {
		assertUsage(t, f, id, want[id])
	}
	if got := r.pendingTokens(); got != 0 {
		t.Errorf("after Flush, %d tokens pending, want 0", got)
	}

	// A second flush has nothing to add; later uses add to the count.
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("second Flush: %v", err)
	}
	later := want[ids[0]].lastAt.Add(time.Minute)
	r.Record(ids[0], "192.0.2.1", later)
	r.Record(ids[0], "192.0.2.2", later.Add(-time.Second))
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("third Flush: %v", err)
	}
	assertUsage(t, f, ids[0], usage{count: n/2 + 2, lastAt: later, lastIP: "192.0.2.1"})
	assertUsage(t, f, ids[1], want[ids[1]])
}

func TestRecordDoesNoIO(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	client, drv := f.spy()
	r := New(client, nil)

	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush with nothing pending: %v", err)
	}
	for i := range 1000 {
		r.Record(id, "192.0.2.1", base.Add(time.Duration(i)*time.Second))
	}
	if got := drv.calls.Load(); got != 0 {
		t.Fatalf("an empty Flush and 1000 Record calls made %d database calls, want 0", got)
	}
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if got := drv.calls.Load(); got == 0 {
		t.Errorf("Flush made no database calls (the spy does not see them?)")
	}
	assertUsage(t, f, id, usage{count: 1000, lastAt: base.Add(999 * time.Second), lastIP: "192.0.2.1"})
}

func TestFailedFlushKeepsUses(t *testing.T) {
	f := newFixture(t)
	ids := []string{f.token(t, "A"), f.token(t, "B")}

	// A Recorder on a database that has been closed: Record neither fails
	// nor blocks, since it does no I/O, and Flush fails.
	closed := testdb.Open(t)
	if err := closed.Close(); err != nil {
		t.Fatalf("closing database: %v", err)
	}
	r := New(closed.Ent, nil)
	for i := range 100 {
		r.Record(ids[i%2], fmt.Sprintf("192.0.2.%d", i), base.Add(time.Duration(i)*time.Millisecond))
	}
	err := r.Flush(context.Background())
	if err == nil {
		t.Fatal("Flush on a closed database = nil, want an error")
	}
	for _, id := range ids {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("Flush error %q does not name token %s", err, id)
		}
		if got := r.pendingCount(id); got != 50 {
			t.Errorf("after a failed Flush, %d uses of %s pending, want 50", got, id)
		}
	}
	// Failing again keeps them again, without double counting.
	if err := r.Flush(context.Background()); err == nil {
		t.Fatal("second Flush on a closed database = nil, want an error")
	}
	r.Record(ids[0], "192.0.2.200", base.Add(time.Hour))

	r.client = f.db.Ent
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush on a working database: %v", err)
	}
	assertUsage(t, f, ids[0], usage{count: 51, lastAt: base.Add(time.Hour), lastIP: "192.0.2.200"})
	assertUsage(t, f, ids[1], usage{count: 50, lastAt: base.Add(99 * time.Millisecond), lastIP: "192.0.2.99"})
}

// TestPutBackMergesUsesRecordedDuringFlush fails a flush while more uses
// arrive during it: the uses put back merge with them.
func TestPutBackMergesUsesRecordedDuringFlush(t *testing.T) {
	tests := []struct {
		name   string
		during time.Time // the time of the use recorded during the failed flush
		want   usage
	}{
		{"newer use during flush", base.Add(time.Hour), usage{count: 11, lastAt: base.Add(time.Hour), lastIP: "198.51.100.1"}},
		{"older use during flush", base.Add(-time.Hour), usage{count: 11, lastAt: base.Add(9 * time.Second), lastIP: "192.0.2.9"}},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := f.token(t, tt.name)
			client, drv := f.spy()
			r := New(client, nil)
			for i := range 10 {
				r.Record(id, fmt.Sprintf("192.0.2.%d", i), base.Add(time.Duration(i)*time.Second))
			}
			down := errors.New("database down")
			drv.beforeWrite = func() error {
				r.Record(id, "198.51.100.1", tt.during)
				return down
			}
			if err := r.Flush(context.Background()); !errors.Is(err, down) {
				t.Fatalf("Flush = %v, want %v", err, down)
			}
			if got := r.pendingCount(id); got != 11 {
				t.Fatalf("after the failed Flush, %d uses pending, want 11", got)
			}
			drv.beforeWrite = nil
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			assertUsage(t, f, id, tt.want)
		})
	}
}

func TestCancelledFlushKeepsUses(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	r := New(f.db.Ent, nil)
	r.Record(id, "192.0.2.1", base)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush with a cancelled context = %v, want context.Canceled", err)
	}
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	assertUsage(t, f, id, usage{count: 1, lastAt: base, lastIP: "192.0.2.1"})
}

func TestDeletedTokenIsDropped(t *testing.T) {
	f := newFixture(t)
	gone, kept := f.token(t, "gone"), f.token(t, "kept")
	client, drv := f.spy()
	r := New(client, nil)
	r.Record(gone, "192.0.2.1", base)
	r.Record(kept, "192.0.2.2", base)
	if err := f.db.Ent.APIToken.DeleteOneID(gone).Exec(testdb.System()); err != nil {
		t.Fatalf("deleting token: %v", err)
	}
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush with a deleted token = %v, want nil", err)
	}
	if got := r.pendingTokens(); got != 0 {
		t.Errorf("after Flush, %d tokens pending, want 0 (a deleted token is dropped)", got)
	}
	assertUsage(t, f, kept, usage{count: 1, lastAt: base, lastIP: "192.0.2.2"})
	// Nothing is retried.
	before := drv.calls.Load()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("second Flush: %v", err)
	}
	if got := drv.calls.Load() - before; got != 0 {
		t.Errorf("second Flush made %d database calls, want 0", got)
	}
}

// TestLastUsedAtNeverMovesBackwards flushes an older use after a newer one,
// both in one batch and in two. The times include the cases that text
// comparison in SQLite would get wrong if they were written carelessly: a
// whole second against a fraction, fractions of different lengths, and a
// zone whose local time reads later.
func TestLastUsedAtNeverMovesBackwards(t *testing.T) {
	plus5 := time.FixedZone("UTC+5", 5*60*60)
	tests := []struct {
		name         string
		newer, older time.Time
	}{
		{"a second apart", base.Add(2 * time.Second), base.Add(time.Second)},
		{"whole second and fraction", base.Add(time.Second), base.Add(999999 * time.Microsecond)},
		{"short and long fraction", base.Add(500 * time.Millisecond), base.Add(250 * time.Millisecond)},
		{"long and short fraction", base.Add(250 * time.Millisecond), base.Add(200 * time.Millisecond)},
		{"a microsecond apart", base.Add(time.Microsecond), base},
		{"older in a later-reading zone", base.Add(time.Hour), base.Add(30 * time.Minute).In(plus5)},
		{"newer in a zone", base.Add(time.Hour).In(plus5), base.Add(30 * time.Minute)},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := usage{count: 2, lastAt: tt.newer, lastIP: "198.51.100.1"}

			id := f.token(t, tt.name+" one batch")
			r := New(f.db.Ent, nil)
			r.Record(id, "198.51.100.1", tt.newer)
			r.Record(id, "192.0.2.1", tt.older)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			assertUsage(t, f, id, want)

			id = f.token(t, tt.name+" two batches")
			r.Record(id, "198.51.100.1", tt.newer)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			r.Record(id, "192.0.2.1", tt.older)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			assertUsage(t, f, id, want)

			// And forwards it does move.
			id = f.token(t, tt.name+" forwards")
			r.Record(id, "192.0.2.1", tt.older)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			r.Record(id, "198.51.100.1", tt.newer)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			assertUsage(t, f, id, want)
		})
	}
}

func TestLongIPIsClipped(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	r := New(f.db.Ent, nil)
	long := strings.Repeat("f", 100)
	r.Record(id, long, base)
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush with a %d-character IP: %v", len(long), err)
	}
	assertUsage(t, f, id, usage{count: 1, lastAt: base, lastIP: long[:64]})
}

// runUntilCancelled starts Run and returns a function that cancels it and
// waits for it to return.
func runUntilCancelled(t *testing.T, r *Recorder, every time.Duration) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, every)
	}()
	return func() {
		t.Helper()
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second): // deadlock guard only
			t.Fatal("Run did not return after its context was cancelled")
		}
	}
}

func TestRunFlushesAtShutdown(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	r := New(f.db.Ent, nil)
	// An interval that never passes during the test: only the final flush
	// can write.
	stop := runUntilCancelled(t, r, time.Hour)
	for i := range 10 {
		r.Record(id, "192.0.2.1", base.Add(time.Duration(i)*time.Second))
	}
	stop()
	assertUsage(t, f, id, usage{count: 10, lastAt: base.Add(9 * time.Second), lastIP: "192.0.2.1"})
}

func TestRunFlushesPeriodically(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	r := New(f.db.Ent, nil)
	stop := runUntilCancelled(t, r, 10*time.Millisecond)
	r.Record(id, "192.0.2.1", base)
	r.Record(id, "192.0.2.2", base.Add(time.Second))
	// Wait for a periodic flush, bounded as a deadlock guard only.
	for deadline := time.Now().Add(30 * time.Second); f.usage(t, id).count != 2; {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("no periodic flush: usage = %v", f.usage(t, id))
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Record(id, "192.0.2.3", base.Add(2*time.Second))
	stop()
	assertUsage(t, f, id, usage{count: 3, lastAt: base.Add(2 * time.Second), lastIP: "192.0.2.3"})
}

// TestFlushLeavesUpdatedAt checks that writing usage does not touch
// updated_at, which says when the token itself was last changed (renamed,
// rotated, revoked), nor the change epoch that empties token caches.
func TestFlushLeavesUpdatedAt(t *testing.T) {
	f := newFixture(t)
	id := f.token(t, "A")
	before := f.db.Ent.APIToken.GetX(testdb.System(), id).UpdatedAt
	epoch := f.db.Changes.Epoch(t.Context())
	r := New(f.db.Ent, nil)
	r.Record(id, "192.0.2.1", time.Now().Add(time.Minute))
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	tok := f.db.Ent.APIToken.GetX(testdb.System(), id)
	if tok.UseCount != 1 || tok.LastUsedAt == nil {
		t.Fatalf("usage not written: count %d, last used %v", tok.UseCount, tok.LastUsedAt)
	}
	if !tok.UpdatedAt.Equal(before) {
		t.Errorf("updated_at moved from %v to %v", before, tok.UpdatedAt)
	}
	if got := f.db.Changes.Epoch(t.Context()); got != epoch {
		t.Errorf("the change epoch moved from %d to %d", epoch, got)
	}
}
