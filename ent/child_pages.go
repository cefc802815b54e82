package ent

import (
	"context"
	"database/sql/driver"
	"slices"

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
//
// The same context tells privacy rules which queries are those loads
// (ParentsOfLoad): a load reads only children of its parents, and the
// parents were read by this request, through their own policy.

type childLoadsKey struct{}

// childLoads describes the loads of the connections of some nodes.
type childLoads struct {
	ids     []any   // the nodes' IDs, in order
	nodes   any     // the nodes, as read: []*Survey, []*Project...
	queries []Query // the loads: each reads only children of nodes
	// perParent are the selectors of the loads that limitPerParent reads
	// parent by parent.
	perParent []*sql.Selector
}

// maxLateralParents bounds the parents of one LATERAL read: it binds each
// parent's ID once, with the query's other arguments, and PostgreSQL takes
// at most 65,535 parameters. Default limits stay far below it; a larger
// level keeps the window function.
const maxLateralParents = 30000

// withChildLoads returns ctx for queries that load the connections of
// nodes (a slice of one entity type, read by this request) and read only
// their children; ids are the nodes' IDs, for limitPerParent.
func withChildLoads(ctx context.Context, ids []any, nodes any, queries ...Query) context.Context {
	return context.WithValue(ctx, childLoadsKey{}, &childLoads{ids: ids, nodes: nodes, queries: queries})
}

// ParentsOfLoad returns the parents of q when q loads a connection of
// nodes this request has read: the nodes as read ([]*Survey for the
// responses of surveys), whose children alone q reads. Otherwise nil.
func ParentsOfLoad(ctx context.Context, q Query) any {
	if loads, ok := ctx.Value(childLoadsKey{}).(*childLoads); ok {
		for _, load := range loads.queries {
			if load == q {
				return loads.nodes
			}
		}
	}
	return nil
}

// childrenOf is the condition of ent's one-to-many loaders that the rows
// of s belong to the parents fks (entc.go makes the loaders call it). In a
// page that limitPerParent reads parent by parent, the LATERAL join already
// names the parent, and the list is left out: PostgreSQL would otherwise
// walk every parent of the list in the index again for each parent.
func childrenOf(s *sql.Selector, column string, fks []driver.Value) *sql.Predicate {
	in := sql.InValues(column, fks...)
	loads, ok := s.Context().Value(childLoadsKey{}).(*childLoads)
	if !ok {
		return in
	}
	return sql.P(func(b *sql.Builder) {
		if slices.Contains(loads.perParent, s) {
			b.WriteString("TRUE")
			return
		}
		b.Join(in)
	})
}

// limitPerParent keeps the first limit children of each parent, by orderBy,
// where column holds the parent's ID.
func limitPerParent(column string, limit int, orderBy ...sql.Querier) func(*sql.Selector) {
	window := entgql.LimitPerRow(column, limit, orderBy...)
	return func(s *sql.Selector) {
		loads, _ := s.Context().Value(childLoadsKey{}).(*childLoads)
		var parents []any
		if loads != nil {
			parents = loads.ids
		}
		// SQLite has no LATERAL join, and a many-to-many edge reads its
		// parents from a joined table: both keep the window function.
		if s.Dialect() != dialect.Postgres || s.HasJoins() || len(parents) == 0 || len(parents) > maxLateralParents {
			window(s)
			return
		}
		table, columns := s.TableName(), s.UnqualifiedColumns()
		// The page keeps every condition of the query (privacy, filters)
		// but the list of parents (childrenOf), as it reads one parent.
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
		loads.perParent = append(loads.perParent, s)
		// Rows come parent by parent, each parent's in page order: a
		// LATERAL join is a nested loop. The loader needs no more.
		*s = *sql.Dialect(s.Dialect()).Select(sql.Table(table).Columns(columns...)...).FromExpr(from)
	}
}
