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

// row is a row of the table the test pages through: its score may be null.
type row struct {
	ID    string
	Score *float64
}

// byScore is the pager's cursor of the ordering by score, score the order
// field's (as entgql writes them).
func byScore(r *row) entgql.Cursor[string] {
	return entgql.Cursor[string]{ID: r.ID, Value: []any{r.Score}}
}

func score(r *row) entgql.Cursor[string] { return entgql.Cursor[string]{ID: r.ID, Value: r.Score} }

// TestPagesPlaceNullsAsEveryOrdering pages through rows ordered by a field
// that may be null, on the test database's dialect, as the generated pagers
// do (OrderSQL, CursorsPredicate): nulls come after every value in
// ascending order and before them in descending order on both dialects,
// ties go by ID, and every page, forward (first, after) or backward (last,
// before), and with first and before together, holds exactly the rows the
// whole ordering puts there.
func TestPagesPlaceNullsAsEveryOrdering(t *testing.T) {
	db := testdb.Open(t)
	ctx := context.Background()
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE page_rows (id varchar(10) PRIMARY KEY, score double precision)`); err != nil {
		t.Fatal(err)
	}
	num := func(f float64) *float64 { return &f }
	rows := []row{{"a", num(2)}, {"b", nil}, {"c", num(1)}, {"d", num(2)}, {"e", nil}, {"f", num(3)}, {"g", num(1)}}
	for _, r := range rows {
		if _, err := db.SQL.ExecContext(ctx, rebind(db.Dialect, `INSERT INTO page_rows (id, score) VALUES (?, ?)`), r.ID, r.Score); err != nil {
			t.Fatal(err)
		}
	}
	whole := map[entgql.OrderDirection][]string{
		entgql.OrderDirectionAsc:  {"c", "g", "a", "d", "f", "b", "e"},
		entgql.OrderDirectionDesc: {"b", "e", "f", "a", "d", "c", "g"},
	}
	for direction, want := range whole {
		read := func(after, before *entgql.Cursor[string], first, last int) []string {
			t.Helper()
			return readPage(t, db.SQL, db.Dialect, direction, after, before, first, last)
		}
		if got := read(nil, nil, 100, 0); !slices.Equal(got, want) {
			t.Fatalf("%s: whole ordering %v, want %v", direction, got, want)
		}
		at := func(i int) *entgql.Cursor[string] { return cursorOf(t, rows, want[i]) }
		for i := range want {
			if got := read(at(i), nil, 2, 0); !slices.Equal(got, want[i+1:min(i+3, len(want))]) {
				t.Errorf("%s: first 2 after %s: %v, want %v", direction, want[i], got, want[i+1:min(i+3, len(want))])
			}
			if got := read(nil, at(i), 0, 2); !slices.Equal(got, want[max(0, i-2):i]) {
				t.Errorf("%s: last 2 before %s: %v, want %v", direction, want[i], got, want[max(0, i-2):i])
			}
			if got := read(nil, at(i), 2, 0); !slices.Equal(got, want[:min(2, i)]) {
				t.Errorf("%s: first 2 before %s: %v, want %v", direction, want[i], got, want[:min(2, i)])
			}
			if got := read(at(i), nil, 0, 2); !slices.Equal(got, want[max(i+1, len(want)-2):]) {
				t.Errorf("%s: last 2 after %s: %v, want %v", direction, want[i], got, want[max(i+1, len(want)-2):])
			}
		}
	}
}

// cursorOf is the cursor of row id as a client sends it back: written
// and read as the API writes and reads cursors.
func cursorOf(t *testing.T, rows []row, id string) *entgql.Cursor[string] {
	for _, r := range rows {
		if r.ID == id {
			var b bytes.Buffer
			byScore(&r).MarshalGQL(&b)
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
func readPage(t *testing.T, db *stdsql.DB, dialect string, direction entgql.OrderDirection, after, before *entgql.Cursor[string], first, last int) []string {
	t.Helper()
	idDirection, limit := entgql.OrderDirectionAsc, first
	if last > 0 {
		direction, idDirection, limit = direction.Reverse(), entgql.OrderDirectionDesc, last
	}
	predicates, err := pageload.CursorsPredicate(byScore, after, before, &entgql.MultiCursorsOptions{
		FieldID: "id", DirectionID: idDirection, Fields: []string{"score"}, Directions: []entgql.OrderDirection{direction},
	})
	if err != nil {
		t.Fatal(err)
	}
	var pages [2][]string
	for i, order := range []func(*sql.Selector){
		func(s *sql.Selector) {
			sql.OrderByField("score", pageload.OrderTerms(score, direction)...).ToFunc()(s)
			sql.OrderByField("id", idDirection.OrderTermOption()).ToFunc()(s)
		},
		func(s *sql.Selector) {
			s.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
				b.Ident("score").Pad().WriteString(pageload.OrderSQL(score, direction))
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
