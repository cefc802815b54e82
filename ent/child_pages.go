package ent

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// Nested connections (projects → surveys → responses) are loaded for all
// the parents of a level at once. entgql limits each parent's page with a
// window function over every child of those parents, which reads and sorts
// them all: 10,000 responses for a page of 100 surveys, 210,000 at a million
// responses. On PostgreSQL, limitPerParent reads each parent's page through
// a LATERAL join instead, first+1 rows per parent from a (parent, id)
// index, so a level costs what its pages hold, not what the parents hold.
//
// entc.go makes entgql's collection template call limitPerParent where it
// called entgql.LimitPerRow; ent/template/child_pages.tmpl hands it the
// parents' IDs through the context of the loads.

type pageParentsKey struct{}

// maxLateralParents bounds the parents of one LATERAL read: it binds each
// parent's ID twice (VALUES and the loader's IN list), and PostgreSQL takes
// at most 65,535 parameters. Default limits stay far below it; a larger
// level keeps the window function.
const maxLateralParents = 30000

// withPageParents returns ctx carrying the IDs of the nodes whose
// connections are about to be loaded.
func withPageParents(ctx context.Context, ids []any) context.Context {
	return context.WithValue(ctx, pageParentsKey{}, ids)
}

// limitPerParent keeps the first limit children of each parent, by orderBy,
// where column holds the parent's ID.
func limitPerParent(column string, limit int, orderBy ...sql.Querier) func(*sql.Selector) {
	window := entgql.LimitPerRow(column, limit, orderBy...)
	return func(s *sql.Selector) {
		parents, _ := s.Context().Value(pageParentsKey{}).([]any)
		// SQLite has no LATERAL join, and a many-to-many edge reads its
		// parents from a joined table: both keep the window function.
		if s.Dialect() != dialect.Postgres || s.HasJoins() || len(parents) == 0 || len(parents) > maxLateralParents {
			window(s)
			return
		}
		table, columns := s.TableName(), s.UnqualifiedColumns()
		// The page keeps every condition of the query (privacy, filters,
		// the parents' IDs), so parents only say where to look.
		page := s.Clone().
			Where(sql.ColumnsEQ(s.C(column), `"parent"."id"`)).
			OrderExpr(orderBy...).
			Limit(limit)
		from := sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("(VALUES ")
			for i, id := range parents {
				if i > 0 {
					b.Comma()
				}
				b.Wrap(func(b *sql.Builder) { b.Arg(id) })
			}
			b.WriteString(`) AS "parent"("id") CROSS JOIN LATERAL `)
			b.Wrap(func(b *sql.Builder) { b.Join(page) })
			b.WriteString(" AS ").Ident(table)
		})
		// Rows come parent by parent, each parent's in page order: a
		// LATERAL join is a nested loop. The loader needs no more.
		*s = *sql.Dialect(s.Dialect()).Select(sql.Table(table).Columns(columns...)...).FromExpr(from)
	}
}
