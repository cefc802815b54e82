package pageload

import (
	"errors"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
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
