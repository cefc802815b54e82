package graph

import (
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalTime writes a Time exactly as gqlgen's own scalar does (RFC 3339
// with nanoseconds, null for the zero time), into one buffer instead of the
// two strings gqlgen builds for each: a nested page writes a thousand.
// gqlgen.yml maps the Time scalar here.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [48]byte
		b := append(buf[:0], '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		w.Write(append(b, '"'))
	})
}

// UnmarshalTime reads a Time as gqlgen's own scalar does.
func UnmarshalTime(v any) (time.Time, error) { return graphql.UnmarshalTime(v) }
