package pageload

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// TestLimitPerParentReadsEachParentsPage checks the SQL of LimitPerParent:
// on PostgreSQL, with the parents known, a LATERAL join that keeps every
// condition of the query; otherwise entgql's window function.
func TestLimitPerParentReadsEachParentsPage(t *testing.T) {
	byID := sql.ExprFunc(func(b *sql.Builder) { b.Ident("id").Pad().WriteString("ASC") })
	build := func(d string, parents []driver.Value, join bool) (string, []any) {
		ctx := context.Background()
		if parents != nil {
			ctx = WithParentIDs(ctx, parents)
		}
		s := sql.Dialect(d).Select().From(sql.Table("responses")).WithContext(ctx)
		s.Select(s.Columns("id", "survey_id")...)
		if join {
			j := sql.Table("links")
			s.Join(j).On(s.C("id"), j.C("response_id"))
		}
		s.Where(sql.And(sql.EQ(s.C("status"), "OPEN"), ChildrenOf(s, s.C("survey_id"), "s1", "s2")))
		LimitPerParent("survey_id", 3, byID)(s)
		return s.Query()
	}

	query, args := build(dialect.Postgres, []driver.Value{"s1", "s2"}, false)
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

	many := make([]driver.Value, maxLateralParents+1)
	for i := range many {
		many[i] = "s"
	}
	for name, c := range map[string]struct {
		dialect string
		parents []driver.Value
		join    bool
	}{
		"SQLite":            {dialect.SQLite, []driver.Value{"s1", "s2"}, false},
		"parents unknown":   {dialect.Postgres, nil, false},
		"many-to-many edge": {dialect.Postgres, []driver.Value{"s1", "s2"}, true},
		"too many parents":  {dialect.Postgres, many, false},
	} {
		if query, _ := build(c.dialect, c.parents, c.join); !strings.Contains(query, "ROW_NUMBER") || strings.Contains(query, "LATERAL") || !strings.Contains(query, " IN (") {
			t.Errorf("%s: want the window function over the list of parents:\n%s", name, query)
		}
	}
}

// TestCountPerParentCountsEachParentsChildren checks the SQL of
// CountPerParent, as entgql's nested totalCount runs it (a Select of the
// parent's column, then the aggregate): on PostgreSQL, a count per parent
// in a LATERAL join that keeps every condition of the query but the list
// of parents; otherwise GROUP BY over that list.
func TestCountPerParentCountsEachParentsChildren(t *testing.T) {
	build := func(d string, parents []driver.Value) (string, []any) {
		s := sql.Dialect(d).Select().From(sql.Table("responses"))
		s.Select(s.C("survey_id"))
		s.Where(sql.And(sql.EQ(s.C("status"), "OPEN"), ChildrenOf(s, s.C("survey_id"), parents...)))
		s.AppendSelect(CountPerParent(parents)(s))
		return s.Query()
	}

	query, args := build(dialect.Postgres, []driver.Value{"s1", "s2"})
	want := `SELECT "parent"."id" AS "survey_id", "responses"."count" FROM (VALUES ($1), ($2)) AS "parent"("id") CROSS JOIN LATERAL ` +
		`(SELECT COUNT(*) AS "count" FROM "responses" WHERE "responses"."status" = $3 AND TRUE AND "responses"."survey_id" = "parent"."id") AS "responses"`
	if query != want {
		t.Errorf("PostgreSQL count:\n got %s\nwant %s", query, want)
	}
	if len(args) != 3 {
		t.Errorf("args %v, want the 2 parents and the status", args)
	}

	query, args = build(dialect.SQLite, []driver.Value{"s1", "s2"})
	want = "SELECT `responses`.`survey_id`, COUNT(*) AS `count` FROM `responses` WHERE `responses`.`status` = ? AND `responses`.`survey_id` IN (?, ?) GROUP BY `responses`.`survey_id`"
	if query != want || len(args) != 3 {
		t.Errorf("SQLite count:\n got %s %v\nwant %s with 3 args", query, args, want)
	}
}
