package database

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// StatementCounter counts the SQL statements sent through the ent drivers it
// wraps, in transactions too, and shows each to Before first when that is
// set. The benchmark's server counts its statements so; tests count, hold or
// read the statements of a request. Wrapping the driver costs an atomic
// addition per statement, where ent's debug driver would format every
// statement with its arguments.
type StatementCounter struct {
	// Before, when set, is called with each statement and its arguments
	// before the statement is sent. Set it before the first statement.
	Before func(query string, args any)
	n      atomic.Int64
}

// Wrap returns d with its statements counted; pass it to OpenWrapped.
func (c *StatementCounter) Wrap(d dialect.Driver) dialect.Driver {
	return countingDriver{d, c}
}

// Count returns how many statements have been sent so far.
func (c *StatementCounter) Count() int64 {
	return c.n.Load()
}

func (c *StatementCounter) sent(query string, args any) {
	c.n.Add(1)
	if c.Before != nil {
		c.Before(query, args)
	}
}

// execer is the ent client's ExecContext, which the usage counters and the
// change feed's notifications use.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// countingDriver counts what goes through an ent driver and forwards
// everything.
type countingDriver struct {
	dialect.Driver
	c *StatementCounter
}

func (d countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.sent(query, args)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.sent(query, args)
	return d.Driver.Query(ctx, query, args, v)
}

func (d countingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	exec, ok := d.Driver.(execer)
	if !ok {
		return nil, errors.New("the driver does not run SQL statements directly")
	}
	d.c.sent(query, args)
	return exec.ExecContext(ctx, query, args...)
}

func (d countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	return countingTx{tx, d.c}, err
}

// BeginTx keeps transaction options (ent uses them when it can).
func (d countingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	begin, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, errors.New("the driver does not take transaction options")
	}
	tx, err := begin.BeginTx(ctx, opts)
	return countingTx{tx, d.c}, err
}

type countingTx struct {
	dialect.Tx
	c *StatementCounter
}

func (t countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.sent(query, args)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.sent(query, args)
	return t.Tx.Query(ctx, query, args, v)
}

// ExecContext serves a transaction's notifications on PostgreSQL.
func (t countingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	exec, ok := t.Tx.(execer)
	if !ok {
		return nil, errors.New("the transaction does not run SQL statements directly")
	}
	t.c.sent(query, args)
	return exec.ExecContext(ctx, query, args...)
}
