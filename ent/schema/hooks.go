package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	gen "engage/ent"
	"engage/ent/hook"
	"engage/ent/pin"
	"engage/ent/privacy"
	"engage/ent/project"
	"engage/ent/projectmap"
	"engage/ent/response"
	"engage/ent/survey"
	"engage/moderation"
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
				id, err := parentProject(privacy.DecisionContext(ctx, privacy.Allow), m)
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
				setting, err := m.Client().Project.Query().Where(project.ID(pid)).Select(project.FieldModeration).String(privacy.DecisionContext(ctx, privacy.Allow))
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
	return []ent.Hook{inheritProject(func(ctx context.Context, m *gen.QuestionMutation) (string, error) {
		id, _ := m.SurveyID()
		return projectOfSurvey(ctx, m.Client(), id)
	})}
}

func (Response) Hooks() []ent.Hook {
	return []ent.Hook{inheritProject(func(ctx context.Context, m *gen.ResponseMutation) (string, error) {
		id, _ := m.SurveyID()
		return projectOfSurvey(ctx, m.Client(), id)
	})}
}

func (Answer) Hooks() []ent.Hook {
	return []ent.Hook{inheritProject(func(ctx context.Context, m *gen.AnswerMutation) (string, error) {
		id, _ := m.ResponseID()
		return m.Client().Response.Query().Where(response.ID(id)).Select(response.FieldProjectID).String(ctx)
	})}
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
