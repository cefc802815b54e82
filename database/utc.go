package database

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"entgo.io/ent/dialect"
)

// utcDriver hands every time value to the database in UTC. SQLite stores
// times as text: it compares them as text too, and its driver cannot read
// back a time written with a fixed offset such as +05:00. One zone makes
// both right, whatever zone a client or the server's clock uses.
type utcDriver struct{ dialect.Driver }

func (d utcDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.Driver.Exec(ctx, query, utcArgs(args), v)
}

func (d utcDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.Driver.Query(ctx, query, utcArgs(args), v)
}

// ExecContext serves the ent client's ExecContext, for the few statements
// written as SQL (token usage counters), with times in UTC as above.
func (d utcDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	exec, ok := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, errors.New("the SQLite driver does not run SQL statements directly")
	}
	return exec.ExecContext(ctx, query, utcArgs(args).([]any)...)
}

func (d utcDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	return utcTx{tx}, err
}

// BeginTx keeps transaction options (ent uses them when it can).
func (d utcDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
	return utcTx{tx}, err
}

type utcTx struct{ dialect.Tx }

func (t utcTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.Tx.Exec(ctx, query, utcArgs(args), v)
}

func (t utcTx) Query(ctx context.Context, query string, args, v any) error {
	return t.Tx.Query(ctx, query, utcArgs(args), v)
}

// utcArgs returns args with every time in UTC.
func utcArgs(args any) any {
	list, ok := args.([]any)
	if !ok {
		return args
	}
	out := make([]any, len(list))
	for i, a := range list {
		switch t := a.(type) {
		case time.Time:
			out[i] = t.UTC()
		case *time.Time:
			if t != nil {
				out[i] = t.UTC()
			}
		default:
			out[i] = a
		}
	}
	return out
}
