package export_test

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/testdb"
)

// bulkSurvey is an open survey of one RATING question, in a project every
// user sees, for exports of many rows.
type bulkSurvey struct{ projectID, surveyID, questionID string }

func newBulkSurvey(s *server) bulkSurvey {
	s.t.Helper()
	ctx, c := testdb.System(), s.DB.Ent
	p := c.Project.Create().SetTitle("Bulk").SetSlug("bulk").SetStatus("PUBLISHED").SaveX(ctx)
	sv := c.Survey.Create().SetTitle("Bulk").SetStatus(survey.StatusOPEN).SetProjectID(p.ID).SaveX(ctx)
	q := c.Question.Create().SetSurveyID(sv.ID).SetPosition(0).SetKind(question.KindRATING).SetPrompt("Rate it").SaveX(ctx)
	return bulkSurvey{projectID: p.ID, surveyID: sv.ID, questionID: q.ID}
}

func (b bulkSurvey) path(ext string) string {
	return "/exports/surveys/" + b.surveyID + "/responses." + ext
}

// insert adds n responses with raw SQL (ent would take minutes for a
// million), each with a name, an email and a rating (its text and its typed column): response i is
// submitted i seconds after 2026-01-05 09:00 UTC. Times are written as the
// drivers write them (on SQLite, modernc's time.Time.String format).
func (b bulkSurvey) insert(t testing.TB, db *database.DB, n int) {
	t.Helper()
	var responses, answers string
	if db.Dialect == dialect.Postgres {
		const rows = `FROM (SELECT i, timestamptz '2026-01-05 09:00:00+00' + i * interval '1 second' AS t FROM generate_series(1, $1) AS i) AS g`
		responses = `INSERT INTO responses (id, created_at, updated_at, submitted_at, respondent_name, respondent_email, project_id, survey_id)
			SELECT 'rsp_' || lpad(i::text, 22, '0'), t, t, t, 'Name ' || i, 'r' || i || '@example.test', $2, $3 ` + rows
		answers = `INSERT INTO answers (id, created_at, updated_at, value, question_kind, rating, project_id, question_id, response_id)
			SELECT 'ans_' || lpad(i::text, 22, '0'), t, t, (i % 5 + 1)::text, 'RATING', i % 5 + 1, $2, $3, 'rsp_' || lpad(i::text, 22, '0') ` + rows
	} else {
		const rows = `FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
			SELECT i, strftime('%Y-%m-%d %H:%M:%S', '2026-01-05 09:00:00', '+' || i || ' seconds') || ' +0000 UTC' AS t FROM n)`
		responses = `INSERT INTO responses (id, created_at, updated_at, submitted_at, respondent_name, respondent_email, project_id, survey_id)
			SELECT 'rsp_' || printf('%022d', i), t, t, t, 'Name ' || i, 'r' || i || '@example.test', $2, $3 ` + rows
		answers = `INSERT INTO answers (id, created_at, updated_at, value, question_kind, rating, project_id, question_id, response_id)
			SELECT 'ans_' || printf('%022d', i), t, t, CAST(i % 5 + 1 AS TEXT), 'RATING', i % 5 + 1, $2, $3, 'rsp_' || printf('%022d', i) ` + rows
	}
	exec := func(query string, args ...any) {
		if _, err := db.SQL.ExecContext(context.Background(), query, args...); err != nil {
			t.Fatalf("inserting rows: %v", err)
		}
	}
	tx, err := db.SQL.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range []struct {
		sql  string
		args []any
	}{{responses, []any{n, b.projectID, b.surveyID}}, {answers, []any{n, b.projectID, b.questionID}}} {
		if _, err := tx.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("inserting rows: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if db.Dialect == dialect.Postgres {
		exec("ANALYZE responses")
		exec("ANALYZE answers")
	}
}
