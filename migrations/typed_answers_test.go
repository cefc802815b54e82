package migrations_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"engage/answer"
	entanswer "engage/ent/answer"
	"engage/ent/question"
	"engage/rule"
)

// TestAnswersAreTypedByTheMigration writes answers of every kind, valid
// ones and values that no longer fit their question (written before answers
// were validated), on a database migrated up to just before typed_answers;
// after the migration each answer must hold its question's kind and the
// typed value that answer.Parse gives its value (none when Parse refuses
// it), and filters must compare the typed columns as numbers and dates.
func TestAnswersAreTypedByTheMigration(t *testing.T) {
	db := openBefore(t, "typed_answers")

	c, ctx := db.Ent, rule.System(context.Background())
	p := c.Project.Create().SetTitle("P").SetSlug("p").SaveX(ctx)
	s := c.Survey.Create().SetTitle("S").SetProjectID(p.ID).SaveX(ctx)
	options := []string{"Bus", "Bike", "Walk"}
	values := map[question.Kind][]string{
		question.KindSHORT_TEXT:      {"Hello", ""},
		question.KindLONG_TEXT:       {"Two\nlines"},
		question.KindRATING:          {"1", "4", "5", "0", "6", "04", "3.0", "x"},
		question.KindNUMBER:          {"10", "12.5", "8", "9", "-3", "-0.25", "0", "1e3", "abc", "-.5", "5.", "1.2.3", "--1", "+1", " 1", "", "1" + strings.Repeat("0", 400)},
		question.KindDATE:            {"2024-02-29", "0999-12-31", "2023-02-29", "2024-04-31", "2024-13-01", "0000-01-01", "2024-1-01", "2024-01-01T00:00:00Z"},
		question.KindSINGLE_CHOICE:   {"Bike", "Train", "Bus\nBike"},
		question.KindMULTIPLE_CHOICE: {"Walk\nBus", "Bike", "Bus\nWalk\nBike", "Bus\nBus", "Bus\nTrain", "", "Bus\n"},
	}
	kinds := map[string]question.Kind{} // answer ID -> its question's kind
	n := 0
	for k, vs := range values {
		q := c.Question.Create().SetSurveyID(s.ID).SetPosition(len(kinds)).SetKind(k).SetPrompt(string(k) + "?").SetOptions(options).SaveX(ctx)
		for _, v := range vs {
			n++
			r := c.Response.Create().SetSurveyID(s.ID).SaveX(ctx)
			id := fmt.Sprintf("ans_%03d", n)
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			insertAnswer(t, db, answerRow{id: id, response: r.ID, question: q.ID, value: v, project: p.ID, created: at, updated: at})
			kinds[id] = k
		}
	}

	if err := db.Migrate(); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	got := c.Answer.Query().AllX(ctx)
	if len(got) != n {
		t.Fatalf("got %d answers after the migration, want %d", len(got), n)
	}
	for _, a := range got {
		k := kinds[a.ID]
		want, err := answer.Parse(k, options, a.Value)
		if err != nil {
			want = answer.Value{}
		}
		stored := answer.Value{Number: a.Number, Rating: a.Rating, Date: a.Date, Choices: a.Choices}
		if a.Date != nil {
			d := a.Date.UTC()
			stored.Date = &d
		}
		if string(a.QuestionKind) != string(k) || !stored.Equal(want) {
			t.Errorf("%s answer %q: got kind %s, %s; want kind %s, %s", k, a.Value, a.QuestionKind, show(stored), k, show(want))
		}
	}

	// Numbers compare as numbers ("9" as text is greater than "10"), dates
	// as dates.
	var answered []string
	for _, a := range c.Answer.Query().Where(entanswer.NumberGT(9)).Order(entanswer.ByNumber()).AllX(ctx) {
		answered = append(answered, a.Value)
	}
	if want := []string{"10", "12.5"}; !slices.Equal(answered, want) {
		t.Errorf("answers with a number greater than 9: got %q, want %q", answered, want)
	}
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	answered = nil
	for _, a := range c.Answer.Query().Where(entanswer.DateGTE(day)).AllX(ctx) {
		answered = append(answered, a.Value)
	}
	if want := []string{"2024-02-29"}; !slices.Equal(answered, want) {
		t.Errorf("answers dated from 2024-02-29: got %q, want %q", answered, want)
	}
}

// show writes a typed value for a failure message.
func show(v answer.Value) string {
	var parts []string
	if v.Number != nil {
		parts = append(parts, fmt.Sprint("number ", *v.Number))
	}
	if v.Rating != nil {
		parts = append(parts, fmt.Sprint("rating ", *v.Rating))
	}
	if v.Date != nil {
		parts = append(parts, "date "+v.Date.Format(time.RFC3339))
	}
	if v.Choices != nil {
		parts = append(parts, fmt.Sprintf("choices %q", v.Choices))
	}
	if len(parts) == 0 {
		return "no typed value"
	}
	return strings.Join(parts, ", ")
}
