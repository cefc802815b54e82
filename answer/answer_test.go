package answer_test

import (
	"strings"
	"testing"
	"time"

	"engage/answer"
	"engage/ent/question"
)

func ptr[T any](v T) *T { return &v }

// TestParseTypesTheValue: each kind's value comes back in the field of
// its kind, and only there; values a kind does not take are refused.
func TestParseTypesTheValue(t *testing.T) {
	options := []string{"Bus", "Bike", "Walk"}
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind  question.Kind
		value string
		want  answer.Value
		ok    bool
	}{
		{question.KindSHORT_TEXT, "12", answer.Value{}, true},
		{question.KindLONG_TEXT, "a\nb", answer.Value{}, true},
		{question.KindNUMBER, "12", answer.Value{Number: ptr(12.0)}, true},
		{question.KindNUMBER, "-0.5", answer.Value{Number: ptr(-0.5)}, true},
		// Beyond a double's range: GraphQL's Float cannot carry it.
		{question.KindNUMBER, "1" + strings.Repeat("0", 400), answer.Value{}, false},
		{question.KindNUMBER, "1e3", answer.Value{}, false},
		{question.KindRATING, "3", answer.Value{Rating: ptr(3)}, true},
		{question.KindRATING, "6", answer.Value{}, false},
		{question.KindDATE, "2024-02-29", answer.Value{Date: &day}, true},
		{question.KindDATE, "2023-02-29", answer.Value{}, false},
		// PostgreSQL has no year 0.
		{question.KindDATE, "0000-01-01", answer.Value{}, false},
		{question.KindSINGLE_CHOICE, "Bike", answer.Value{Choices: []string{"Bike"}}, true},
		{question.KindMULTIPLE_CHOICE, "Walk\nBus", answer.Value{Choices: []string{"Walk", "Bus"}}, true},
		{question.KindMULTIPLE_CHOICE, "Walk\nWalk", answer.Value{}, false},
	} {
		got, err := answer.Parse(c.kind, options, c.value)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("Parse(%s, %q): got %+v, %v; want %+v, ok %v", c.kind, c.value, got, err, c.want, c.ok)
		}
	}
}
