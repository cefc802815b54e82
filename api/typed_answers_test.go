package api_test

// Answers typed by their question's kind (issue 19, point 1): each answer
// shows its value in the one field of its kind (text, number, rating, date,
// choices), and filters and ordering compare numbers as numbers and dates
// as dates, under the same privacy as every other read.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"engage/ent/question"
	"engage/internal/apitest"
)

// typedAnswer is what the API shows of an answer.
type typedAnswer struct {
	ID      string
	Value   string
	Text    *string
	Number  *float64
	Rating  *int
	Date    *string
	Choices []string
}

const typedFields = `id value text number rating date choices`

// answer records an answer to the question of survey s of the kind, on a
// new response, through the API, and returns its ID.
func (w *answerWorld) answer(s string, kind question.Kind, value string) string {
	var out struct{ M struct{ ID string } }
	w.h.MustDo(w.admin, createAnswer, map[string]any{"rid": w.response(s), "qid": w.id[s+"."+string(kind)], "v": value}, &out)
	return out.M.ID
}

// read reads answers by ID as the caller.
func (w *answerWorld) read(caller string, ids ...string) []typedAnswer {
	var out struct{ Nodes []typedAnswer }
	w.h.MustDo(w.secret(caller), `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Answer { `+typedFields+` } } }`,
		map[string]any{"ids": ids}, &out)
	return out.Nodes
}

// TestAnswersShowTheirTypedValue: an answer of each kind has the typed
// value of its kind, and null in the fields of the other kinds; a change of
// its value changes its typed value.
func TestAnswersShowTheirTypedValue(t *testing.T) {
	w := newAnswerWorld(t)
	cases := []struct {
		kind  question.Kind
		value string
		want  typedAnswer
	}{
		{question.KindSHORT_TEXT, "Nine", typedAnswer{Text: ptr("Nine")}},
		{question.KindLONG_TEXT, "Two\nlines", typedAnswer{Text: ptr("Two\nlines")}},
		{question.KindNUMBER, "-3.25", typedAnswer{Number: ptr(-3.25)}},
		{question.KindNUMBER, "12", typedAnswer{Number: ptr(12.0)}},
		{question.KindRATING, "4", typedAnswer{Rating: ptr(4)}},
		{question.KindDATE, "2024-02-29", typedAnswer{Date: ptr("2024-02-29")}},
		{question.KindSINGLE_CHOICE, "Bike", typedAnswer{Choices: []string{"Bike"}}},
		{question.KindMULTIPLE_CHOICE, "Walk\nBus", typedAnswer{Choices: []string{"Walk", "Bus"}}},
	}
	var ids []string
	for _, c := range cases {
		ids = append(ids, w.answer("s", c.kind, c.value))
	}
	for _, caller := range []string{"admin", "editor"} {
		for i, got := range w.read(caller, ids...) {
			want := cases[i].want
			want.ID, want.Value = ids[i], cases[i].value
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s reads a %s answer %q: got %s, want %s", caller, cases[i].kind, cases[i].value, jsonOf(got), jsonOf(want))
			}
		}
	}

	// A new value, a new typed value.
	const update = `mutation($id: ID!, $v: String!) { m: updateAnswer(id: $id, input: {value: $v}) { ` + typedFields + ` } }`
	var out struct{ M typedAnswer }
	w.h.MustDo(w.editor, update, map[string]any{"id": ids[2], "v": "7.5"}, &out)
	if want := (typedAnswer{ID: ids[2], Value: "7.5", Number: ptr(7.5)}); !reflect.DeepEqual(out.M, want) {
		t.Errorf("after updateAnswer: got %s, want %s", jsonOf(out.M), jsonOf(want))
	}
	w.h.MustDo(w.editor, update, map[string]any{"id": ids[7], "v": "Bike"}, &out)
	if want := (typedAnswer{ID: ids[7], Value: "Bike", Choices: []string{"Bike"}}); !reflect.DeepEqual(out.M, want) {
		t.Errorf("after updateAnswer: got %s, want %s", jsonOf(out.M), jsonOf(want))
	}
}

// TestChangingAQuestionsKindRetypesItsAnswers: answers follow their
// question's kind when it changes, both ways.
func TestChangingAQuestionsKindRetypesItsAnswers(t *testing.T) {
	w := newAnswerWorld(t)
	const update = `mutation($id: ID!, $kind: QuestionKind!) { m: updateQuestion(id: $id, input: {kind: $kind}) { id } }`
	text := []string{w.answer("other", question.KindSHORT_TEXT, "12"), w.answer("other", question.KindSHORT_TEXT, "7.5"), w.answer("other", question.KindSHORT_TEXT, "12")}
	choice := w.answer("s", question.KindSINGLE_CHOICE, "Walk")
	rating := w.answer("s", question.KindRATING, "5")

	check := func(step string, ids []string, want ...typedAnswer) {
		t.Helper()
		got := w.read("editor", ids...)
		for i := range want {
			want[i].ID = ids[i]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %s, want %s", step, jsonOf(got), jsonOf(want))
		}
	}
	w.h.MustDo(w.editor, update, map[string]any{"id": w.id["other.SHORT_TEXT"], "kind": "NUMBER"}, nil)
	check("SHORT_TEXT made NUMBER", text,
		typedAnswer{Value: "12", Number: ptr(12.0)}, typedAnswer{Value: "7.5", Number: ptr(7.5)}, typedAnswer{Value: "12", Number: ptr(12.0)})
	w.h.MustDo(w.editor, update, map[string]any{"id": w.id["other.SHORT_TEXT"], "kind": "LONG_TEXT"}, nil)
	check("NUMBER made LONG_TEXT", text,
		typedAnswer{Value: "12", Text: ptr("12")}, typedAnswer{Value: "7.5", Text: ptr("7.5")}, typedAnswer{Value: "12", Text: ptr("12")})
	w.h.MustDo(w.editor, update, map[string]any{"id": w.id["s.SINGLE_CHOICE"], "kind": "MULTIPLE_CHOICE"}, nil)
	check("SINGLE_CHOICE made MULTIPLE_CHOICE", []string{choice}, typedAnswer{Value: "Walk", Choices: []string{"Walk"}})
	w.h.MustDo(w.editor, update, map[string]any{"id": w.id["s.RATING"], "kind": "NUMBER"}, nil)
	check("RATING made NUMBER", []string{rating}, typedAnswer{Value: "5", Number: ptr(5.0)})
}

// numberWorld answers the NUMBER question of survey s with numbers that
// text would order differently, and a SHORT_TEXT question with "10" and
// "9", which hold no number.
func numberWorld(t *testing.T) (w *answerWorld, byValue map[string]string) {
	w = newAnswerWorld(t)
	byValue = map[string]string{}
	for _, v := range []string{"10", "12.5", "8", "9", "-3", "100", "9.5"} {
		byValue[v] = w.answer("s", question.KindNUMBER, v)
	}
	for _, v := range []string{"10", "9"} {
		byValue["text "+v] = w.answer("s", question.KindSHORT_TEXT, v)
	}
	return w, byValue
}

// values lists the values of a connection's answers, in order.
type answerPage struct {
	TotalCount int
	Edges      []struct {
		Cursor string
		Node   typedAnswer
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   string
	}
}

func (p answerPage) values() []string {
	out := []string{}
	for _, e := range p.Edges {
		out = append(out, e.Node.Value)
	}
	return out
}

const answersPage = `query($where: AnswerWhereInput, $order: [AnswerOrder!], $first: Int, $after: Cursor) {
	answers(where: $where, orderBy: $order, first: $first, after: $after) {
		totalCount edges { cursor node { ` + typedFields + ` } } pageInfo { hasNextPage endCursor } } }`

// page reads a page of answers as the caller.
func (w *answerWorld) page(caller string, vars map[string]any) answerPage {
	var out struct{ Answers answerPage }
	w.h.MustDo(w.secret(caller), answersPage, vars, &out)
	return out.Answers
}

// TestNumberFiltersCompareNumbers: "more than 9" finds 10, 12.5, 100 and
// 9.5, not 8, nor 9, nor the text answers "10" and "9" (as text, "10" and
// "100" are less than "9").
func TestNumberFiltersCompareNumbers(t *testing.T) {
	w, _ := numberWorld(t)
	for _, c := range []struct {
		where map[string]any
		want  []string
	}{
		{map[string]any{"numberGT": 9}, []string{"10", "12.5", "100", "9.5"}},
		{map[string]any{"numberGTE": 9}, []string{"10", "12.5", "9", "100", "9.5"}},
		{map[string]any{"numberLT": 9}, []string{"8", "-3"}},
		{map[string]any{"numberLTE": 9.5, "numberGT": -3}, []string{"8", "9", "9.5"}},
		{map[string]any{"number": 12.5}, []string{"12.5"}},
		{map[string]any{"numberIn": []any{10, 100}}, []string{"10", "100"}},
		{map[string]any{"numberIsNil": true, "hasQuestionWith": []any{map[string]any{"kind": "SHORT_TEXT"}}}, []string{"Hello", "10", "9"}},
		// The text comparison that typed values replace.
		{map[string]any{"valueGT": "9", "hasQuestionWith": []any{map[string]any{"kind": "NUMBER"}}}, []string{"9.5"}},
	} {
		for _, caller := range []string{"admin", "editor"} {
			got := w.page(caller, map[string]any{"where": c.where})
			if !sameValues(got.values(), c.want) || got.TotalCount != len(c.want) {
				t.Errorf("%s, answers(where: %s): got %q (totalCount %d), want %q", caller, jsonOf(c.where), got.values(), got.TotalCount, c.want)
			}
		}
	}
}

// TestAnswersOrderByNumber: ordered by NUMBER, a question's answers come
// in numeric order both ways, and page by page through cursors.
func TestAnswersOrderByNumber(t *testing.T) {
	w, _ := numberWorld(t)
	ofNumber := map[string]any{"hasQuestionWith": []any{map[string]any{"kind": "NUMBER"}}}
	ascending := []string{"-3", "8", "9", "9.5", "10", "12.5", "100"}
	for _, dir := range []string{"ASC", "DESC"} {
		want := slices.Clone(ascending)
		if dir == "DESC" {
			slices.Reverse(want)
		}
		order := map[string]any{"field": "NUMBER", "direction": dir}
		if got := w.page("editor", map[string]any{"where": ofNumber, "order": order}).values(); !slices.Equal(got, want) {
			t.Errorf("ordered by NUMBER %s: got %q, want %q", dir, got, want)
		}
		if got := pageThrough(t, w, ofNumber, order, 3); !slices.Equal(got, want) {
			t.Errorf("ordered by NUMBER %s, 3 by 3: got %q, want %q", dir, got, want)
		}
	}
	// The same order under a question, nested.
	var out struct {
		Node struct{ Answers answerPage }
	}
	w.h.MustDo(w.editor, `query($id: ID!) { node(id: $id) { ... on Question { answers(orderBy: {field: NUMBER}) { edges { node { `+typedFields+` } } } } } }`,
		map[string]any{"id": w.id["s.NUMBER"]}, &out)
	if got := out.Node.Answers.values(); !slices.Equal(got, ascending) {
		t.Errorf("a question's answers ordered by NUMBER: got %q, want %q", got, ascending)
	}
}

// pageThrough reads every answer that where matches, in order, size at a
// time, following endCursor, as the editor.
func pageThrough(t testing.TB, w *answerWorld, where, order map[string]any, size int) []string {
	var all []string
	vars := map[string]any{"where": where, "order": order, "first": size}
	for range 100 {
		p := w.page("editor", vars)
		all = append(all, p.values()...)
		if !p.PageInfo.HasNextPage {
			return all
		}
		vars["after"] = p.PageInfo.EndCursor
	}
	t.Fatal("paging did not end")
	return nil
}

// TestDateFiltersAndOrder: dates compare and order as days, and a Date
// that is not a calendar day is refused as the client's mistake.
func TestDateFiltersAndOrder(t *testing.T) {
	w := newAnswerWorld(t)
	for _, v := range []string{"2024-10-01", "2024-02-29", "2023-12-31", "2024-09-30", "0999-06-15"} {
		w.answer("s", question.KindDATE, v)
	}
	for _, c := range []struct {
		where map[string]any
		want  []string
	}{
		{map[string]any{"dateGT": "2024-02-29"}, []string{"2024-10-01", "2024-09-30"}},
		{map[string]any{"dateGTE": "2024-02-29"}, []string{"2024-10-01", "2024-02-29", "2024-09-30"}},
		{map[string]any{"dateLT": "2024-01-01"}, []string{"2023-12-31", "0999-06-15"}},
		{map[string]any{"date": "2024-09-30"}, []string{"2024-09-30"}},
		{map[string]any{"dateNotIn": []any{"2024-09-30", "0999-06-15"}}, []string{"2024-10-01", "2024-02-29", "2023-12-31"}},
	} {
		if got := w.page("editor", map[string]any{"where": c.where}).values(); !sameValues(got, c.want) {
			t.Errorf("answers(where: %s): got %q, want %q", jsonOf(c.where), got, c.want)
		}
	}
	ofDate := map[string]any{"hasQuestionWith": []any{map[string]any{"kind": "DATE"}}}
	ascending := []string{"0999-06-15", "2023-12-31", "2024-02-29", "2024-09-30", "2024-10-01"}
	for _, dir := range []string{"ASC", "DESC"} {
		want := slices.Clone(ascending)
		if dir == "DESC" {
			slices.Reverse(want)
		}
		if got := pageThrough(t, w, ofDate, map[string]any{"field": "DATE", "direction": dir}, 2); !slices.Equal(got, want) {
			t.Errorf("ordered by DATE %s, 2 by 2: got %q, want %q", dir, got, want)
		}
	}
	for _, bad := range []any{"2024-02-30", "2024-2-28", "2024-02-28T00:00:00Z", "0000-01-01", 20240228, ""} {
		for _, resp := range []apitest.Response{
			w.h.Do(w.editor, answersPage, map[string]any{"where": map[string]any{"dateGT": bad}}),
			w.h.Do(w.editor, fmt.Sprintf(`{ answers(where: {dateGT: %s}) { totalCount } }`, jsonOf(bad)), nil),
		} {
			if !slices.Equal(resp.Codes(), []string{"BAD_USER_INPUT"}) {
				t.Errorf("dateGT %v: got status %d, errors %+v; want BAD_USER_INPUT", bad, resp.Status, resp.Errors)
			}
		}
	}
}

// TestTypedFiltersKeepToVisibleAnswers: the typed filters and orderings
// read answers through the same privacy as any other read: the editor
// never gets the answers of project B, which match too.
func TestTypedFiltersKeepToVisibleAnswers(t *testing.T) {
	w := newAnswerWorld(t)
	visible := w.answer("s", question.KindRATING, "5")
	hidden := w.answer("hidden", question.KindRATING, "5")
	for _, c := range []struct {
		caller string
		want   []string
	}{{"admin", []string{visible, hidden}}, {"editor", []string{visible}}} {
		for _, vars := range []map[string]any{
			{"where": map[string]any{"ratingGTE": 4}},
			{"where": map[string]any{"rating": 5}, "order": map[string]any{"field": "RATING", "direction": "DESC"}},
			{"where": map[string]any{"ratingNotNil": true}, "order": map[string]any{"field": "NUMBER"}},
		} {
			p := w.page(c.caller, vars)
			var got []string
			for _, e := range p.Edges {
				got = append(got, e.Node.ID)
			}
			if !sameValues(got, c.want) || p.TotalCount != len(c.want) {
				t.Errorf("%s, %s: got %q (totalCount %d), want %q", c.caller, jsonOf(vars), got, p.TotalCount, c.want)
			}
		}
	}
}

// sameValues reports whether two lists hold the same values, in any order.
func sameValues(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
