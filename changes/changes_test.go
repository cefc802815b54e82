package changes_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/testdb"
)

// openWatched opens a fresh SQLite database with its feed watching the file,
// and a second pool on the same file, which writes as another process would
// (to a table scratch of its own).
func openWatched(t *testing.T) (watched, other *database.DB) {
	t.Helper()
	if testdb.Dialect() != dialect.SQLite {
		t.Skip("PRAGMA data_version is SQLite's; on PostgreSQL notifications carry changes (see api's cache tests)")
	}
	url := testdb.URL(t)
	for _, db := range []**database.DB{&watched, &other} {
		var err error
		if *db, err = database.Open(url); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*db).Close() })
	}
	if err := watched.Migrate(); err != nil {
		t.Fatal(err)
	}
	if _, err := other.SQL.Exec("CREATE TABLE scratch (x)"); err != nil {
		t.Fatal(err)
	}
	if err := watched.Changes.Watch(t.Context(), watched.SQL); err != nil {
		t.Fatalf("Watch: %v", err)
	}
	return watched, other
}

// TestWatchSeesCommitsOfOtherConnections: the epoch stays while nothing is
// committed, ignores a transaction still open, and moves once a commit of
// another connection, of this pool or another, has happened.
func TestWatchSeesCommitsOfOtherConnections(t *testing.T) {
	db, other := openWatched(t)
	ctx := t.Context()
	e := db.Changes.Epoch(ctx)
	if got := db.Changes.Epoch(ctx); got != e {
		t.Fatalf("with nothing committed the epoch moved from %d to %d", e, got)
	}

	tx, err := other.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO scratch VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if got := db.Changes.Epoch(ctx); got != e {
		t.Errorf("with a write not yet committed the epoch moved from %d to %d", e, got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := db.Changes.Epoch(ctx); got == e {
		t.Errorf("after another process's commit the epoch stayed %d, want it moved", e)
	}

	// A raw write on the watched pool itself, which no hook sees.
	e = db.Changes.Epoch(ctx)
	if _, err := db.SQL.ExecContext(ctx, "UPDATE scratch SET x = 2"); err != nil {
		t.Fatal(err)
	}
	if got := db.Changes.Epoch(ctx); got == e {
		t.Errorf("after a commit on the watched pool the epoch stayed %d, want it moved", e)
	}
}

// TestWatchUnderConcurrentCalls: every call that begins after a commit
// returns a moved epoch, however many calls share one query.
func TestWatchUnderConcurrentCalls(t *testing.T) {
	db, other := openWatched(t)
	ctx := t.Context()
	for round := range 20 {
		e := db.Changes.Epoch(ctx)
		if _, err := other.SQL.ExecContext(ctx, "INSERT INTO scratch VALUES (?)", round); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if got := db.Changes.Epoch(ctx); got == e {
					t.Errorf("round %d: a call begun after a commit got the epoch of before it, %d", round, e)
				}
			})
		}
		wg.Wait()
	}
}

// TestWatchStopped: once the watch's context has ended, nothing says the
// cache is current, so every call moves the epoch.
func TestWatchStopped(t *testing.T) {
	db, _ := openWatched(t)
	ctx, cancel := context.WithCancel(t.Context())
	if err := db.Changes.Watch(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	cancel()
	// The stop runs on a goroutine of its own; the deadline guards against a hang only.
	for deadline := time.Now().Add(10 * time.Second); ; {
		e := db.Changes.Epoch(t.Context())
		if db.Changes.Epoch(t.Context()) != e {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after the watch's context ended, the epoch stayed put across calls")
		}
	}
}

// BenchmarkEpoch times what a watched feed adds to each authenticated
// request on SQLite: one PRAGMA data_version on the watch's connection.
func BenchmarkEpoch(b *testing.B) {
	if testdb.Dialect() != dialect.SQLite {
		b.Skip("the watch is SQLite's")
	}
	db, err := database.Open(testdb.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Changes.Watch(b.Context(), db.SQL); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			db.Changes.Epoch(b.Context())
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				db.Changes.Epoch(context.Background())
			}
		})
	})
}
