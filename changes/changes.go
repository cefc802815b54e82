// Package changes tells every server instance, within a second, that data
// deciding who may do what has changed: users, teams, memberships, projects
// and API tokens. Caches of authenticated callers compare the Epoch they
// were filled at with the current one.
//
// A change made by this process moves the epoch when its transaction
// commits. On PostgreSQL, every change also sends a notification in its own
// transaction, which the database delivers to every instance, this one
// included, when it commits.
package changes

import (
	"context"
	"log/slog"
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
}

// New returns a feed for a database of the given dialect.
func New(d string) *Feed { return &Feed{dialect: d} }

// Epoch returns a number that changes whenever relevant data has changed.
func (f *Feed) Epoch() int64 { return f.epoch.Load() }

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

// Listen moves the epoch on every notification from other instances until
// ctx ends. It does nothing on SQLite, where one process serves.
func (f *Feed) Listen(ctx context.Context, dsn string, logger *slog.Logger) error {
	if f.dialect != dialect.Postgres {
		return nil
	}
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
