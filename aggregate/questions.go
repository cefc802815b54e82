package aggregate

import (
	"context"
	"slices"

	"entgo.io/ent/dialect/sql"

	"engage/ent"
	"engage/ent/answer"
	"engage/ent/question"
)

// MaxDistributionValues bounds the values of one question's distribution:
// a NUMBER question may have as many distinct values as answers.
const MaxDistributionValues = 100

// QuestionStats is the GraphQL QuestionStats of one question: aggregates
// of its answers in the responses that a filter keeps.
type QuestionStats struct {
	question *ent.Question
	set      *questionSet
}

// OptionCount is how many answers chose one option.
type OptionCount struct {
	Option string
	Count  int
}

// ValueCount is how many answers have one value.
type ValueCount struct {
	Value float64
	Count int
}

// ForQuestion returns the stats of q's answers in the responses that where
// keeps (all when nil), computed with those of the questions read with q.
func ForQuestion(ctx context.Context, client *ent.Client, q *ent.Question, where *ent.ResponseWhereInput) (*QuestionStats, error) {
	set, err := setOf(ctx, q, where, func(questions []*ent.Question) *questionSet {
		return &questionSet{client: clientOf(ctx, client), questions: questions, where: where}
	})
	if err != nil {
		return nil, err
	}
	return &QuestionStats{question: q, set: set}, nil
}

// AnswerCount is the number of answers.
func (s *QuestionStats) AnswerCount(ctx context.Context) (int, error) {
	sum, err := s.set.summaries(ctx)
	return sum[s.question.ID].Count, err
}

// Options counts the answers that chose each option of a choice question,
// in the question's order, zeros included; nil for other kinds.
func (s *QuestionStats) Options(ctx context.Context) ([]*OptionCount, error) {
	if !isChoice(s.question.Kind) {
		return nil, nil
	}
	counts, err := s.set.optionCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*OptionCount, len(s.question.Options))
	for i, option := range s.question.Options {
		out[i] = &OptionCount{Option: option, Count: counts[s.question.ID][option]}
	}
	return out, nil
}

// Distribution counts the answers of each value of a RATING or NUMBER
// question, by increasing value: the MaxDistributionValues smallest
// values; nil for other kinds.
func (s *QuestionStats) Distribution(ctx context.Context) ([]*ValueCount, error) {
	if !isNumeric(s.question.Kind) {
		return nil, nil
	}
	values, err := s.set.distributions(ctx)
	if err != nil {
		return nil, err
	}
	return append([]*ValueCount{}, values[s.question.ID]...), nil
}

// DistinctValues is the number of different values of a RATING or NUMBER
// question's answers; nil for other kinds.
func (s *QuestionStats) DistinctValues(ctx context.Context) (*int, error) {
	if !isNumeric(s.question.Kind) {
		return nil, nil
	}
	sum, err := s.set.summaries(ctx)
	if err != nil {
		return nil, err
	}
	n := sum[s.question.ID].DistinctValues
	return &n, nil
}

// Min is the smallest value of a RATING or NUMBER question's answers; nil
// for other kinds and without answers.
func (s *QuestionStats) Min(ctx context.Context) (*float64, error) {
	sum, err := s.set.summaries(ctx)
	return sum[s.question.ID].Min, err
}

// Max is the largest value, as Min.
func (s *QuestionStats) Max(ctx context.Context) (*float64, error) {
	sum, err := s.set.summaries(ctx)
	return sum[s.question.ID].Max, err
}

// Mean is the mean value, as Min.
func (s *QuestionStats) Mean(ctx context.Context) (*float64, error) {
	sum, err := s.set.summaries(ctx)
	return sum[s.question.ID].Mean, err
}

// Median is the median value, as Min: the middle value, or the mean of the
// two middle values of an even number of answers.
func (s *QuestionStats) Median(ctx context.Context) (*float64, error) {
	medians, err := s.set.medians(ctx)
	if err != nil {
		return nil, err
	}
	if m, ok := medians[s.question.ID]; ok {
		return &m, nil
	}
	return nil, nil
}

func isChoice(k question.Kind) bool {
	return k == question.KindSINGLE_CHOICE || k == question.KindMULTIPLE_CHOICE
}

func isNumeric(k question.Kind) bool { return k == question.KindRATING || k == question.KindNUMBER }

// questionSet is the stats of some questions under one filter: each
// statement runs once, for all of them, when first needed.
type questionSet struct {
	client    *ent.Client
	questions []*ent.Question
	where     *ent.ResponseWhereInput

	summary      once[map[string]summary]
	options      once[map[string]map[string]int]
	distribution once[map[string][]*ValueCount]
	median       once[map[string]float64]
}

// summary is the counts and the numeric aggregates of one question.
type summary struct {
	QuestionID     string   `sql:"question_id"`
	Count          int      `sql:"count"`
	DistinctValues int      `sql:"distinct_values"`
	Min            *float64 `sql:"min"`
	Max            *float64 `sql:"max"`
	Mean           *float64 `sql:"mean"`
}

// answers is the query of the answers to the set's questions, of the kinds
// given (any when none), in the responses that the filter keeps.
func (s *questionSet) answers(kinds ...question.Kind) (*ent.AnswerQuery, error) {
	ids := make([]string, 0, len(s.questions))
	for _, q := range s.questions {
		if len(kinds) == 0 || slices.Contains(kinds, q.Kind) {
			ids = append(ids, q.ID)
		}
	}
	q := s.client.Answer.Query().Where(answer.QuestionIDIn(ids...))
	if len(kinds) > 0 {
		answerKinds := make([]answer.QuestionKind, len(kinds))
		for i, k := range kinds {
			answerKinds[i] = answer.QuestionKind(k)
		}
		q.Where(answer.QuestionKindIn(answerKinds...))
	}
	if s.where != nil {
		p, err := s.where.P()
		switch {
		case err == nil:
			q.Where(answer.HasResponseWith(p))
		case !emptyWhere(err):
			return nil, err
		}
	}
	return q, nil
}

// value is the number of a NUMBER answer or the rating of a RATING one
// (null for other kinds).
func value(rows *sql.Selector) string {
	return "COALESCE(" + rows.C(answer.FieldNumber) + ", " + rows.C(answer.FieldRating) + ")"
}

func (s *questionSet) summaries(ctx context.Context) (map[string]summary, error) {
	return s.summary.get(func() (map[string]summary, error) {
		q, err := s.answers()
		if err != nil {
			return nil, err
		}
		var rows []summary
		err = q.Aggregate(statement(func(rows *sql.Selector) *sql.Selector {
			v := value(rows)
			return rows.Select(
				sql.As(rows.C(answer.FieldQuestionID), "question_id"),
				sql.As(sql.Count("*"), "count"),
				sql.As("COUNT(DISTINCT "+v+")", "distinct_values"),
				sql.As(sql.Min(v), "min"),
				sql.As(sql.Max(v), "max"),
				sql.As(sql.Avg(v), "mean"),
			).GroupBy(rows.C(answer.FieldQuestionID))
		})).Scan(ctx, &rows)
		out := make(map[string]summary, len(rows))
		for _, r := range rows {
			out[r.QuestionID] = r
		}
		return out, err
	})
}

func (s *questionSet) optionCounts(ctx context.Context) (map[string]map[string]int, error) {
	return s.options.get(func() (map[string]map[string]int, error) {
		q, err := s.answers(question.KindSINGLE_CHOICE, question.KindMULTIPLE_CHOICE)
		if err != nil {
			return nil, err
		}
		var rows []struct {
			QuestionID string `sql:"question_id"`
			Option     string `sql:"option"`
			Count      int    `sql:"count"`
		}
		err = q.Aggregate(statement(func(rows *sql.Selector) *sql.Selector {
			// One row per option chosen: the elements of the JSON array
			// of choices, joined to their answer.
			choices, postgres := rows.C(answer.FieldChoices), isPostgres(rows)
			rows.AppendFromExpr(sql.ExprFunc(func(b *sql.Builder) {
				if postgres {
					b.WriteString("jsonb_array_elements_text(" + choices + ") AS ").Ident("choice").Wrap(func(b *sql.Builder) { b.Ident("value") })
				} else {
					b.WriteString("json_each(" + choices + ") AS ").Ident("choice")
				}
			}))
			option := column(rows, "choice", "value")
			return rows.Select(
				sql.As(rows.C(answer.FieldQuestionID), "question_id"),
				sql.As(option, "option"),
				sql.As(sql.Count("*"), "count"),
			).GroupBy(rows.C(answer.FieldQuestionID), option)
		})).Scan(ctx, &rows)
		out := map[string]map[string]int{}
		for _, r := range rows {
			if out[r.QuestionID] == nil {
				out[r.QuestionID] = map[string]int{}
			}
			out[r.QuestionID][r.Option] = r.Count
		}
		return out, err
	})
}

func (s *questionSet) distributions(ctx context.Context) (map[string][]*ValueCount, error) {
	return s.distribution.get(func() (map[string][]*ValueCount, error) {
		q, err := s.answers(question.KindRATING, question.KindNUMBER)
		if err != nil {
			return nil, err
		}
		var rows []struct {
			QuestionID string  `sql:"question_id"`
			Value      float64 `sql:"value"`
			Count      int     `sql:"count"`
		}
		err = q.Aggregate(statement(func(rows *sql.Selector) *sql.Selector {
			v, id := value(rows), rows.C(answer.FieldQuestionID)
			counts := rows.Select(
				sql.As(id, "question_id"),
				sql.As(v, "value"),
				sql.As(sql.Count("*"), "count"),
				sql.As("ROW_NUMBER() OVER (PARTITION BY "+id+" ORDER BY "+v+")", "rank"),
			).GroupBy(id, v)
			out, c := nested(counts, "counts")
			return out.Select(c("question_id"), c("value"), c("count")).
				Where(sql.LTE(c("rank"), MaxDistributionValues)).
				OrderBy(c("question_id"), c("value"))
		})).Scan(ctx, &rows)
		out := map[string][]*ValueCount{}
		for _, r := range rows {
			out[r.QuestionID] = append(out[r.QuestionID], &ValueCount{Value: r.Value, Count: r.Count})
		}
		return out, err
	})
}

func (s *questionSet) medians(ctx context.Context) (map[string]float64, error) {
	return s.median.get(func() (map[string]float64, error) {
		q, err := s.answers(question.KindRATING, question.KindNUMBER)
		if err != nil {
			return nil, err
		}
		var rows []struct {
			QuestionID string  `sql:"question_id"`
			Median     float64 `sql:"median"`
		}
		err = q.Aggregate(statement(func(rows *sql.Selector) *sql.Selector {
			v, id := value(rows), rows.C(answer.FieldQuestionID)
			ranked := rows.Select(
				sql.As(id, "question_id"),
				sql.As(v, "value"),
				sql.As("ROW_NUMBER() OVER (PARTITION BY "+id+" ORDER BY "+v+")", "position"),
				sql.As("COUNT(*) OVER (PARTITION BY "+id+")", "total"),
			)
			// The middle row, or the two middle rows (integer division).
			out, c := nested(ranked, "ranked")
			return out.Select(c("question_id"), sql.As(sql.Avg(c("value")), "median")).
				Where(sql.P(func(b *sql.Builder) {
					b.WriteString(c("position") + " IN ((" + c("total") + " + 1) / 2, (" + c("total") + " + 2) / 2)")
				})).
				GroupBy(c("question_id"))
		})).Scan(ctx, &rows)
		out := make(map[string]float64, len(rows))
		for _, r := range rows {
			out[r.QuestionID] = r.Median
		}
		return out, err
	})
}
