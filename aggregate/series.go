package aggregate

import (
	"fmt"
	"io"
	"strconv"
	"time"
	_ "time/tzdata" // time zones do not depend on the host's tz database

	"entgo.io/ent/dialect/sql"
)

// Interval is the width of the buckets of a response series.
type Interval string

// The intervals of a series.
const (
	Day  Interval = "DAY"
	Week Interval = "WEEK"
)

// days is the width of the interval in calendar days.
func (i Interval) days() int {
	if i == Week {
		return 7
	}
	return 1
}

// MarshalGQL writes the interval as a GraphQL enum value.
func (i Interval) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(i))) }

// UnmarshalGQL reads a GraphQL enum value.
func (i *Interval) UnmarshalGQL(v any) error {
	if s, ok := v.(string); ok && (Interval(s) == Day || Interval(s) == Week) {
		*i = Interval(s)
		return nil
	}
	return fmt.Errorf("%v is not a valid SeriesInterval", v)
}

// MaxBuckets bounds the buckets of one series: 1,000 days is some 2¾
// years, 1,000 weeks some 19.
const MaxBuckets = 1000

// Buckets is the number of buckets of interval from one date to another,
// both included, or an error that names the argument at fault.
func Buckets(interval Interval, from, to time.Time) (int, error) {
	if to.Before(from) {
		return 0, &InputError{Arg: "to", Reason: "is before from"}
	}
	days := int(to.Sub(from).Hours()/24) + 1
	n := (days + interval.days() - 1) / interval.days()
	if n > MaxBuckets {
		return 0, &InputError{Arg: "to", Reason: fmt.Sprintf("the series from %s to %s would have %d buckets, more than %d: ask for a shorter range or weeks",
			from.Format(time.DateOnly), to.Format(time.DateOnly), n, MaxBuckets)}
	}
	return n, nil
}

// InputError is an argument the caller gave that an aggregate cannot take.
type InputError struct{ Arg, Reason string }

func (e *InputError) Error() string { return e.Arg + ": " + e.Reason }

// series is a response series planned in one time zone: the bucket of a
// response is the number of whole intervals between the start of the
// first day and the local time it was submitted.
type series struct {
	from     time.Time // the first day, as the Date scalar reads it (midnight UTC)
	interval Interval
	buckets  int
	start    time.Time // the first instant of the first day, in the zone
	end      time.Time // the first instant after the last day
	offsets  []offset  // the zone's offsets from UTC between start and end
}

// offset is the zone's offset from UTC in effect from an instant on.
type offset struct {
	from    time.Time
	seconds int
}

// planSeries checks a series' arguments and plans it.
func planSeries(interval Interval, timeZone string, from, to time.Time) (*series, error) {
	// "" and "Local" would load the server's own zone.
	zone, err := time.LoadLocation(timeZone)
	if err != nil || timeZone == "" || timeZone == "Local" {
		return nil, &InputError{Arg: "timeZone", Reason: fmt.Sprintf("%q is not an IANA time zone name, such as Europe/Paris or UTC", timeZone)}
	}
	n, err := Buckets(interval, from, to)
	if err != nil {
		return nil, err
	}
	s := &series{
		from: from, interval: interval, buckets: n,
		start: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, zone),
		end:   time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, zone),
	}
	for t := s.start; ; {
		_, seconds := t.Zone()
		s.offsets = append(s.offsets, offset{from: t, seconds: seconds})
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.Before(s.end) {
			break
		}
		t = next.In(zone)
	}
	return s, nil
}

// bucket is the SQL expression of the bucket of a response submitted at
// the instant whose Unix time (whole seconds) is the column epoch: its
// local time, in seconds as if the zone were UTC, less that of the first
// day, divided by the interval. Both dialects divide integers toward zero,
// and the difference is never negative for responses within the series.
// The numbers are written into the statement: the server computed them
// from the dates and the tz database, and no text of the caller's is.
func (s *series) bucket(epoch string) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(" + epoch + " + ")
		if len(s.offsets) == 1 {
			b.WriteString(strconv.Itoa(s.offsets[0].seconds))
		} else {
			b.WriteString("CASE")
			for i, o := range s.offsets[:len(s.offsets)-1] {
				next := s.offsets[i+1].from.Unix()
				b.WriteString(" WHEN " + epoch + " < " + strconv.FormatInt(next, 10) + " THEN " + strconv.Itoa(o.seconds))
			}
			b.WriteString(" ELSE " + strconv.Itoa(s.offsets[len(s.offsets)-1].seconds) + " END")
		}
		b.WriteString(" - " + strconv.FormatInt(s.from.Unix(), 10) + ") / " + strconv.Itoa(86400*s.interval.days()))
	})
}

// epoch is the SQL expression of the Unix time, in whole seconds, of the
// time column c. SQLite stores a time as the text Go writes
// ("2006-01-02 15:04:05.999999999 -0700 MST"), here always in UTC
// (database/utc.go): its first 19 characters are the time to the second.
func epoch(s *sql.Selector, c string) string {
	if isPostgres(s) {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM " + c + ")) AS BIGINT)"
	}
	return "unixepoch(substr(" + c + ", 1, 19))"
}

// bucketStart is the first day of bucket i.
func (s *series) bucketStart(i int) time.Time {
	return s.from.AddDate(0, 0, i*s.interval.days())
}
