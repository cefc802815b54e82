package graph

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// TestMarshalTimeWritesWhatGqlgenWrites compares MarshalTime with gqlgen's
// own Time scalar, which it replaces.
func TestMarshalTimeWritesWhatGqlgenWrites(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	for _, v := range []time.Time{
		{},
		time.Date(2026, 11, 25, 23, 40, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 23, 40, 1, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 600, paris),
	} {
		var got, want bytes.Buffer
		got.WriteString("{") // after other output, as in a response
		MarshalTime(v).MarshalGQL(&got)
		want.WriteString("{")
		graphql.MarshalTime(v).MarshalGQL(&want)
		if got.String() != want.String() {
			t.Errorf("%v: wrote %s, gqlgen writes %s", v, got.String(), want.String())
		}
		var other strings.Builder // a writer other than a bytes.Buffer
		MarshalTime(v).MarshalGQL(&other)
		if "{"+other.String() != want.String() {
			t.Errorf("%v: wrote %s to a strings.Builder, gqlgen writes %s", v, other.String(), want.String())
		}
	}
	// One allocation, the Marshaler's, when written into the response's buffer.
	var buf bytes.Buffer
	v := time.Date(2026, 11, 25, 23, 40, 1, 123456789, time.UTC)
	if n := testing.AllocsPerRun(100, func() { buf.Reset(); MarshalTime(v).MarshalGQL(&buf) }); n > 1 {
		t.Errorf("MarshalTime and MarshalGQL: %.0f allocations, want 1", n)
	}
}

// BenchmarkMarshalTime compares MarshalTime with gqlgen's Time scalar.
func BenchmarkMarshalTime(b *testing.B) {
	v := time.Date(2026, 11, 25, 23, 40, 1, 123456789, time.UTC)
	for name, marshal := range map[string]func(time.Time) graphql.Marshaler{"engage": MarshalTime, "gqlgen": graphql.MarshalTime} {
		b.Run(name, func(b *testing.B) {
			var w bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				marshal(v).MarshalGQL(&w)
			}
		})
	}
}
