package graph

import (
	"bytes"
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
		MarshalTime(v).MarshalGQL(&got)
		graphql.MarshalTime(v).MarshalGQL(&want)
		if got.String() != want.String() {
			t.Errorf("%v: wrote %s, gqlgen writes %s", v, got.String(), want.String())
		}
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
