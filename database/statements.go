package database

import (
	"context"
	"database/sql/driver"

	lru "github.com/hashicorp/golang-lru/v2"
)

// statementsPerConnection bounds the prepared statements each PostgreSQL
// connection keeps. A request's statements differ only in the number of IDs
// in their lists, so a few dozen texts cover the hot queries; the least
// recently used is closed when a new one needs room.
const statementsPerConnection = 64

// preparingConnector hands out PostgreSQL connections that prepare each
// query with arguments once and run it again by name. lib/pq otherwise sends
// every such query as an unnamed statement: PostgreSQL parses and plans it
// anew, in two round trips. A prepared one takes a single round trip, and
// after five runs PostgreSQL keeps a generic plan when it costs no more.
type preparingConnector struct{ driver.Connector }

func (c preparingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	stmts, err := lru.NewWithEvict(statementsPerConnection, func(_ string, st driver.Stmt) { _ = st.Close() })
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &preparingConn{pqConn: conn.(pqConn), stmts: stmts}, nil
}

// pqConn is what lib/pq's connection implements and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// preparingConn is one connection with its prepared statements. database/sql
// lends a connection to one goroutine at a time and keeps it until the rows
// of its query are closed, so the cache needs no lock of its own and never
// closes a statement whose rows are being read.
type preparingConn struct {
	pqConn
	stmts *lru.Cache[string, driver.Stmt]
}

func (c *preparingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		// Without arguments lib/pq uses the simple protocol: one round trip.
		return c.pqConn.QueryContext(ctx, query, args)
	}
	st, ok := c.stmts.Get(query)
	if !ok {
		var err error
		if st, err = c.pqConn.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.stmts.Add(query, st)
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		// Prepare it again next time: the statement may be what failed,
		// for one because the table it reads has changed.
		c.stmts.Remove(query)
	}
	return rows, err
}
