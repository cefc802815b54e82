package aggregate

import (
	"context"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"engage/ent"
	"engage/ent/response"
)

// SurveyStats is the GraphQL SurveyStats of one survey: aggregates of its
// responses that a filter keeps.
type SurveyStats struct {
	survey *ent.Survey
	set    *surveySet
}

// SeriesBucket is the number of responses submitted in one interval.
type SeriesBucket struct {
	Start time.Time // the interval's first day
	Count int
}

// ForSurvey returns the stats of the responses to sv that where keeps (all
// when nil), computed with those of the surveys read with sv.
func ForSurvey(ctx context.Context, client *ent.Client, sv *ent.Survey, where *ent.ResponseWhereInput) (*SurveyStats, error) {
	set, err := setOf(ctx, sv, where, func(surveys []*ent.Survey) *surveySet {
		return &surveySet{client: clientOf(ctx, client), surveys: surveys, where: where, series: map[seriesKey]*once[map[string][]int]{}}
	})
	if err != nil {
		return nil, err
	}
	return &SurveyStats{survey: sv, set: set}, nil
}

// ResponseCount is the number of responses.
func (s *SurveyStats) ResponseCount(ctx context.Context) (int, error) {
	counts, err := s.set.responseCounts(ctx)
	return counts[s.survey.ID], err
}

// Series counts the responses submitted in each interval from one day to
// another, both included, in a time zone; each bucket starts on the day
// from is, or a whole number of intervals after it.
func (s *SurveyStats) Series(ctx context.Context, interval Interval, timeZone string, from, to time.Time) ([]*SeriesBucket, error) {
	counts, plan, err := s.set.responseSeries(ctx, seriesKey{interval, timeZone, from, to})
	if err != nil {
		return nil, err
	}
	out := make([]*SeriesBucket, plan.buckets)
	for i := range out {
		out[i] = &SeriesBucket{Start: plan.bucketStart(i)}
		if c := counts[s.survey.ID]; c != nil {
			out[i].Count = c[i]
		}
	}
	return out, nil
}

// surveySet is the stats of some surveys under one filter.
type surveySet struct {
	client  *ent.Client
	surveys []*ent.Survey
	where   *ent.ResponseWhereInput

	count once[map[string]int]
	mu    sync.Mutex
	// series holds each series asked for, by its arguments: counts per
	// bucket of each survey.
	series map[seriesKey]*once[map[string][]int]
}

// seriesKey is the arguments of a series.
type seriesKey struct {
	interval Interval
	timeZone string
	from, to time.Time
}

// responses is the query of the responses to the set's surveys that the
// filter keeps.
func (s *surveySet) responses() (*ent.ResponseQuery, error) {
	ids := make([]string, len(s.surveys))
	for i, sv := range s.surveys {
		ids[i] = sv.ID
	}
	return s.where.Filter(s.client.Response.Query().Where(response.SurveyIDIn(ids...)))
}

func (s *surveySet) responseCounts(ctx context.Context) (map[string]int, error) {
	return s.count.get(func() (map[string]int, error) {
		q, err := s.responses()
		if err != nil {
			return nil, err
		}
		var rows []struct {
			SurveyID string `sql:"survey_id"`
			Count    int    `sql:"count"`
		}
		err = q.GroupBy(response.FieldSurveyID).Aggregate(ent.Count()).Scan(ctx, &rows)
		out := make(map[string]int, len(rows))
		for _, r := range rows {
			out[r.SurveyID] = r.Count
		}
		return out, err
	})
}

// responseSeries counts the responses of each survey per bucket of the
// series key describes, planned again (it is cheap) for every caller.
func (s *surveySet) responseSeries(ctx context.Context, key seriesKey) (map[string][]int, *series, error) {
	plan, err := planSeries(key.interval, key.timeZone, key.from, key.to)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	o, ok := s.series[key]
	if !ok {
		o = new(once[map[string][]int])
		s.series[key] = o
	}
	s.mu.Unlock()
	counts, err := o.get(func() (map[string][]int, error) {
		q, err := s.responses()
		if err != nil {
			return nil, err
		}
		var rows []struct {
			SurveyID string `sql:"survey_id"`
			Bucket   int    `sql:"bucket"`
			Count    int    `sql:"count"`
		}
		err = q.Where(response.SubmittedAtGTE(plan.start), response.SubmittedAtLT(plan.end)).
			Aggregate(statement(func(rows *sql.Selector) *sql.Selector {
				submitted := rows.Select(
					sql.As(rows.C(response.FieldSurveyID), "survey_id"),
					sql.As(epoch(rows, rows.C(response.FieldSubmittedAt)), "at"),
				)
				out, c := nested(submitted, "submitted")
				return out.Select(c("survey_id")).
					AppendSelectExprAs(plan.bucket(c("at")), "bucket").
					AppendSelectAs(sql.Count("*"), "count").
					GroupBy(c("survey_id"), "bucket")
			})).Scan(ctx, &rows)
		out := map[string][]int{}
		for _, r := range rows {
			if out[r.SurveyID] == nil {
				out[r.SurveyID] = make([]int, plan.buckets)
			}
			if r.Bucket >= 0 && r.Bucket < plan.buckets {
				out[r.SurveyID][r.Bucket] = r.Count
			}
		}
		return out, err
	})
	return counts, plan, err
}
