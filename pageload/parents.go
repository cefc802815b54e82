package pageload

import (
	"context"
	"database/sql/driver"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"engage/rule/readparents"
)

// Nested connections (projects → surveys → responses) are loaded for all
// the parents of a level at once. entgql limits each parent's page with a
// window function over every child of those parents, which reads and sorts
// them all: 10,000 responses for a page of 100 surveys, 210,000 at a million
// responses. On PostgreSQL, LimitPerParent reads each parent's page through
// a LATERAL join instead, first+1 rows per parent from a (parent, id)
// index, so a level costs what its pages hold, not what the parents hold.
//
// codegen/entc makes entgql's collection template call LimitPerParent where
// it called entgql.LimitPerRow; codegen/entc/template/child_pages.tmpl
// hands it the parents' IDs through the context of the loads
// (WithParentIDs), and marks the loads for privacy rules (MarkChildLoads).

type parentIDsKey struct{}

// WithParentIDs returns ctx for the queries that load the connections of
// some nodes, whose IDs are ids, in order: LimitPerParent reads each one's
// page.
func WithParentIDs(ctx context.Context, ids []driver.Value) context.Context {
	return context.WithValue(ctx, parentIDsKey{}, ids)
}

// MarkChildLoads returns ctx for loads, queries that load connections of
// parents, nodes of one type that this request read: it tells privacy
// rules that each reads only children of parents (readparents.Mark), which
// is what ent's loaders, ChildrenOf, LimitPerParent and CountPerParent
// make of a query, keeping every condition it has.
func MarkChildLoads[P any](ctx context.Context, parents []*P, loads ...ent.Query) context.Context {
	return readparents.Mark(ctx, parents, loads...)
}

// maxLateralParents bounds the parents of one LATERAL read: it binds each
// parent's ID once, with the query's other arguments, and PostgreSQL takes
// at most 65,535 parameters. Default limits stay far below it; a larger
// level keeps the list of parents.
const maxLateralParents = 30000

// readPerParentKey marks, in its context, a selector that readPerParent
// rewrote.
type readPerParentKey struct{}

// ChildrenOf is the condition that the rows of s belong to the parents
// fks: codegen/entc makes ent's one-to-many loaders and entgql's nested
// counts call it. When s is read parent by parent (readPerParent), the LATERAL
// join already names the parent, and the list is left out: PostgreSQL
// would otherwise walk every parent of the list in the index again for
// each parent.
func ChildrenOf(s *sql.Selector, column string, fks ...driver.Value) *sql.Predicate {
	in := sql.InValues(column, fks...)
	return sql.P(func(b *sql.Builder) {
		if s.Context().Value(readPerParentKey{}) != nil {
			b.WriteString("TRUE")
			return
		}
		b.Join(in)
	})
}

// canReadPerParent reports whether s, a read of the children of parents,
// can be made parent by parent. SQLite has no LATERAL join, and a
// many-to-many edge reads its parents from a joined table: both keep the
// list of parents.
func canReadPerParent(s *sql.Selector, parents []driver.Value) bool {
	return s.Dialect() == dialect.Postgres && !s.HasJoins() && len(parents) > 0 && len(parents) <= maxLateralParents
}

// readPerParent makes s, a read of the children of parents whose column
// holds the parent's ID, read them parent by parent: a LATERAL join of the
// list of parents with what one (given the query of s for the parent
// "parent"."id", which keeps every condition of s, privacy and filters, but
// the list of parents) makes of it, named as s's table. The new s selects
// nothing yet.
func readPerParent(s *sql.Selector, column string, parents []driver.Value, one func(*sql.Selector)) {
	table := s.TableName()
	each := s.Clone().Where(sql.ColumnsEQ(s.C(column), `"parent"."id"`))
	one(each)
	from := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(VALUES ")
		for i, id := range parents {
			if i > 0 {
				b.Comma()
			}
			b.Wrap(func(b *sql.Builder) { b.Arg(id) })
		}
		b.WriteString(`) AS "parent"("id") CROSS JOIN LATERAL `)
		b.Wrap(func(b *sql.Builder) { b.Join(each) })
		b.WriteString(" AS ").Ident(table)
	})
	marked := context.WithValue(s.Context(), readPerParentKey{}, true)
	*s = *sql.Dialect(s.Dialect()).Select().FromExpr(from).WithContext(marked)
}

// LimitPerParent keeps the first limit children of each parent, by orderBy,
// where column holds the parent's ID.
func LimitPerParent(column string, limit int, orderBy ...sql.Querier) func(*sql.Selector) {
	window := entgql.LimitPerRow(column, limit, orderBy...)
	return func(s *sql.Selector) {
		parents, _ := s.Context().Value(parentIDsKey{}).([]driver.Value)
		if !canReadPerParent(s, parents) {
			window(s)
			return
		}
		table, columns := s.TableName(), s.UnqualifiedColumns()
		readPerParent(s, column, parents, func(page *sql.Selector) {
			page.OrderExpr(orderBy...).Limit(limit)
		})
		// Rows come parent by parent, each parent's in page order: a
		// LATERAL join is a nested loop. The loader needs no more.
		s.Select(sql.Table(table).Columns(columns...)...)
	}
}

// CountPerParent counts the rows of a query of the children of parents,
// which selects their parent's column alone, as entgql's nested totalCount
// reads them (codegen/entc makes it aggregate with CountPerParent): rows of
// that column and "count". On PostgreSQL it counts each parent's in a
// LATERAL join, as LimitPerParent reads their pages: an
// index scan per parent that only counts, where GROUP BY over the list of
// parents compares the parent's ID of every row (a third less CPU for 100
// parents of 2,000 children each).
func CountPerParent(parents []driver.Value) func(*sql.Selector) string {
	return func(s *sql.Selector) string {
		count := sql.As(sql.Count("*"), "count")
		column := s.UnqualifiedColumns()[0]
		if !canReadPerParent(s, parents) {
			s.GroupBy(s.C(column))
			return count
		}
		table := s.TableName()
		readPerParent(s, column, parents, func(one *sql.Selector) { one.Select(count) })
		s.Select(sql.As(`"parent"."id"`, column))
		return sql.Dialect(s.Dialect()).Table(table).C("count")
	}
}
