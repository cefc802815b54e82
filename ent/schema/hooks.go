package schema

import (
	"context"
	"fmt"
	"slices"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql/sqlgraph"

	"engage/answer"
	gen "engage/ent"
	entanswer "engage/ent/answer"
	"engage/ent/hook"
	"engage/ent/pin"
	"engage/ent/project"
	"engage/ent/projectmap"
	"engage/ent/question"
	"engage/ent/response"
	"engage/ent/survey"
	"engage/moderation"
	"engage/rule"
)

// projectScoped is a mutation of an object that records its project.
type projectScoped interface {
	ent.Mutation
	ProjectID() (string, bool)
	SetProjectID(string)
}

// inheritProject fills in a new object's project_id from its parent, so
// that privacy filters and personal-data checks find the project without
// joins. Parents never change (the edges are immutable), so neither does it.
// The parent is read outside the caller's privacy: the caller's right to
// write under it is the privacy policy's to decide, before this hook runs.
func inheritProject[M projectScoped](parentProject func(context.Context, M) (string, error)) ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, mutation ent.Mutation) (ent.Value, error) {
			m, ok := mutation.(M)
			if !ok {
				return nil, fmt.Errorf("inheritProject: unexpected mutation %T", mutation)
			}
			if _, set := m.ProjectID(); !set {
				id, err := parentProject(rule.System(ctx), m)
				if err != nil {
					return nil, fmt.Errorf("finding the project of the new object: %w", err)
				}
				m.SetProjectID(id)
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate)
}

func projectOfSurvey(ctx context.Context, c *gen.Client, surveyID string) (string, error) {
	return c.Survey.Query().Where(survey.ID(surveyID)).Select(survey.FieldProjectID).String(ctx)
}

// moderatedStatus sets the status of a new pin or comment that has none from
// its project's moderation setting: PENDING when it requires approval.
func moderatedStatus[M interface {
	projectScoped
	Client() *gen.Client
	Status() (moderation.Status, bool)
	SetStatus(moderation.Status)
}]() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, mutation ent.Mutation) (ent.Value, error) {
			m, ok := mutation.(M)
			if !ok {
				return nil, fmt.Errorf("moderatedStatus: unexpected mutation %T", mutation)
			}
			if _, set := m.Status(); !set {
				pid, _ := m.ProjectID()
				setting, err := m.Client().Project.Query().Where(project.ID(pid)).Select(project.FieldModeration).String(rule.System(ctx))
				if err != nil {
					return nil, fmt.Errorf("finding the project's moderation setting: %w", err)
				}
				m.SetStatus(moderation.Published)
				if project.Moderation(setting) == project.ModerationREQUIRES_APPROVAL {
					m.SetStatus(moderation.Pending)
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate)
}

func (Question) Hooks() []ent.Hook {
	return []ent.Hook{
		inheritProject(func(ctx context.Context, m *gen.QuestionMutation) (string, error) {
			id, _ := m.SurveyID()
			return projectOfSurvey(ctx, m.Client(), id)
		}),
		answersStayValid(),
	}
}

// answersStayValid refuses a change of a question's kind or options that
// one of its answers would no longer fit, such as removing an option that
// answers chose, or making a text question a NUMBER one while some answers
// are words. When the kind changes, it types the answers anew (retype).
// Like validAnswer, it reads and writes the answers outside the caller's
// privacy, after the policy has allowed the change.
func answersStayValid() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.QuestionFunc(func(ctx context.Context, m *gen.QuestionMutation) (ent.Value, error) {
			kind, kindSet := m.Kind()
			newOptions, optionsSet := m.Options()
			appended, _ := m.AppendedOptions()
			if !kindSet && !optionsSet && !m.OptionsCleared() && len(appended) == 0 {
				return next.Mutate(ctx, m)
			}
			system := rule.System(ctx)
			ids, err := m.IDs(system)
			if err != nil {
				return nil, err
			}
			qs, err := m.Client().Question.Query().Where(question.IDIn(ids...)).All(system)
			if err != nil {
				return nil, err
			}
			arg := "input.options"
			if kindSet {
				arg = "input.kind"
			}
			var retyped []retype
			for _, q := range qs {
				// The question as the change leaves it.
				if !kindSet {
					kind = q.Kind
				}
				options := q.Options
				if m.OptionsCleared() {
					options = nil
				}
				if optionsSet {
					options = newOptions
				}
				options = append(slices.Clip(options), appended...)
				values, err := m.Client().Answer.Query().Where(entanswer.QuestionID(q.ID)).Unique(true).Select(entanswer.FieldValue).Strings(system)
				if err != nil {
					return nil, err
				}
				r := retype{question: q.ID, kind: kind, values: map[string]answer.Value{}}
				for _, v := range values {
					typed, err := answer.Parse(kind, options, v)
					if err != nil {
						return nil, &answer.Error{Arg: arg, Reason: "an answer to the question would no longer be valid: " + err.Error()}
					}
					r.values[v] = typed
				}
				if kind != q.Kind && len(values) > 0 {
					retyped = append(retyped, r)
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			for _, r := range retyped {
				if err := r.apply(system, m.Client()); err != nil {
					return nil, fmt.Errorf("typing the answers of question %s anew: %w", r.question, err)
				}
			}
			return v, nil
		})
	}, ent.OpUpdate|ent.OpUpdateOne)
}

// retype is the new typed value of each value that the answers to a
// question hold, after a change of the question's kind.
type retype struct {
	question string
	kind     question.Kind
	values   map[string]answer.Value
}

// apply writes the answers' new kind and typed values: one statement for
// a text kind, whose answers have no typed value, else one per value.
func (r retype) apply(ctx context.Context, c *gen.Client) error {
	of := entanswer.QuestionID(r.question)
	if r.kind == question.KindSHORT_TEXT || r.kind == question.KindLONG_TEXT {
		u := c.Answer.Update().Where(of).SetQuestionKind(entanswer.QuestionKind(r.kind))
		setValue(u.Mutation(), answer.Value{})
		return u.Exec(ctx)
	}
	for value, typed := range r.values {
		u := c.Answer.Update().Where(of, entanswer.Value(value)).SetQuestionKind(entanswer.QuestionKind(r.kind))
		setValue(u.Mutation(), typed)
		if err := u.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (Response) Hooks() []ent.Hook {
	return []ent.Hook{inheritProject(func(ctx context.Context, m *gen.ResponseMutation) (string, error) {
		id, _ := m.SurveyID()
		return projectOfSurvey(ctx, m.Client(), id)
	})}
}

func (Answer) Hooks() []ent.Hook {
	return []ent.Hook{
		inheritProject(func(ctx context.Context, m *gen.AnswerMutation) (string, error) {
			id, _ := m.ResponseID()
			return m.Client().Response.Query().Where(response.ID(id)).Select(response.FieldProjectID).String(ctx)
		}),
		validAnswer(),
	}
}

// errAnswered refuses a second answer to a question in one response; the
// unique index on answers (response_id, question_id) backs it.
var errAnswered = &answer.Error{Arg: "input.questionID", Reason: "the response already answers this question; change that answer instead"}

// validAnswer refuses an answer to a question of another survey than its
// response's, a second answer to a question in one response, and a value
// that the question does not take (answer.Parse); it writes the value's
// kind and typed fields with the value. It validates data,
// not rights: the privacy policy, which runs first, has already refused
// callers who may not see the response and the question, so these are read
// outside the caller's privacy.
func validAnswer() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.AnswerFunc(func(ctx context.Context, m *gen.AnswerMutation) (ent.Value, error) {
			system := rule.System(ctx)
			check := checkNewAnswer
			if !m.Op().Is(ent.OpCreate) {
				check = checkChangedAnswers
			}
			if err := check(system, m); err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if sqlgraph.IsUniqueConstraintError(err) {
				return nil, errAnswered // a concurrent write got there between the check and the insert
			}
			return v, err
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

// checkNewAnswer checks an answer to be created. A response or question
// that does not exist answers NOT_FOUND, as the foreign key would.
func checkNewAnswer(ctx context.Context, m *gen.AnswerMutation) error {
	c := m.Client()
	rid, _ := m.ResponseID()
	qid, _ := m.QuestionID()
	value, _ := m.Value()
	surveyID, err := c.Response.Query().Where(response.ID(rid)).Select(response.FieldSurveyID).String(ctx)
	if err != nil {
		return err
	}
	q, err := c.Question.Get(ctx, qid)
	if err != nil {
		return err
	}
	if q.SurveyID != surveyID {
		return &answer.Error{Arg: "input.questionID", Reason: "the question is not of the response's survey"}
	}
	answered, err := c.Answer.Query().Where(entanswer.ResponseID(rid), entanswer.QuestionID(qid)).Exist(ctx)
	if err != nil {
		return err
	}
	if answered {
		return errAnswered
	}
	typed, err := answer.Parse(q.Kind, q.Options, value)
	if err != nil {
		return &answer.Error{Arg: "input.value", Reason: err.Error()}
	}
	m.SetQuestionKind(entanswer.QuestionKind(q.Kind))
	setValue(m, typed)
	return nil
}

// checkChangedAnswers checks a new value of existing answers against each
// of their questions. Their response and question never change (the edges
// are immutable).
func checkChangedAnswers(ctx context.Context, m *gen.AnswerMutation) error {
	value, set := m.Value()
	if !set {
		return nil
	}
	ids, err := m.IDs(ctx)
	if err != nil {
		return err
	}
	qs, err := m.Client().Question.Query().Where(question.HasAnswersWith(entanswer.IDIn(ids...))).All(ctx)
	if err != nil {
		return err
	}
	var typed answer.Value
	for i, q := range qs {
		v, err := answer.Parse(q.Kind, q.Options, value)
		if err != nil {
			return &answer.Error{Arg: "input.value", Reason: err.Error()}
		}
		// One statement writes one typed value: answers whose questions
		// type the value differently need one change each.
		if i > 0 && !v.Equal(typed) {
			return &answer.Error{Arg: "input.value", Reason: "the answers are to questions that type the value differently; change them one question kind at a time"}
		}
		typed = v
	}
	setValue(m, typed)
	return nil
}

// setValue sets the typed fields of the answers that m writes to v, and on
// an update clears those that v leaves unset.
func setValue(m *gen.AnswerMutation, v answer.Value) {
	update := !m.Op().Is(ent.OpCreate)
	switch {
	case v.Number != nil:
		m.SetNumber(*v.Number)
	case update:
		m.ClearNumber()
	}
	switch {
	case v.Rating != nil:
		m.SetRating(*v.Rating)
	case update:
		m.ClearRating()
	}
	switch {
	case v.Date != nil:
		m.SetDate(*v.Date)
	case update:
		m.ClearDate()
	}
	switch {
	case v.Choices != nil:
		m.SetChoices(v.Choices)
	case update:
		m.ClearChoices() // SetChoices(nil) would store the JSON null
	}
}

func (Pin) Hooks() []ent.Hook {
	return []ent.Hook{
		inheritProject(func(ctx context.Context, m *gen.PinMutation) (string, error) {
			id, _ := m.MapID()
			return m.Client().ProjectMap.Query().Where(projectmap.ID(id)).Select(projectmap.FieldProjectID).String(ctx)
		}),
		moderatedStatus[*gen.PinMutation](),
	}
}

func (Comment) Hooks() []ent.Hook {
	return []ent.Hook{
		inheritProject(func(ctx context.Context, m *gen.CommentMutation) (string, error) {
			id, _ := m.PinID()
			return m.Client().Pin.Query().Where(pin.ID(id)).Select(pin.FieldProjectID).String(ctx)
		}),
		moderatedStatus[*gen.CommentMutation](),
	}
}
