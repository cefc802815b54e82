package ent

import (
	"errors"
	"time"
)

// ErrInvalidCursor refuses a cursor whose value is not one that an order
// field holds. A cursor is the client's to send back, so it may hold
// anything that decodes: a list or a map in its value would reach the
// database as a query parameter and fail there.
var ErrInvalidCursor = errors.New("invalid cursor")

// validCursors checks the values of the cursors of a page (entc.go makes
// every pager's applyCursors call it first).
func validCursors(cursors ...*Cursor) error {
	for _, c := range cursors {
		if c == nil {
			continue
		}
		switch c.Value.(type) {
		case nil, string, bool, time.Time, float32, float64,
			int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		default:
			return ErrInvalidCursor
		}
	}
	return nil
}
