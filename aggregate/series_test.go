package aggregate

import (
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestPlanSeries: a series starts and ends at local midnights, and lists
// the offsets of its zone from UTC in force between them, each from the
// instant it starts (Paris moves to summer time at 01:00 UTC on
// 2026-03-29, and back at 01:00 UTC on 2026-10-25).
func TestPlanSeries(t *testing.T) {
	s, err := planSeries(Week, "Europe/Paris", date("2026-03-23"), date("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{s.start.UTC().Format(time.RFC3339), s.end.UTC().Format(time.RFC3339)}
	for _, o := range s.offsets {
		got = append(got, o.from.UTC().Format(time.RFC3339)+"="+time.Duration(o.seconds*int(time.Second)).String())
	}
	want := []string{"2026-03-22T23:00:00Z", "2026-11-01T23:00:00Z",
		"2026-03-22T23:00:00Z=1h0m0s", "2026-03-29T01:00:00Z=2h0m0s", "2026-10-25T01:00:00Z=1h0m0s"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	// 224 days: 32 weeks, the last from Monday 2026-10-26.
	if last := s.bucketStart(s.buckets - 1); s.buckets != 32 || last != date("2026-10-26") {
		t.Errorf("got %d buckets, the last from %s; want 32, the last from 2026-10-26", s.buckets, last.Format(time.DateOnly))
	}
}

// TestBuckets: a range of days, both included, in whole or partial
// intervals, and the ranges a series refuses.
func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		interval Interval
		from, to string
		want     int
		err      string
	}{
		{Day, "2026-01-01", "2026-01-01", 1, ""},
		{Day, "2024-02-28", "2024-03-01", 3, ""},
		{Week, "2026-01-01", "2026-01-07", 1, ""},
		{Week, "2026-01-01", "2026-01-08", 2, ""},
		{Day, "2026-01-01", "2028-09-26", 1000, ""},
		{Day, "2026-01-01", "2028-09-27", 0, "to: the series from 2026-01-01 to 2028-09-27 would have 1001 buckets, more than 1000: ask for a shorter range or weeks"},
		{Day, "2026-01-02", "2026-01-01", 0, "to: is before from"},
	} {
		n, err := Buckets(c.interval, date(c.from), date(c.to))
		if n != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%s from %s to %s: got %d, %v; want %d, %q", c.interval, c.from, c.to, n, err, c.want, c.err)
		}
	}
}
