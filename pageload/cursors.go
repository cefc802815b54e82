package pageload

import (
	"errors"
	"reflect"
	"time"

	"entgo.io/contrib/entgql"
)

// ErrInvalidCursor refuses a cursor whose value is not of the kind that
// the page's order field holds. A cursor is the client's to send back, so it
// may hold anything that decodes: a list, or text where the order field is a
// time, would reach the database as a query parameter and fail there
// (PostgreSQL parses each parameter as the column's type).
var ErrInvalidCursor = errors.New("invalid cursor")

// ValidCursors checks the values of a page's cursors against the value that
// toCursor, the order field's, takes from an object (codegen/entc makes
// every pager's applyCursors call it first).
func ValidCursors[T, ID any](toCursor func(*T) entgql.Cursor[ID], cursors ...*entgql.Cursor[ID]) error {
	want := reflect.TypeOf(toCursor(new(T)).Value)
	for _, c := range cursors {
		if c != nil && !sameKind(want, c.Value) {
			return ErrInvalidCursor
		}
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// kindOf groups the Go types a cursor's value may have as SQL sees them.
func kindOf(t reflect.Type) string {
	switch {
	case t == timeType:
		return "time"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole"
	case reflect.Float32, reflect.Float64:
		return "fraction"
	}
	return "other"
}

// sameKind reports whether v can stand for a value of type want in SQL: a
// time for a time, text for text (and enums), a whole number for a whole
// number, any number for a fraction, a boolean for a boolean; null for a
// field that may be null. A cursor of an order by ID alone (want nil)
// holds no value.
func sameKind(want reflect.Type, v any) bool {
	if want == nil {
		return v == nil
	}
	if want.Kind() == reflect.Pointer {
		if v == nil {
			return true
		}
		want = want.Elem()
	}
	if v == nil {
		return false
	}
	w, got := kindOf(want), kindOf(reflect.TypeOf(v))
	return w != "other" && (w == got || (w == "fraction" && got == "whole"))
}
