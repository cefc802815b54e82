package api_test

// Writes of answers keep the data consistent: an answer's value fits its
// question's kind, a response answers each question once, and an answer's
// question is of its response's survey (issue 15). What the caller cannot
// see answers NOT_FOUND before any of these is checked.

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"engage/answer"
	"engage/ent"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/internal/apitest"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// answerWorld is a project A, in which an editor and an administrator
// write, with a survey that has a question of every kind and a second
// survey; and a project B in a restricted team, hidden from the editor.
type answerWorld struct {
	h             *apitest.Server
	admin, editor string            // token secrets
	id            map[string]string // object IDs by name
}

func newAnswerWorld(t *testing.T) *answerWorld {
	t.Helper()
	h := apitest.New(t)
	c, ctx := h.DB.Ent, testdb.System()
	w := &answerWorld{h: h, admin: h.Admin(), id: map[string]string{}}
	teamA := c.Team.Create().SetName("A").SetRestricted(true).SaveX(ctx)
	editor := h.Staff("editor@example.test", apitest.Membership{TeamID: teamA.ID, Role: role.Editor})
	teamB := c.Team.Create().SetName("B").SetRestricted(true).SaveX(ctx)
	w.editor = h.Mint(token.Spec{OwnerID: editor.ID, Name: "editor"})

	a := c.Project.Create().SetTitle("A").SetSlug("a").SetTeamID(teamA.ID).SaveX(ctx)
	b := c.Project.Create().SetTitle("B").SetSlug("b").SetTeamID(teamB.ID).SaveX(ctx)
	options := []string{"Bus", "Bike", "Walk"}
	for _, s := range []struct {
		name    string
		project *ent.Project
		kinds   []question.Kind
	}{
		{"s", a, []question.Kind{question.KindSHORT_TEXT, question.KindLONG_TEXT, question.KindSINGLE_CHOICE,
			question.KindMULTIPLE_CHOICE, question.KindRATING, question.KindNUMBER, question.KindDATE}},
		{"other", a, []question.Kind{question.KindSHORT_TEXT}},
		{"hidden", b, []question.Kind{question.KindSHORT_TEXT, question.KindRATING}},
	} {
		sv := c.Survey.Create().SetTitle(s.name).SetStatus(survey.StatusOPEN).SetProjectID(s.project.ID).SaveX(ctx)
		w.id[s.name] = sv.ID
		for i, k := range s.kinds {
			q := c.Question.Create().SetSurveyID(sv.ID).SetPosition(i).SetKind(k).SetPrompt(string(k) + "?")
			if k == question.KindSINGLE_CHOICE || k == question.KindMULTIPLE_CHOICE {
				q.SetOptions(options)
			}
			w.id[s.name+"."+string(k)] = q.SaveX(ctx).ID
		}
		w.id[s.name+".r"] = w.response(s.name)
	}
	// The response s.r has answered SHORT_TEXT already.
	c.Answer.Create().SetResponseID(w.id["s.r"]).SetQuestionID(w.id["s.SHORT_TEXT"]).SetValue("Hello").SaveX(ctx)
	return w
}

// response records a new response to the survey named s.
func (w *answerWorld) response(s string) string {
	return w.h.DB.Ent.Response.Create().SetSurveyID(w.id[s]).SaveX(testdb.System()).ID
}

// secret is the token of the caller named "admin" or "editor".
func (w *answerWorld) secret(caller string) string {
	if caller == "admin" {
		return w.admin
	}
	return w.editor
}

// checkOutcome compares a mutation's outcome with the wanted one: success
// when code is "", else one error with that code whose message starts with
// the argument named arg.
func checkOutcome(t *testing.T, resp apitest.Response, code, arg string) {
	t.Helper()
	switch {
	case code == "" && len(resp.Errors) > 0:
		t.Errorf("got %+v, want success", resp.Errors)
	case code != "" && !reflect.DeepEqual(resp.Codes(), []string{code}):
		t.Errorf("got %s, want one %s error", resp.Data, code)
	case code != "" && !strings.HasPrefix(resp.Errors[0].Message, arg):
		t.Errorf("message %q does not name %s", resp.Errors[0].Message, arg)
	}
}

const createAnswer = `mutation($rid: ID!, $qid: ID!, $v: String!) {
	m: createAnswer(input: {responseID: $rid, questionID: $qid, value: $v}) { id value } }`

// TestCreateAnswerChecksTheValue creates answers of each kind, on a new
// response each, as an administrator and as an editor.
func TestCreateAnswerChecksTheValue(t *testing.T) {
	w := newAnswerWorld(t)
	for _, c := range []struct {
		kind  question.Kind
		value string
		ok    bool
	}{
		{question.KindSHORT_TEXT, "Anything\ngoes", true},
		{question.KindLONG_TEXT, "", true},
		{question.KindSINGLE_CHOICE, "Bike", true},
		{question.KindSINGLE_CHOICE, "Train", false},
		{question.KindSINGLE_CHOICE, "Bus\nBike", false},
		{question.KindMULTIPLE_CHOICE, "Bus\nWalk", true},
		{question.KindMULTIPLE_CHOICE, "Walk", true},
		{question.KindMULTIPLE_CHOICE, "Bus\nTrain", false},
		{question.KindMULTIPLE_CHOICE, "Bus\nBus", false},
		{question.KindMULTIPLE_CHOICE, "Bus, Walk", false},
		{question.KindMULTIPLE_CHOICE, "", false},
		{question.KindRATING, "1", true},
		{question.KindRATING, "5", true},
		{question.KindRATING, "abc", false},
		{question.KindRATING, "0", false},
		{question.KindRATING, "6", false},
		{question.KindRATING, "3.5", false},
		{question.KindRATING, "03", false},
		{question.KindNUMBER, "42", true},
		{question.KindNUMBER, "-3.5", true},
		{question.KindNUMBER, "abc", false},
		{question.KindNUMBER, "NaN", false},
		{question.KindNUMBER, "1e3", false},
		{question.KindNUMBER, "", false},
		{question.KindDATE, "2026-02-28", true},
		{question.KindDATE, "2028-02-29", true},
		{question.KindDATE, "2026-02-30", false},
		{question.KindDATE, "2026-2-28", false},
		{question.KindDATE, "28/02/2026", false},
		{question.KindDATE, "2026-02-28T10:00:00Z", false},
	} {
		for _, caller := range []string{"admin", "editor"} {
			t.Run(fmt.Sprintf("%s/%s/%q", caller, c.kind, c.value), func(t *testing.T) {
				rid := w.response("s")
				resp := w.h.Do(w.secret(caller), createAnswer, map[string]any{"rid": rid, "qid": w.id["s."+string(c.kind)], "v": c.value})
				if c.ok {
					checkOutcome(t, resp, "", "")
					return
				}
				checkOutcome(t, resp, "BAD_USER_INPUT", "input.value")
				if n := w.h.DB.Ent.Response.GetX(testdb.System(), rid).QueryAnswers().CountX(testdb.System()); n != 0 {
					t.Errorf("the refused answer was stored: the response has %d answers", n)
				}
			})
		}
	}
}

// TestCreateAnswerChecksItsParents: one answer per question in a response,
// to a question of the response's survey; and NOT_FOUND, before any of
// this, for what the caller cannot see.
func TestCreateAnswerChecksItsParents(t *testing.T) {
	w := newAnswerWorld(t)
	w.id["missing.r"], w.id["missing.q"] = "rsp_"+strings.Repeat("0", 22), "qst_"+strings.Repeat("0", 22)
	for _, c := range []struct {
		name, caller, response, question, value, code, arg string
	}{
		{"second answer", "admin", "s.r", "s.SHORT_TEXT", "Again", "BAD_USER_INPUT", "input.questionID"},
		{"second answer", "editor", "s.r", "s.SHORT_TEXT", "Again", "BAD_USER_INPUT", "input.questionID"},
		{"question of another survey", "admin", "s.r", "other.SHORT_TEXT", "Hi", "BAD_USER_INPUT", "input.questionID"},
		{"question of another survey", "editor", "s.r", "other.SHORT_TEXT", "Hi", "BAD_USER_INPUT", "input.questionID"},
		{"question of another project", "admin", "s.r", "hidden.SHORT_TEXT", "Hi", "BAD_USER_INPUT", "input.questionID"},
		// The editor cannot see project B: its objects look missing,
		// whatever else is wrong with the answer.
		{"hidden question of another survey", "editor", "s.r", "hidden.SHORT_TEXT", "Hi", "NOT_FOUND", "input.questionID: not found"},
		{"hidden response, question of another survey", "editor", "hidden.r", "s.RATING", "3", "NOT_FOUND", "input.responseID: not found"},
		{"hidden response and question, bad value", "editor", "hidden.r", "hidden.RATING", "abc", "NOT_FOUND", "input.responseID: not found"},
		{"hidden response and question, bad value", "admin", "hidden.r", "hidden.RATING", "abc", "BAD_USER_INPUT", "input.value"},
		{"missing question", "admin", "s.r", "missing.q", "Hi", "NOT_FOUND", "input.questionID: not found"},
		{"missing response", "admin", "missing.r", "s.RATING", "3", "NOT_FOUND", "input.responseID: not found"},
	} {
		t.Run(c.caller+"/"+c.name, func(t *testing.T) {
			resp := w.h.Do(w.secret(c.caller), createAnswer, map[string]any{"rid": w.id[c.response], "qid": w.id[c.question], "v": c.value})
			checkOutcome(t, resp, c.code, c.arg)
		})
	}
	if n := w.h.DB.Ent.Answer.Query().CountX(testdb.System()); n != 1 {
		t.Errorf("after refused answers: got %d answers, want the 1 of the world", n)
	}
}

// TestSecondAnswersRacingEachOther sends concurrent answers to one
// question of one response: one is stored, and every other is refused with
// BAD_USER_INPUT, whether the check or the unique index caught it.
func TestSecondAnswersRacingEachOther(t *testing.T) {
	w := newAnswerWorld(t)
	rid, qid := w.response("s"), w.id["s.RATING"]
	const racers = 8
	resps := make([]apitest.Response, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			resps[i] = w.h.Do(w.admin, createAnswer, map[string]any{"rid": rid, "qid": qid, "v": fmt.Sprint(i%5 + 1)})
		})
	}
	wg.Wait()
	stored := 0
	for _, resp := range resps {
		if len(resp.Errors) == 0 {
			stored++
			continue
		}
		checkOutcome(t, resp, "BAD_USER_INPUT", "input.questionID")
	}
	if stored != 1 {
		t.Errorf("got %d answers stored, want 1", stored)
	}
}

// TestDuplicateAnswersPastTheCheck: two answers to one question created in
// one batch both pass the check, which reads the table before either is
// written; the unique index refuses the second, as an answer.Error.
func TestDuplicateAnswersPastTheCheck(t *testing.T) {
	w := newAnswerWorld(t)
	c, rid, qid := w.h.DB.Ent, w.response("s"), w.id["s.NUMBER"]
	_, err := c.Answer.CreateBulk(
		c.Answer.Create().SetResponseID(rid).SetQuestionID(qid).SetValue("1"),
		c.Answer.Create().SetResponseID(rid).SetQuestionID(qid).SetValue("2"),
	).Save(testdb.System())
	var invalid *answer.Error
	if !errors.As(err, &invalid) || invalid.Arg != "input.questionID" {
		t.Fatalf("got %v, want an answer.Error about input.questionID", err)
	}
	if n := c.Answer.Query().CountX(testdb.System()); n != 1 {
		t.Errorf("got %d answers, want the 1 of the world", n)
	}
}

// TestUpdateAnswerChecksTheValue changes existing answers.
func TestUpdateAnswerChecksTheValue(t *testing.T) {
	w := newAnswerWorld(t)
	const update = `mutation($id: ID!, $v: String!) { m: updateAnswer(id: $id, input: {value: $v}) { id value } }`
	c := w.h.DB.Ent
	rid := w.response("s")
	ids := map[question.Kind]string{}
	for k, v := range map[question.Kind]string{question.KindRATING: "3", question.KindSINGLE_CHOICE: "Bus", question.KindDATE: "2026-01-05"} {
		ids[k] = c.Answer.Create().SetResponseID(rid).SetQuestionID(w.id["s."+string(k)]).SetValue(v).SaveX(testdb.System()).ID
	}
	for _, tc := range []struct {
		kind  question.Kind
		value string
		ok    bool
	}{
		{question.KindRATING, "4", true},
		{question.KindRATING, "9", false},
		{question.KindSINGLE_CHOICE, "Walk", true},
		{question.KindSINGLE_CHOICE, "Train", false},
		{question.KindDATE, "2026-13-01", false},
	} {
		for _, caller := range []string{"admin", "editor"} {
			t.Run(fmt.Sprintf("%s/%s/%q", caller, tc.kind, tc.value), func(t *testing.T) {
				before := c.Answer.GetX(testdb.System(), ids[tc.kind]).Value
				resp := w.h.Do(w.secret(caller), update, map[string]any{"id": ids[tc.kind], "v": tc.value})
				if tc.ok {
					checkOutcome(t, resp, "", "")
					return
				}
				checkOutcome(t, resp, "BAD_USER_INPUT", "input.value")
				if after := c.Answer.GetX(testdb.System(), ids[tc.kind]).Value; after != before {
					t.Errorf("the refused value was stored: got %q, want %q", after, before)
				}
			})
		}
	}
	// An answer the editor cannot see looks missing, even with a bad value.
	hidden := c.Answer.Create().SetResponseID(w.id["hidden.r"]).SetQuestionID(w.id["hidden.RATING"]).SetValue("2").SaveX(testdb.System())
	checkOutcome(t, w.h.Do(w.editor, update, map[string]any{"id": hidden.ID, "v": "abc"}), "NOT_FOUND", "id: not found")
}

// TestUpdateQuestionKeepsItsAnswersValid: a question's kind and options
// may change only as far as its answers still fit them.
func TestUpdateQuestionKeepsItsAnswersValid(t *testing.T) {
	w := newAnswerWorld(t)
	const update = `mutation($id: ID!, $in: UpdateQuestionInput!) { m: updateQuestion(id: $id, input: $in) { id kind options } }`
	c := w.h.DB.Ent
	rid := w.response("s")
	for k, v := range map[question.Kind]string{question.KindSINGLE_CHOICE: "Bus", question.KindMULTIPLE_CHOICE: "Bike\nWalk", question.KindNUMBER: "12"} {
		c.Answer.Create().SetResponseID(rid).SetQuestionID(w.id["s."+string(k)]).SetValue(v).SaveX(testdb.System())
	}
	for _, tc := range []struct {
		name, question string
		input          map[string]any
		code, arg      string
	}{
		{"an option answers chose removed", "s.SINGLE_CHOICE", map[string]any{"options": []string{"Bike", "Walk"}}, "BAD_USER_INPUT", "input.options"},
		{"options cleared", "s.MULTIPLE_CHOICE", map[string]any{"clearOptions": true}, "BAD_USER_INPUT", "input.options"},
		{"text answers of a NUMBER question", "s.SHORT_TEXT", map[string]any{"kind": "NUMBER"}, "BAD_USER_INPUT", "input.kind"},
		{"MULTIPLE_CHOICE answers of a SINGLE_CHOICE question", "s.MULTIPLE_CHOICE", map[string]any{"kind": "SINGLE_CHOICE"}, "BAD_USER_INPUT", "input.kind"},
		{"an option added", "s.SINGLE_CHOICE", map[string]any{"appendOptions": []string{"Train"}}, "", ""},
		{"options that keep the one chosen", "s.SINGLE_CHOICE", map[string]any{"options": []string{"Bus", "Tram"}}, "", ""},
		{"SINGLE_CHOICE becomes MULTIPLE_CHOICE", "s.SINGLE_CHOICE", map[string]any{"kind": "MULTIPLE_CHOICE"}, "", ""},
		{"NUMBER becomes SHORT_TEXT", "s.NUMBER", map[string]any{"kind": "SHORT_TEXT"}, "", ""},
		{"a question without answers", "s.RATING", map[string]any{"kind": "DATE"}, "", ""},
		{"the prompt only", "s.SHORT_TEXT", map[string]any{"prompt": "Changed?"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qid := w.id[tc.question]
			before := c.Question.GetX(testdb.System(), qid)
			resp := w.h.Do(w.editor, update, map[string]any{"id": qid, "in": tc.input})
			checkOutcome(t, resp, tc.code, tc.arg)
			if after := c.Question.GetX(testdb.System(), qid); tc.code != "" && (after.Kind != before.Kind || !reflect.DeepEqual(after.Options, before.Options)) {
				t.Errorf("the refused change was stored: got %s %q, want %s %q", after.Kind, after.Options, before.Kind, before.Options)
			}
		})
	}
}
