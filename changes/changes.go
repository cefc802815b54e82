// Package changes tells every server instance that data deciding who may
// do what has changed: users, teams, memberships, projects and API tokens.
// Caches of authenticated callers compare the Epoch they were filled at
// with the current one.
//
// A change made by this process moves the epoch when its transaction
// commits. Changes made by other processes reach it by what Listen (on
// PostgreSQL) or Watch (on SQLite) sets up:
//
//   - On PostgreSQL, every change also sends a notification in its own
//     transaction, which the database delivers to every instance, this one
//     included, when it commits.
//   - On SQLite, Epoch asks the database file, on a connection of its own,
//     whether any other connection has committed since it last asked (PRAGMA
//     data_version), and moves the epoch when one has. A change committed
//     before a call began, by any process, is seen by that call. Any commit
//     counts, relevant or not (the file cannot say which tables changed), so
//     on SQLite every write empties the caches.
package changes

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	gen "engage/ent"
	"engage/ent/apitoken"
)

// channel is the PostgreSQL notification channel.
const channel = "engage_authz"

// Feed holds the current epoch.
type Feed struct {
	epoch   atomic.Int64
	dialect string
	watch   atomic.Pointer[watch] // set by Watch
}

// New returns a feed for a database of the given dialect.
func New(d string) *Feed { return &Feed{dialect: d} }

// Epoch returns a number that changes whenever relevant data has changed.
// After Watch, it first asks SQLite whether another connection committed.
func (f *Feed) Epoch(ctx context.Context) int64 {
	if w := f.watch.Load(); w != nil {
		w.check(ctx, f.bump)
	}
	return f.epoch.Load()
}

func (f *Feed) bump() { f.epoch.Add(1) }

// Hook moves the epoch after each committed change of a user, team,
// membership, project or token, and on PostgreSQL notifies other instances.
// Register it with client.Use.
func (f *Feed) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil || !relevant(m) {
				return v, err
			}
			if f.dialect == dialect.Postgres {
				client := m.(interface{ Client() *gen.Client }).Client()
				if _, err := client.ExecContext(ctx, "SELECT pg_notify($1, '')", channel); err != nil {
					return nil, err
				}
			}
			if tx := gen.TxFromContext(ctx); tx != nil {
				// Not before the commit: a request in between would read the
				// old data and cache it as current.
				tx.OnCommit(func(next gen.Committer) gen.Committer {
					return gen.CommitFunc(func(ctx context.Context, tx *gen.Tx) error {
						err := next.Commit(ctx, tx)
						if err == nil {
							f.bump()
						}
						return err
					})
				})
			} else {
				f.bump()
			}
			return v, nil
		})
	}
}

// relevant reports whether m can change what a caller may do. Usage
// counters of tokens (written every few seconds) cannot.
func relevant(m ent.Mutation) bool {
	switch m.Type() {
	case gen.TypeUser, gen.TypeTeam, gen.TypeTeamMembership, gen.TypeProjectMembership, gen.TypeProject:
		return true
	case gen.TypeAPIToken:
		for _, field := range m.Fields() {
			switch field {
			case apitoken.FieldUseCount, apitoken.FieldLastUsedAt, apitoken.FieldLastUsedIP, apitoken.FieldUpdatedAt:
			default:
				return true
			}
		}
		return m.Op().Is(ent.OpDelete | ent.OpDeleteOne)
	}
	return false
}

// Listen moves the epoch on every notification from other PostgreSQL
// instances until ctx ends.
func (f *Feed) Listen(ctx context.Context, dsn string, logger *slog.Logger) error {
	l := pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventReconnected || ev == pq.ListenerEventConnectionAttemptFailed {
			f.bump() // notifications may have been missed
		}
		if err != nil {
			logger.Warn("change notifications interrupted", "error", err)
		}
	})
	if err := l.Listen(channel); err != nil {
		l.Close()
		return err
	}
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-l.NotificationChannel():
				f.bump() // nil after a reconnect; bumping is right either way
			case <-time.After(90 * time.Second):
				go l.Ping() // detect a dead connection
			}
		}
	}()
	return nil
}

// Watch makes Epoch notice what other connections to a SQLite database
// commit, from other processes (such as engage token revoke) as from this
// one, until ctx ends. It holds one connection of pool for that.
func (f *Feed) Watch(ctx context.Context, pool *sql.DB) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	w := &watch{pool: pool, conn: conn}
	if w.version, err = dataVersion(ctx, conn); err != nil {
		conn.Close()
		return err
	}
	f.watch.Store(w)
	context.AfterFunc(ctx, w.stop)
	return nil
}

// watch asks PRAGMA data_version on one connection of its own: SQLite
// changes the number it answers whenever another connection, of any
// process, has committed to the file since this connection last asked.
type watch struct {
	pool  *sql.DB
	begun atomic.Uint64 // checks begun so far

	mu      sync.Mutex
	conn    *sql.Conn // nil after a failed query, until the next check
	version int64     // data_version last read on conn
	stopped bool
}

// check calls bump when another connection may have committed since the
// last check.
func (w *watch) check(ctx context.Context, bump func()) {
	arrived := w.begun.Load()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.begun.Load() != arrived {
		// A check began after this call did and has ended: it saw every
		// commit this call could, so concurrent requests share one query.
		return
	}
	w.begun.Add(1)
	if w.changed(ctx) {
		bump()
	}
}

// changed reports whether data_version moved. When it cannot tell (the
// watch stopped; the query failed, on a busy or broken connection) it says
// yes: emptying the caches costs the next requests a few queries, trusting
// them could let a revoked token through, and failing the request would
// refuse a valid one. A failed connection is replaced at the next check,
// whose first reading, on a new connection, again counts as a change.
func (w *watch) changed(ctx context.Context) bool {
	if w.stopped {
		return true
	}
	// Not cancelled with the request: a client that hangs up must not cost
	// the connection and everyone's cached callers.
	ctx = context.WithoutCancel(ctx)
	fresh := w.conn == nil
	if fresh {
		conn, err := w.pool.Conn(ctx)
		if err != nil {
			return true
		}
		w.conn = conn
	}
	v, err := dataVersion(ctx, w.conn)
	if err != nil {
		w.conn.Close()
		w.conn = nil
		return true
	}
	moved := fresh || v != w.version
	w.version = v
	return moved
}

// stop gives the connection back, once the watch's context has ended.
func (w *watch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// dataVersion asks conn for SQLite's data_version.
func dataVersion(ctx context.Context, conn *sql.Conn) (v int64, err error) {
	err = conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}
