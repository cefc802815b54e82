package pageload

import (
	"errors"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

type project struct {
	ID        string
	CreatedAt time.Time
	Budget    *float64
}

// TestCursorValuesMustFitTheirOrdering checks the cursors that
// CursorsPredicate takes, which every page calls before its cursors reach
// the database: one value per order field, each of its field's kind (a
// whole number for a fraction too, null for a field that may be null);
// anything else is ErrInvalidCursor.
func TestCursorValuesMustFitTheirOrdering(t *testing.T) {
	byCreationBudget := func(p *project) entgql.Cursor[string] {
		return entgql.Cursor[string]{ID: p.ID, Value: []any{p.CreatedAt, p.Budget}}
	}
	byID := func(p *project) entgql.Cursor[string] { return entgql.Cursor[string]{ID: p.ID, Value: []any{}} }
	twoFields := &entgql.MultiCursorsOptions{FieldID: "id", DirectionID: entgql.OrderDirectionAsc,
		Fields: []string{"created_at", "budget"}, Directions: []entgql.OrderDirection{entgql.OrderDirectionAsc, entgql.OrderDirectionDesc}}
	noField := &entgql.MultiCursorsOptions{FieldID: "id", DirectionID: entgql.OrderDirectionAsc}
	cursor := func(v any) *entgql.Cursor[string] { return &entgql.Cursor[string]{ID: "prj_1", Value: v} }
	for _, c := range []struct {
		name     string
		toCursor func(*project) entgql.Cursor[string]
		opts     *entgql.MultiCursorsOptions
		cursor   *entgql.Cursor[string]
		valid    bool
	}{
		{"a time and a number", byCreationBudget, twoFields, cursor([]any{time.Now(), 2.5}), true},
		{"no cursor", byCreationBudget, twoFields, nil, true},
		{"a whole number for a fraction", byCreationBudget, twoFields, cursor([]any{time.Now(), int8(7)}), true},
		{"null for a field that may be null", byCreationBudget, twoFields, cursor([]any{time.Now(), nil}), true},
		{"null for a field that may not be", byCreationBudget, twoFields, cursor([]any{nil, 2.5}), false},
		{"text for a time", byCreationBudget, twoFields, cursor([]any{"Project 1", 2.5}), false},
		{"a list for a time", byCreationBudget, twoFields, cursor([]any{[]any{1}, 2.5}), false},
		{"text for a fraction", byCreationBudget, twoFields, cursor([]any{time.Now(), "7"}), false},
		{"one value for two fields (another ordering's cursor)", byCreationBudget, twoFields, cursor([]any{time.Now()}), false},
		{"three values for two fields", byCreationBudget, twoFields, cursor([]any{time.Now(), 1.0, 2.0}), false},
		{"a value that is no list (a cursor of one field, from before lists)", byCreationBudget, twoFields, cursor(time.Now()), false},
		{"no value", byCreationBudget, twoFields, cursor(nil), false},
		{"no values for an order by ID", byID, noField, cursor([]any{}), true},
		{"no value for an order by ID, as a cursor holds it", byID, noField, cursor(nil), true},
		{"a value for an order by ID", byID, noField, cursor([]any{"x"}), false},
	} {
		_, err := CursorsPredicate(c.toCursor, c.cursor, nil, c.opts)
		if c.valid != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidCursor)) {
			t.Errorf("%s: got %v, want valid %v", c.name, err, c.valid)
		}
	}
}

// TestCursorConditionsTakeAnIndexableForm: the condition of a cursor is
// one row comparison when every key goes one way and none may be null, and
// otherwise starts with a bound on the first key, so that the index of an
// ordering serves a deep page (bench/RESULTS.md: without them a page 90%
// deep read the index from its start).
func TestCursorConditionsTakeAnIndexableForm(t *testing.T) {
	byCreationBudget := func(p *project) entgql.Cursor[string] {
		return entgql.Cursor[string]{ID: p.ID, Value: []any{p.CreatedAt, p.Budget}}
	}
	byCreation := func(p *project) entgql.Cursor[string] {
		return entgql.Cursor[string]{ID: p.ID, Value: []any{p.CreatedAt}}
	}
	asc, desc := entgql.OrderDirectionAsc, entgql.OrderDirectionDesc
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name     string
		toCursor func(*project) entgql.Cursor[string]
		values   []any
		dirs     []entgql.OrderDirection
		before   bool // the cursor is a before cursor
		want     string
	}{
		{"one key, ascending, after", byCreation, []any{at}, []entgql.OrderDirection{asc}, false,
			"(`projects`.`created_at`, `projects`.`id`) > (?, ?)"},
		{"one key, ascending, before", byCreation, []any{at}, []entgql.OrderDirection{asc}, true,
			"(`projects`.`created_at`, `projects`.`id`) < (?, ?)"},
		{"two keys, one that may be null", byCreationBudget, []any{at, 2.5}, []entgql.OrderDirection{asc, asc}, false,
			"`projects`.`created_at` >= ? AND (`projects`.`created_at` > ? OR"},
		{"one key descending, the ID ascending", byCreation, []any{at}, []entgql.OrderDirection{desc}, false,
			"`projects`.`created_at` <= ? AND (`projects`.`created_at` < ? OR"},
	} {
		cursor := &entgql.Cursor[string]{ID: "prj_1", Value: c.values}
		after, before := cursor, (*entgql.Cursor[string])(nil)
		if c.before {
			after, before = nil, cursor
		}
		predicates, err := CursorsPredicate(c.toCursor, after, before,
			&entgql.MultiCursorsOptions{FieldID: "id", DirectionID: asc, Fields: []string{"created_at", "budget"}[:len(c.values)], Directions: c.dirs})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s := sql.Select("id").From(sql.Table("projects"))
		predicates[0](s)
		if query, _ := s.Query(); !strings.Contains(query, "WHERE "+c.want) {
			t.Errorf("%s: %s, want it to start with %s", c.name, query, c.want)
		}
	}
}
