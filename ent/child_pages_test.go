package ent

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// TestLimitPerParentReadsEachParentsPage checks the SQL of limitPerParent:
// on PostgreSQL, with the parents known, a LATERAL join that keeps every
// condition of the query; otherwise entgql's window function.
func TestLimitPerParentReadsEachParentsPage(t *testing.T) {
	byID := sql.ExprFunc(func(b *sql.Builder) { b.Ident("id").Pad().WriteString("ASC") })
	build := func(d string, parents []any, join bool) (string, []any) {
		ctx := context.Background()
		if parents != nil {
			ctx = withChildLoads(ctx, parents, nil)
		}
		s := sql.Dialect(d).Select().From(sql.Table("responses")).WithContext(ctx)
		s.Select(s.Columns("id", "survey_id")...)
		if join {
			j := sql.Table("links")
			s.Join(j).On(s.C("id"), j.C("response_id"))
		}
		s.Where(sql.And(sql.EQ(s.C("status"), "OPEN"), childrenOf(s, s.C("survey_id"), []driver.Value{"s1", "s2"})))
		limitPerParent("survey_id", 3, byID)(s)
		return s.Query()
	}

	query, args := build(dialect.Postgres, []any{"s1", "s2"}, false)
	for _, part := range []string{
		`FROM (VALUES ($1), ($2)) AS "parent"("id") CROSS JOIN LATERAL (SELECT`,
		`"responses"."status" = $3`,
		`"responses"."status" = $3 AND TRUE AND "responses"."survey_id" = "parent"."id" ORDER BY "id" ASC LIMIT 3) AS "responses"`,
	} {
		if !strings.Contains(query, part) {
			t.Errorf("PostgreSQL page lacks %s:\n%s", part, query)
		}
	}
	if len(args) != 3 {
		t.Errorf("args %v, want the 2 parents and the status: the list of parents is left out of each parent's page", args)
	}

	many := make([]any, maxLateralParents+1)
	for i := range many {
		many[i] = "s"
	}
	for name, c := range map[string]struct {
		dialect string
		parents []any
		join    bool
	}{
		"SQLite":            {dialect.SQLite, []any{"s1", "s2"}, false},
		"parents unknown":   {dialect.Postgres, nil, false},
		"many-to-many edge": {dialect.Postgres, []any{"s1", "s2"}, true},
		"too many parents":  {dialect.Postgres, many, false},
	} {
		if query, _ := build(c.dialect, c.parents, c.join); !strings.Contains(query, "ROW_NUMBER") || strings.Contains(query, "LATERAL") || !strings.Contains(query, " IN (") {
			t.Errorf("%s: want the window function over the list of parents:\n%s", name, query)
		}
	}
}
