package pageload

import (
	"errors"
	"reflect"
	"slices"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

// ErrInvalidCursor refuses a cursor that does not fit the page's ordering:
// a value of another kind than its order field's, or another number of
// values than the ordering has fields. A cursor is the client's to send
// back, so it may hold anything that decodes: a list, or text where the
// order field is a time, would reach the database as a query parameter and
// fail there (PostgreSQL parses each parameter as the column's type).
var ErrInvalidCursor = errors.New("invalid cursor")

// Every ordering sorts null as greater than any value, as PostgreSQL does
// by default: last in ascending order, first in descending order, on both
// dialects (SQLite sorts null as smaller). Orderings and cursors of fields
// that may be null say so (OrderTerms, OrderSQL, CursorsPredicate); fields
// that may not keep ORDER BY as upstream writes it, which indexes serve.

// OrderTerms returns the options that order by the field whose cursor
// function is toCursor in direction d: nulls placed as above when the field
// may be null (codegen/entc makes every pager's applyOrder call it).
func OrderTerms[T, ID any](toCursor func(*T) entgql.Cursor[ID], d entgql.OrderDirection) []sql.OrderTermOption {
	opts := []sql.OrderTermOption{d.OrderTermOption()}
	if mayBeNull(reflect.TypeOf(toCursor(new(T)).Value)) {
		if d == entgql.OrderDirectionAsc {
			opts = append(opts, sql.OrderNullsLast())
		} else {
			opts = append(opts, sql.OrderNullsFirst())
		}
	}
	return opts
}

// OrderSQL is OrderTerms written as SQL after the column, for the ORDER BY
// of nested pages read per parent (each pager's orderExpr).
func OrderSQL[T, ID any](toCursor func(*T) entgql.Cursor[ID], d entgql.OrderDirection) string {
	switch {
	case !mayBeNull(reflect.TypeOf(toCursor(new(T)).Value)):
		return string(d)
	case d == entgql.OrderDirectionAsc:
		return "ASC NULLS LAST"
	}
	return "DESC NULLS FIRST"
}

// CursorsPredicate returns the conditions that keep the rows after the
// cursor after and before the cursor before, for a pager whose toCursor
// writes one value per order field, ordered as opts says: its fields and
// directions, then the ID, all reversed when the page is read from its end
// (last), which opts.DirectionID tells. It replaces
// entgql.MultiCursorsPredicate (codegen/entc makes every pager's
// applyCursors call it) to check each cursor first (ErrInvalidCursor), to
// place nulls as every ordering does, and to keep the rows before a before
// cursor (upstream keeps those after it unless the page is read from its
// end, so first with before, or last with after, missed every row).
func CursorsPredicate[T, ID any](toCursor func(*T) entgql.Cursor[ID], after, before *entgql.Cursor[ID], opts *entgql.MultiCursorsOptions) ([]func(*sql.Selector), error) {
	want, _ := toCursor(new(T)).Value.([]any)
	reverse := opts.DirectionID == entgql.OrderDirectionDesc
	var predicates []func(*sql.Selector)
	for _, c := range []struct {
		*entgql.Cursor[ID]
		flip bool // the rows to keep come before the cursor in opts' order
	}{{after, reverse}, {before, !reverse}} {
		if c.Cursor == nil {
			continue
		}
		values, ok := c.Value.([]any)
		if c.Value == nil {
			values, ok = nil, true // no value: an ordering by ID alone (entgql omits the empty list)
		}
		if !ok || len(values) != len(want) || len(opts.Fields) != len(want) || len(opts.Directions) != len(want) {
			return nil, ErrInvalidCursor
		}
		keys := make([]key, 0, len(want)+1)
		for i, v := range values {
			t := reflect.TypeOf(want[i])
			if !sameKind(t, v) {
				return nil, ErrInvalidCursor
			}
			keys = append(keys, key{opts.Fields[i], flipped(opts.Directions[i], c.flip), v, mayBeNull(t)})
		}
		if !slices.Contains(opts.Fields, opts.FieldID) {
			keys = append(keys, key{opts.FieldID, flipped(opts.DirectionID, c.flip), c.ID, false})
		}
		predicates = append(predicates, func(s *sql.Selector) { s.Where(afterKeys(s, keys)) })
	}
	return predicates, nil
}

// key is one term of an ordering with the cursor's value for it.
type key struct {
	column    string
	direction entgql.OrderDirection
	value     any
	nullable  bool
}

// afterKeys is the condition that a row comes after the cursor whose keys
// are keys: it is past the cursor in the first key, or equal in the first
// and past it in the second, and so on. Written so that an index on the
// keys serves it: as one row comparison, (a, id) > (x, y), when every key
// goes one way and none may be null; else with the first key bounded
// (a >= x AND (...)) where that bound holds.
func afterKeys(s *sql.Selector, keys []key) *sql.Predicate {
	if p := rowComparison(s, keys); p != nil {
		return p
	}
	var or []*sql.Predicate
	for i, k := range keys {
		ands := make([]*sql.Predicate, 0, i+1)
		for _, prev := range keys[:i] {
			ands = append(ands, equalTo(s, prev))
		}
		past := pastKey(s, k)
		if past == nil {
			continue // nothing is past a null in ascending order
		}
		or = append(or, sql.And(append(ands, past)...))
	}
	first := keys[0]
	switch {
	case len(or) == 0:
		return sql.False()
	case first.value == nil || (first.nullable && first.direction == entgql.OrderDirectionAsc):
		return sql.Or(or...) // no bound holds for every row after the cursor
	case first.direction == entgql.OrderDirectionAsc:
		return sql.And(sql.GTE(s.C(first.column), first.value), sql.Or(or...))
	}
	return sql.And(sql.LTE(s.C(first.column), first.value), sql.Or(or...))
}

// rowComparison is keys as one comparison of rows, or nil when a key may
// be null or the keys do not all go one way.
func rowComparison(s *sql.Selector, keys []key) *sql.Predicate {
	columns, values := make([]string, len(keys)), make([]any, len(keys))
	for i, k := range keys {
		if k.nullable || k.value == nil || k.direction != keys[0].direction {
			return nil
		}
		columns[i], values[i] = s.C(k.column), k.value
	}
	if keys[0].direction == entgql.OrderDirectionAsc {
		return sql.CompositeGT(columns, values...)
	}
	return sql.CompositeLT(columns, values...)
}

// equalTo is the condition that a row's value of k's column is the cursor's.
func equalTo(s *sql.Selector, k key) *sql.Predicate {
	if k.value == nil {
		return sql.IsNull(s.C(k.column))
	}
	return sql.EQ(s.C(k.column), k.value)
}

// pastKey is the condition that a row comes after the cursor by k's column
// alone, nulls being greater than any value; nil when no row can.
func pastKey(s *sql.Selector, k key) *sql.Predicate {
	c := s.C(k.column)
	switch {
	case k.direction == entgql.OrderDirectionAsc && k.value == nil:
		return nil
	case k.direction == entgql.OrderDirectionAsc && k.nullable:
		return sql.Or(sql.GT(c, k.value), sql.IsNull(c))
	case k.direction == entgql.OrderDirectionAsc:
		return sql.GT(c, k.value)
	case k.value == nil:
		return sql.NotNull(c)
	}
	return sql.LT(c, k.value)
}

func flipped(d entgql.OrderDirection, flip bool) entgql.OrderDirection {
	if flip {
		return d.Reverse()
	}
	return d
}

var timeType = reflect.TypeFor[time.Time]()

// mayBeNull reports whether an order field's value of Go type t may be
// null: ent gives nullable fields a pointer type.
func mayBeNull(t reflect.Type) bool { return t != nil && t.Kind() == reflect.Pointer }

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
// field that may be null.
func sameKind(want reflect.Type, v any) bool {
	if want == nil {
		return false
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

// OrderList returns an orderBy argument as the eager loads of nested
// connections read it: a list of terms. GraphQL lets a client give one
// term where a list is expected, and hands a variable's list over as a
// []map[string]any; entgql's collection reads only []any, and would leave
// either unordered (codegen/entc makes it call OrderList first).
func OrderList(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return []any{v}
	case []map[string]any:
		list := make([]any, len(v))
		for i, term := range v {
			list[i] = term
		}
		return list
	}
	return v
}
