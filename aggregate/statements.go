package aggregate

import (
	"errors"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"engage/ent"
)

// statement is the ent aggregate function that replaces a query of rows by
// the statement that build makes of it, which may group, join or nest
// them. ent calls aggregate functions last, on the query it has filtered by
// the privacy policy and every predicate: build receives those rows, and
// the statement can read nothing else. The columns of build's statement
// are the result's. (build names the columns of rows as it runs: once it
// returns, the rows are renamed.)
func statement(build func(rows *sql.Selector) *sql.Selector) ent.AggregateFunc {
	return func(s *sql.Selector) string {
		result := build(s.Clone()).As("result")
		*s = *sql.Dialect(s.Dialect()).Select().From(result)
		return "*"
	}
}

// nested is a statement on the rows of inner, named as, and the function
// that names their columns.
func nested(inner *sql.Selector, as string) (*sql.Selector, func(string) string) {
	outer := sql.Dialect(inner.Dialect()).Select().From(inner.As(as))
	return outer, func(c string) string { return column(outer, as, c) }
}

// column names column c of table (or alias) t in a statement written as s.
func column(s *sql.Selector, t, c string) string {
	return sql.Dialect(s.Dialect()).Table(t).C(c)
}

// emptyWhere is the error of a where input with no condition, which, as a
// connection's where, filters nothing.
func emptyWhere(err error) bool {
	return errors.Is(err, ent.ErrEmptyResponseWhereInput)
}

// isPostgres reports whether s is written for PostgreSQL (else SQLite).
func isPostgres(s *sql.Selector) bool { return s.Dialect() == dialect.Postgres }
