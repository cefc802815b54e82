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
// are words. Like validAnswer, it reads the answers outside the caller's
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
				for _, v := range values {
					if err := answer.Validate(kind, options, v); err != nil {
						return nil, &answer.Error{Arg: arg, Reason: "an answer to the question would no longer be valid: " + err.Error()}
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpUpdate|ent.OpUpdateOne)
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
// that the question does not take (answer.Validate). It validates data,
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
	if err := answer.Validate(q.Kind, q.Options, value); err != nil {
		return &answer.Error{Arg: "input.value", Reason: err.Error()}
	}
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
	for _, q := range qs {
		if err := answer.Validate(q.Kind, q.Options, value); err != nil {
			return &answer.Error{Arg: "input.value", Reason: err.Error()}
		}
	}
	return nil
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
