package graph

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"engage/answer"
)

// MarshalTime writes a Time exactly as gqlgen's own scalar does (RFC 3339
// with nanoseconds, null for the zero time), in one allocation, the
// Marshaler's, instead of the two strings gqlgen builds for each: a nested
// page writes a thousand. gqlgen.yml maps the Time scalar here.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return rfc3339Time(t)
}

type rfc3339Time time.Time

func (t rfc3339Time) MarshalGQL(w io.Writer) {
	// The response is written into a bytes.Buffer: format straight into
	// its free space, where a buffer of our own would escape to the heap.
	var b []byte
	buf, inBuffer := w.(*bytes.Buffer)
	if inBuffer {
		b = buf.AvailableBuffer()
	}
	b = append(b, '"')
	b = time.Time(t).AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if inBuffer {
		buf.Write(b)
		return
	}
	w.Write(b)
}

// UnmarshalTime reads a Time as gqlgen's own scalar does.
func UnmarshalTime(v any) (time.Time, error) { return graphql.UnmarshalTime(v) }

// MarshalDate writes a Date: the calendar day of t, YYYY-MM-DD. gqlgen.yml
// maps the Date scalar here.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, `"`+t.Format(time.DateOnly)+`"`)
	})
}

// UnmarshalDate reads a Date, written YYYY-MM-DD, as midnight UTC of that
// day, as answer.Parse reads the value of a DATE answer.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errors.New("a Date is a string written YYYY-MM-DD")
	}
	d, err := answer.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a Date: a Date is a calendar date written YYYY-MM-DD", s)
	}
	return d, nil
}
