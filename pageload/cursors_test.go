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

// TestCursorValuesMustFitTheirOrderField checks ValidCursors, which every
// page calls before its cursors reach the database: a value of the order
// field's kind passes (a whole number for a fraction too, null for a field
// that may be null), anything else is ErrInvalidCursor.
func TestCursorValuesMustFitTheirOrderField(t *testing.T) {
	byCreation := func(p *project) entgql.Cursor[string] { return entgql.Cursor[string]{ID: p.ID, Value: p.CreatedAt} }
	byBudget := func(p *project) entgql.Cursor[string] { return entgql.Cursor[string]{ID: p.ID, Value: p.Budget} }
	byID := func(p *project) entgql.Cursor[string] { return entgql.Cursor[string]{ID: p.ID} }
	cursor := func(v any) *entgql.Cursor[string] { return &entgql.Cursor[string]{ID: "prj_1", Value: v} }
	for _, c := range []struct {
		name     string
		toCursor func(*project) entgql.Cursor[string]
		cursor   *entgql.Cursor[string]
		valid    bool
	}{
		{"a time for a time", byCreation, cursor(time.Now()), true},
		{"no cursor", byCreation, nil, true},
		{"text for a time", byCreation, cursor("Project 1"), false},
		{"a list for a time", byCreation, cursor([]any{1}), false},
		{"a whole number for a fraction", byBudget, cursor(int64(7)), true},
		{"null for a field that may be null", byBudget, cursor(nil), true},
		{"text for a fraction", byBudget, cursor("7"), false},
		{"no value for an order by ID", byID, cursor(nil), true},
		{"a value for an order by ID", byID, cursor("x"), false},
	} {
		err := ValidCursors(c.toCursor, c.cursor)
		if c.valid != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidCursor)) {
			t.Errorf("%s: got %v, want valid %v", c.name, err, c.valid)
		}
	}
}
