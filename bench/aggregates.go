package main

import (
	"context"
	"database/sql"
	"log"
	"math/rand/v2"
	"net/http"
)

// aggregatesQuery is the analyst's summary of a page of surveys: each
// survey's response count and responses per week over the data set's
// year, and the stats of each of its questions.
const aggregatesQuery = `query Aggregates { surveys(first: 10) { edges { node { id
	stats { responseCount series(interval: WEEK, timeZone: "Europe/London", from: "2024-12-30", to: "2025-12-28") { start count } }
	questions(first: 5) { edges { node { id
		stats { answerCount options { option count } distribution { value count } distinctValues min max mean median } } } } } } } }`

var aggregatesBody = mustJSON(map[string]any{"query": aggregatesQuery})

func init() {
	// aggregates: the summary of a page of surveys, as the two users,
	// alternating, on questions of every kind that aggregates compute
	// something for (typeQuestions).
	shapeMakers["aggregates"] = func(ds *dataset, c *apiClient) func(int) op {
		if err := typeQuestions(context.Background(), ds); err != nil {
			log.Fatalf("typing the questions for the aggregates shape: %v", err)
		}
		users := []benchUser{ds.editor, ds.viewer}
		return func(worker int) op {
			i := worker
			return func(ctx context.Context, _ *rand.Rand) (string, error) {
				i++
				return "aggregates", c.expect(ctx, users[i%2].token, aggregatesBody, http.StatusOK)
			}
		}
	}
}

// typeQuestions makes the first four questions of every survey, which the
// data set loads as SHORT_TEXT, a SINGLE_CHOICE, a MULTIPLE_CHOICE, a
// RATING and a NUMBER question, with answers of those kinds drawn from
// each answer's ID, as answer.Parse would type them. It does so once: a
// database kept with -keep stays typed.
func typeQuestions(ctx context.Context, ds *dataset) error {
	db, err := sql.Open("postgres", ds.url)
	if err != nil {
		return err
	}
	defer db.Close()
	var typed bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM questions WHERE kind = 'RATING')`).Scan(&typed); err != nil || typed {
		return err
	}
	log.Printf("typing the questions of the data set for the aggregates shape")
	for _, stmt := range []string{
		`UPDATE questions SET kind = (ARRAY['SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'RATING', 'NUMBER'])[position + 1],
			options = CASE WHEN position < 2 THEN '["Bus", "Bike", "Walk", "Car"]'::jsonb END
		WHERE position < 4`,
		// n is a number drawn from the answer's ID.
		`WITH drawn AS (SELECT a.id, q.kind, abs(hashtext(a.id)) AS n FROM answers a JOIN questions q ON q.id = a.question_id WHERE q.position < 4)
		UPDATE answers SET question_kind = drawn.kind,
			value = CASE drawn.kind
				WHEN 'SINGLE_CHOICE' THEN (ARRAY['Bus', 'Bike', 'Walk', 'Car'])[n % 4 + 1]
				WHEN 'MULTIPLE_CHOICE' THEN (ARRAY['Bus', 'Bike', 'Walk', 'Car'])[n % 4 + 1] || E'\n' || (ARRAY['Bike', 'Walk', 'Car', 'Bus'])[n % 4 + 1]
				WHEN 'RATING' THEN (n % 5 + 1)::text
				ELSE trim_scale(n % 400 / 4.0)::text END,
			choices = CASE drawn.kind
				WHEN 'SINGLE_CHOICE' THEN jsonb_build_array((ARRAY['Bus', 'Bike', 'Walk', 'Car'])[n % 4 + 1])
				WHEN 'MULTIPLE_CHOICE' THEN jsonb_build_array((ARRAY['Bus', 'Bike', 'Walk', 'Car'])[n % 4 + 1], (ARRAY['Bike', 'Walk', 'Car', 'Bus'])[n % 4 + 1]) END,
			rating = CASE WHEN drawn.kind = 'RATING' THEN n % 5 + 1 END,
			number = CASE WHEN drawn.kind = 'NUMBER' THEN n % 400 / 4.0 END
		FROM drawn WHERE answers.id = drawn.id`,
		`VACUUM ANALYZE questions, answers`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
