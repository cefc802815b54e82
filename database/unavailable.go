package database

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable reports whether err means that the database cannot serve
// right now, rather than that the request or the code is wrong: the
// connection was refused or lost, the server is shutting down, starting up
// or refuses new sessions, or a SQLite file stayed locked beyond the busy
// timeout. The same request may succeed a little later, so callers answer
// such errors with 503 and Retry-After.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// A FATAL error ends or refuses the session itself (such as
		// "database is not currently accepting connections"); class 08 is
		// a connection failure, 57P0x an administrator's shutdown or a
		// crash, 53300 too many connections.
		switch code := pqErr.Code; {
		case pqErr.Fatal(), code.Class() == "08", code == "57P01", code == "57P02", code == "57P03", code == "53300":
			return true
		}
		return false
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code() & 0xff // the primary code, without the extended bits
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	var netErr net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}
