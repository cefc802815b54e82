package pageload_test

import (
	"bytes"
	"context"
	stdsql "database/sql"
	"slices"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"engage/pageload"
	"engage/testdb"
)

// row is a row of the table the test pages through: its score may be null,
// its group may not.
type row struct {
	ID    string
	Score *float64
	Group int
}

// ordering is an ordering by one column, with the cursor functions entgql
// writes for it: the pager's (one value per key) and the field's.
type ordering struct {
	column       string
	pager, field func(*row) entgql.Cursor[string]
}

var (
	byScore = ordering{"score",
		func(r *row) entgql.Cursor[string] { return entgql.Cursor[string]{ID: r.ID, Value: []any{r.Score}} },
		func(r *row) entgql.Cursor[string] { return entgql.Cursor[string]{ID: r.ID, Value: r.Score} }}
	byGroup = ordering{"grp",
		func(r *row) entgql.Cursor[string] { return entgql.Cursor[string]{ID: r.ID, Value: []any{r.Group}} },
		func(r *row) entgql.Cursor[string] { return entgql.Cursor[string]{ID: r.ID, Value: r.Group} }}
)

// TestPagesKeepTheirOrdering pages through rows, on the test database's
// dialect, as the generated pagers do (OrderTerms, OrderSQL,
// CursorsPredicate), ordered by a field that may be null and by one that
// may not: nulls come after every value in ascending order and before them
// in descending order on both dialects, ties go by ID, and every page,
// forward (first, after) or backward (last, before), and with first and
// before together, holds exactly the rows the whole ordering puts there.
func TestPagesKeepTheirOrdering(t *testing.T) {
	db := testdb.Open(t)
	ctx := context.Background()
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE page_rows (id varchar(10) PRIMARY KEY, score double precision, grp integer NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	num := func(f float64) *float64 { return &f }
	rows := []row{{"a", num(2), 1}, {"b", nil, 2}, {"c", num(1), 1}, {"d", num(2), 3}, {"e", nil, 2}, {"f", num(3), 1}, {"g", num(1), 3}}
	for _, r := range rows {
		if _, err := db.SQL.ExecContext(ctx, rebind(db.Dialect, `INSERT INTO page_rows (id, score, grp) VALUES (?, ?, ?)`), r.ID, r.Score, r.Group); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		by        ordering
		direction entgql.OrderDirection
		want      []string
	}{
		{byScore, entgql.OrderDirectionAsc, []string{"c", "g", "a", "d", "f", "b", "e"}},
		{byScore, entgql.OrderDirectionDesc, []string{"b", "e", "f", "a", "d", "c", "g"}},
		{byGroup, entgql.OrderDirectionAsc, []string{"a", "c", "f", "b", "e", "d", "g"}},
		{byGroup, entgql.OrderDirectionDesc, []string{"d", "g", "b", "e", "a", "c", "f"}},
	} {
		name, want := c.by.column+" "+string(c.direction), c.want
		read := func(after, before *entgql.Cursor[string], first, last int) []string {
			t.Helper()
			return readPage(t, db.SQL, db.Dialect, c.by, c.direction, after, before, first, last)
		}
		if got := read(nil, nil, 100, 0); !slices.Equal(got, want) {
			t.Fatalf("%s: whole ordering %v, want %v", name, got, want)
		}
		at := func(i int) *entgql.Cursor[string] { return cursorOf(t, c.by, rows, want[i]) }
		for i := range want {
			if got := read(at(i), nil, 2, 0); !slices.Equal(got, want[i+1:min(i+3, len(want))]) {
				t.Errorf("%s: first 2 after %s: %v, want %v", name, want[i], got, want[i+1:min(i+3, len(want))])
			}
			if got := read(nil, at(i), 0, 2); !slices.Equal(got, want[max(0, i-2):i]) {
				t.Errorf("%s: last 2 before %s: %v, want %v", name, want[i], got, want[max(0, i-2):i])
			}
			if got := read(nil, at(i), 2, 0); !slices.Equal(got, want[:min(2, i)]) {
				t.Errorf("%s: first 2 before %s: %v, want %v", name, want[i], got, want[:min(2, i)])
			}
			if got := read(at(i), nil, 0, 2); !slices.Equal(got, want[max(i+1, len(want)-2):]) {
				t.Errorf("%s: last 2 after %s: %v, want %v", name, want[i], got, want[max(i+1, len(want)-2):])
			}
		}
	}
}

// cursorOf is the cursor of row id as a client sends it back: written
// and read as the API writes and reads cursors.
func cursorOf(t *testing.T, by ordering, rows []row, id string) *entgql.Cursor[string] {
	for _, r := range rows {
		if r.ID == id {
			var b bytes.Buffer
			by.pager(&r).MarshalGQL(&b)
			var c entgql.Cursor[string]
			if err := c.UnmarshalGQL(strings.Trim(b.String(), `"`)); err != nil {
				t.Fatal(err)
			}
			return &c
		}
	}
	panic("no row " + id)
}

// readPage reads a page as a generated pager does: directions and the ID
// reversed for last, the cursors' conditions, the ORDER BY, then the page
// put back in order. It reads it twice, ordered by OrderTerms and by
// OrderSQL, which must agree.
func readPage(t *testing.T, db *stdsql.DB, dialect string, by ordering, direction entgql.OrderDirection, after, before *entgql.Cursor[string], first, last int) []string {
	t.Helper()
	idDirection, limit := entgql.OrderDirectionAsc, first
	if last > 0 {
		direction, idDirection, limit = direction.Reverse(), entgql.OrderDirectionDesc, last
	}
	predicates, err := pageload.CursorsPredicate(by.pager, after, before, &entgql.MultiCursorsOptions{
		FieldID: "id", DirectionID: idDirection, Fields: []string{by.column}, Directions: []entgql.OrderDirection{direction},
	})
	if err != nil {
		t.Fatal(err)
	}
	var pages [2][]string
	for i, order := range []func(*sql.Selector){
		func(s *sql.Selector) {
			sql.OrderByField(by.column, pageload.OrderTerms(by.field, direction)...).ToFunc()(s)
			sql.OrderByField("id", idDirection.OrderTermOption()).ToFunc()(s)
		},
		func(s *sql.Selector) {
			s.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
				b.Ident(by.column).Pad().WriteString(pageload.OrderSQL(by.field, direction))
				b.Comma().Ident("id").Pad().WriteString(string(idDirection))
			}))
		},
	} {
		s := sql.Dialect(dialect).Select("id").From(sql.Table("page_rows"))
		for _, p := range predicates {
			p(s)
		}
		order(s)
		s.Limit(limit)
		query, args := s.Query()
		rows, err := db.Query(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			pages[i] = append(pages[i], id)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if last > 0 {
			slices.Reverse(pages[i])
		}
	}
	if !slices.Equal(pages[0], pages[1]) {
		t.Fatalf("ordered by OrderTerms %v, by OrderSQL %v", pages[0], pages[1])
	}
	return pages[0]
}

func rebind(dialect, query string) string {
	if dialect != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
