package api_test

// TestAggregatesDifferential: on the random worlds of the differential test
// (differential_test.go), every aggregate, as every live token, equals what
// that token computes from the rows GraphQL lets it read; those rows are
// the ones the oracle says it may see (drafts, unpublished pins and hidden
// projects left out); and no aggregate answer holds personal data.

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"engage/config"
	"engage/internal/apitest"
	"engage/moderation"
)

var aggregateWorlds = flag.Int("aggregate-worlds", 40, "how many random worlds TestAggregatesDifferential checks")

// aggregateZones are the time zones the worlds' series are asked in: the
// world's responses fall on 2026-01-01 between 00:00 and 10:00 UTC, which
// is the day before in New York and the day after, for some, in Kiritimati.
var aggregateZones = []string{"UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Pacific/Kiritimati"}

const aggregateQuery = `query($zone: String!, $since: Time!) { projects(first: 100) { edges { node { id
  stats { responseCount pins { status count } comments { status count } }
  recent: stats(where: {submittedAtGTE: $since}) { responseCount }
  surveys(first: 100) { edges { node { id
    stats { responseCount
      days: series(interval: DAY, timeZone: $zone, from: "2025-12-30", to: "2026-01-02") { start count }
      weeks: series(interval: WEEK, timeZone: $zone, from: "2025-12-25", to: "2026-01-08") { start count } }
    recent: stats(where: {submittedAtGTE: $since}) { responseCount
      days: series(interval: DAY, timeZone: $zone, from: "2025-12-30", to: "2026-01-02") { start count } }
    questions(first: 100) { edges { node { id kind options
      stats { ...QuestionStats }
      recent: stats(where: {submittedAtGTE: $since}) { ...QuestionStats } } } }
    responses(first: 100) { edges { node { id submittedAt
      answers(first: 100) { edges { node { questionID number rating choices } } } } } } } } }
  maps(first: 100) { edges { node { pins(first: 100) { edges { node { id status comments(first: 100) { edges { node { id status } } } } } } } } } } } } }
fragment QuestionStats on QuestionStats { answerCount options { option count } distribution { value count } distinctValues min max mean median }`

type (
	aggQuestionOut struct {
		ID, Kind      string
		Options       []string
		Stats, Recent questionStats
	}
	aggSeriesStats struct {
		ResponseCount int
		Days, Weeks   seriesOut
	}
	aggAnswerOut struct {
		QuestionID string
		Number     *float64
		Rating     *int
		Choices    []string
	}
	aggResponseOut struct {
		ID          string
		SubmittedAt time.Time
		Answers     struct{ Edges []struct{ Node aggAnswerOut } }
	}
	aggSurveyOut struct {
		ID            string
		Stats, Recent aggSeriesStats
		Questions     struct {
			Edges []struct{ Node aggQuestionOut }
		}
		Responses struct {
			Edges []struct{ Node aggResponseOut }
		}
	}
	aggStatusCounts []struct {
		Status string
		Count  int
	}
	aggProjectOut struct {
		ID    string
		Stats struct {
			ResponseCount  int
			Pins, Comments aggStatusCounts
		}
		Recent  struct{ ResponseCount int }
		Surveys struct{ Edges []struct{ Node aggSurveyOut } }
		Maps    struct {
			Edges []struct {
				Node struct {
					Pins struct {
						Edges []struct {
							Node struct {
								ID, Status string
								Comments   struct {
									Edges []struct{ Node struct{ ID, Status string } }
								}
							}
						}
					}
				}
			}
		}
	}
)

func TestAggregatesDifferential(t *testing.T) {
	start := time.Now()
	// The query asks for pages of 100 at every level, far above the
	// default complexity limit, which is not under test here.
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.MaxComplexity = 1 << 40 }})
	stats := map[string]int{}
	failed := 0
	for i := range *aggregateWorlds {
		d := newDiffRun(t, h, *worldSeed+uint64(i))
		d.build()
		r := rand.New(rand.NewPCG(d.seed, 19))
		for _, tok := range d.o.w.Tokens {
			if d.o.live(tok) {
				d.checkAggregates(tok, pick(r, aggregateZones), baseTime.Add(time.Duration(r.IntN(600))*time.Minute), stats)
			}
		}
		if len(d.found) > 0 {
			if failed++; failed <= reportWorlds {
				t.Errorf("seed %d: %d mismatches (rerun: go test -run TestAggregatesDifferential ./api -seed %d -aggregate-worlds 1)\n%s",
					d.seed, len(d.found), d.seed, d.report())
			}
		}
	}
	// Not vacuous: callers met hidden rows that the aggregates of the
	// same objects, read whole, count.
	for _, k := range []string{"projects with responses hidden from the caller", "projects with pins hidden from the caller", "questions with answers"} {
		if stats[k] == 0 {
			t.Errorf("no world had %s: the comparison is vacuous", k)
		}
	}
	var checked []string
	for _, k := range slices.Sorted(maps.Keys(stats)) {
		checked = append(checked, fmt.Sprintf("%s %d", k, stats[k]))
	}
	t.Logf("%d worlds from seed %d on %s in %s; %s", *aggregateWorlds, *worldSeed, h.DB.Dialect, time.Since(start).Round(time.Millisecond), strings.Join(checked, ", "))
}

// checkAggregates reads every aggregate and the rows they count as tok,
// and compares them.
func (d *diffRun) checkAggregates(tok *oToken, zone string, since time.Time, stats map[string]int) {
	vars := map[string]any{"zone": zone, "since": since.Format(time.RFC3339)}
	query := fmt.Sprintf("%s\nvariables: %v", aggregateQuery, vars)
	resp, ok := d.read(tok, "aggregates", aggregateQuery, vars)
	if !ok {
		return
	}
	if len(resp.Errors) > 0 {
		d.record(mismatch{tok: tok, label: "aggregates", query: query, unexpected: errorLines(resp)})
		return
	}
	d.checkNoPersonalData(tok, query, string(resp.Data))
	var out struct {
		Projects struct {
			Edges []struct{ Node aggProjectOut }
		}
	}
	if !d.decode(tok, "aggregates", query, resp.Data, &out) {
		return
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		d.t.Fatal(err)
	}
	var got, want, readIDs, visibleIDs []string
	for _, pe := range out.Projects.Edges {
		p := pe.Node
		// The project's aggregates, from the rows read under it.
		responses, recent := 0, 0
		for _, se := range p.Surveys.Edges {
			for _, re := range se.Node.Responses.Edges {
				responses++
				if !re.Node.SubmittedAt.Before(since) {
					recent++
				}
				readIDs = append(readIDs, re.Node.ID)
			}
		}
		pins, comments := map[string]int{}, map[string]int{}
		for _, me := range p.Maps.Edges {
			for _, pin := range me.Node.Pins.Edges {
				pins[pin.Node.Status]++
				readIDs = append(readIDs, pin.Node.ID)
				for _, c := range pin.Node.Comments.Edges {
					comments[c.Node.Status]++
					readIDs = append(readIDs, c.Node.ID)
				}
			}
		}
		got = append(got, fmt.Sprintf("project %s responses=%d recent=%d pins=%s comments=%s",
			p.ID, p.Stats.ResponseCount, p.Recent.ResponseCount, statusLine(p.Stats.Pins), statusLine(p.Stats.Comments)))
		want = append(want, fmt.Sprintf("project %s responses=%d recent=%d pins=%s comments=%s",
			p.ID, responses, recent, countsLine(pins), countsLine(comments)))
		d.noteHidden(tok, p.ID, stats)

		for _, se := range p.Surveys.Edges {
			s := se.Node
			got = append(got, fmt.Sprintf("survey %s responses=%d days=%s weeks=%s recent=%d recent.days=%s",
				s.ID, s.Stats.ResponseCount, s.Stats.Days, s.Stats.Weeks, s.Recent.ResponseCount, s.Recent.Days))
			var all, late []time.Time
			for _, re := range s.Responses.Edges {
				all = append(all, re.Node.SubmittedAt)
				if !re.Node.SubmittedAt.Before(since) {
					late = append(late, re.Node.SubmittedAt)
				}
			}
			want = append(want, fmt.Sprintf("survey %s responses=%d days=%s weeks=%s recent=%d recent.days=%s",
				s.ID, len(all), expectedSeries(all, loc, "2025-12-30", "2026-01-02", 1), expectedSeries(all, loc, "2025-12-25", "2026-01-08", 7),
				len(late), expectedSeries(late, loc, "2025-12-30", "2026-01-02", 1)))

			for _, qe := range s.Questions.Edges {
				q := qe.Node
				var answers, recentAnswers []aggAnswerOut
				for _, re := range s.Responses.Edges {
					for _, ae := range re.Node.Answers.Edges {
						if ae.Node.QuestionID == q.ID {
							answers = append(answers, ae.Node)
							if !re.Node.SubmittedAt.Before(since) {
								recentAnswers = append(recentAnswers, ae.Node)
							}
						}
					}
				}
				if len(answers) > 0 {
					stats["questions with answers"]++
				}
				got = append(got, fmt.Sprintf("question %s %s stats=%s recent=%s", q.ID, q.Kind, statsLine(q.Stats), statsLine(q.Recent)))
				want = append(want, fmt.Sprintf("question %s %s stats=%s recent=%s", q.ID, q.Kind,
					statsLine(expectedStats(q, answers)), statsLine(expectedStats(q, recentAnswers))))
			}
		}
	}
	d.compare(tok, "aggregates equal what the rows read give", query, want, got)

	// The rows read are those the oracle lets tok see.
	o, w := d.o, d.o.w
	for _, r := range w.Responses {
		if o.responseVisible(tok, r) {
			visibleIDs = append(visibleIDs, r.ID)
		}
	}
	for _, p := range w.Pins {
		if o.pinVisible(tok, p) {
			visibleIDs = append(visibleIDs, p.ID)
		}
	}
	for _, c := range w.Comments {
		if o.commentVisible(tok, c) {
			visibleIDs = append(visibleIDs, c.ID)
		}
	}
	d.compare(tok, "the rows aggregates count are those the caller may see", query, visibleIDs, readIDs)
	stats["aggregate batteries"]++
}

// noteHidden counts the projects tok sees with responses or pins that it
// does not: their aggregates must leave those out.
func (d *diffRun) noteHidden(tok *oToken, projectID string, stats map[string]int) {
	o, w := d.o, d.o.w
	for _, r := range w.Responses {
		if w.survey[r.SurveyID].ProjectID == projectID && !o.responseVisible(tok, r) {
			stats["projects with responses hidden from the caller"]++
			break
		}
	}
	for _, p := range w.Pins {
		if o.pinProject(p) == projectID && !o.pinVisible(tok, p) {
			stats["projects with pins hidden from the caller"]++
			break
		}
	}
}

// checkNoPersonalData: the answer holds no respondent's or author's name or
// email, whatever the caller's role.
func (d *diffRun) checkNoPersonalData(tok *oToken, query, body string) {
	var found []string
	for _, r := range d.o.w.Responses {
		for _, v := range []*string{r.Name, r.Email} {
			if v != nil && strings.Contains(body, *v) {
				found = append(found, *v)
			}
		}
	}
	for _, p := range d.o.w.Pins {
		if p.AuthorEmail != nil && strings.Contains(body, *p.AuthorEmail) {
			found = append(found, *p.AuthorEmail)
		}
	}
	if strings.Contains(body, "@") {
		found = append(found, "an email address (@)")
	}
	if len(found) > 0 {
		d.record(mismatch{tok: tok, label: "aggregates hold no personal data", query: query, unexpected: found})
	}
}

// statusLine writes counts by moderation status as the API answered them.
func statusLine(counts aggStatusCounts) string {
	var parts []string
	for _, c := range counts {
		parts = append(parts, fmt.Sprintf("%s:%d", c.Status, c.Count))
	}
	return strings.Join(parts, ",")
}

// countsLine writes counts by status as the API should: every status, in
// order, zeros included.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, st := range moderation.All {
		parts = append(parts, fmt.Sprintf("%s:%d", st, counts[string(st)]))
	}
	return strings.Join(parts, ",")
}

// expectedSeries counts times per bucket of days days from one date to
// another, both included, as their days fall in loc.
func expectedSeries(times []time.Time, loc *time.Location, from, to string, days int) seriesOut {
	first, _ := time.Parse(time.DateOnly, from)
	last, _ := time.Parse(time.DateOnly, to)
	var out seriesOut
	for start := first; !start.After(last); start = start.AddDate(0, 0, days) {
		out = append(out, struct {
			Start string
			Count int
		}{Start: start.Format(time.DateOnly)})
	}
	for _, t := range times {
		local := t.In(loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		if day.Before(first) || day.After(last) {
			continue
		}
		out[int(day.Sub(first).Hours()/24)/days].Count++
	}
	return out
}

// expectedStats computes a question's stats from its answers.
func expectedStats(q aggQuestionOut, answers []aggAnswerOut) questionStats {
	s := questionStats{AnswerCount: len(answers)}
	switch q.Kind {
	case "SINGLE_CHOICE", "MULTIPLE_CHOICE":
		for _, option := range q.Options {
			n := 0
			for _, a := range answers {
				if slices.Contains(a.Choices, option) {
					n++
				}
			}
			s.Options = append(s.Options, struct {
				Option string
				Count  int
			}{option, n})
		}
	case "RATING", "NUMBER":
		var values []float64
		counts := map[float64]int{}
		for _, a := range answers {
			v := deref(a.Number)
			if a.Rating != nil {
				v = float64(*a.Rating)
			}
			values = append(values, v)
			counts[v]++
		}
		sort.Float64s(values)
		distinct := len(counts)
		s.DistinctValues = &distinct
		s.Distribution = []struct {
			Value float64
			Count int
		}{}
		for _, v := range slices.Sorted(maps.Keys(counts)) {
			s.Distribution = append(s.Distribution, struct {
				Value float64
				Count int
			}{v, counts[v]})
		}
		if n := len(values); n > 0 {
			sum := 0.0
			for _, v := range values {
				sum += v
			}
			mean, median := sum/float64(n), values[n/2]
			if n%2 == 0 {
				median = (values[n/2-1] + values[n/2]) / 2
			}
			s.Min, s.Max, s.Mean, s.Median = &values[0], &values[n-1], &mean, &median
		}
	}
	return s
}

// statsLine writes stats comparably: numbers to 9 significant digits, an
// empty distribution as none.
func statsLine(s questionStats) string {
	num := func(f *float64) string {
		if f == nil {
			return "null"
		}
		return fmt.Sprintf("%.9g", *f)
	}
	distinct := "null"
	if s.DistinctValues != nil {
		distinct = fmt.Sprint(*s.DistinctValues)
	}
	options, _ := json.Marshal(s.Options)
	var distribution []string
	for _, v := range s.Distribution {
		distribution = append(distribution, fmt.Sprintf("%.9g:%d", v.Value, v.Count))
	}
	return fmt.Sprintf("{count=%d options=%s distribution=%v distinct=%s min=%s max=%s mean=%s median=%s}",
		s.AnswerCount, options, distribution, distinct, num(s.Min), num(s.Max), num(s.Mean), num(s.Median))
}
