package rule

import (
	"context"
	"errors"
	"slices"

	"engage/ent"
	"engage/ent/answer"
	"engage/ent/comment"
	"engage/ent/pin"
	"engage/ent/predicate"
	"engage/ent/privacy"
	"engage/ent/project"
	"engage/ent/projectmap"
	"engage/ent/projectmembership"
	"engage/ent/question"
	"engage/ent/response"
	"engage/ent/survey"
	"engage/ent/team"
	"engage/ent/teammembership"
	"engage/ent/user"
	"engage/role"
	"engage/viewer"
)

// ErrNotFound answers a write to an object the caller cannot see, exactly as
// if it did not exist. The rules return it as a *NotFoundError, which
// names the argument of the mutation at fault.
var ErrNotFound = errors.New("not found")

// NotFoundError is ErrNotFound for the object that an argument of the
// mutation names: "id" for the object written, "input.surveyID" for the
// parent of a new question... The same whether the object is missing or
// hidden from the caller.
type NotFoundError struct{ Arg string }

func (e *NotFoundError) Error() string { return e.Arg + ": not found" }

// Is makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(arg string) error { return &NotFoundError{Arg: arg} }

// The arguments that name the object a mutation changes, and the parents
// a create names, in the words of the GraphQL schema.
const (
	argID = "id"
	argIn = "input."
)

// writeCheck is what a write rule needs to decide: whether the object
// written (or, for a create, the parent it is created under) is visible to
// the caller, which project it belongs to, and the argument that names it.
type writeCheck struct {
	visible func(context.Context) (bool, error)
	project predicate.Project
	arg     string
}

// decide allows the write when the caller's role on the project is at least
// min, answers ErrNotFound when the caller cannot see the target, and
// refuses when they can see it but not write it.
func (w writeCheck) decide(ctx context.Context, c *ent.Client, min role.Role) error {
	visible, err := w.visible(ctx)
	if err != nil {
		return err
	}
	if !visible {
		return notFound(w.arg)
	}
	ok, err := c.Project.Query().Where(w.project, ProjectsWithRole(viewer.FromContext(ctx), min)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return refuse("this needs the %s role on the project", min)
	}
	return privacy.Allow
}

// allowWriteWithRole builds a rule that allows creates and single updates
// of one entity to callers whose role on the object's project is at least
// the role that need returns for the mutation. check finds, for a create,
// the parent the new object is attached to, and for an update the object
// itself: every edge a mutation can set is a parent, so this also checks
// every edge set. (A create has an ID too, from its default: check tells
// them apart by the operation.)
func allowWriteWithRole[M interface {
	ent.Mutation
	Client() *ent.Client
}](check func(*ent.Client, M) (writeCheck, bool), need func(M) role.Role) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, mutation ent.Mutation) error {
		m, ok := mutation.(M)
		if !ok || !(m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpUpdateOne)) {
			return privacy.Skip
		}
		w, ok := check(m.Client(), m)
		if !ok {
			return privacy.Denyf("the mutation names no object or parent")
		}
		return w.decide(ctx, m.Client(), need(m))
	})
}

func editor[M any](M) role.Role { return role.Editor }

// exists tells whether a query, run with the caller's privacy, finds a row.
func exists(q interface {
	Exist(context.Context) (bool, error)
}) func(context.Context) (bool, error) {
	return q.Exist
}

// AllowProjectWrites: creating a project needs the MANAGER role in the team
// it is created in (administrators may create any); changing one needs
// EDITOR on it, and moving it to another team MANAGER in that team.
func AllowProjectWrites() privacy.MutationRule {
	return privacy.ProjectMutationRuleFunc(func(ctx context.Context, m *ent.ProjectMutation) error {
		v := viewer.FromContext(ctx)
		teamID, teamSet := m.TeamID()
		if teamSet {
			if visible, err := m.Client().Team.Query().Where(team.ID(teamID)).Exist(ctx); err != nil || !visible {
				return errors.Join(err, notFound(argIn+"teamID"))
			}
		}
		switch {
		case teamSet && (v.Restricted() || v.TeamRoles[teamID] != role.Manager):
			return refuse("placing a project in a team needs the MANAGER role in that team")
		case m.TeamCleared():
			return refuse("only an administrator can take a project out of its team")
		case m.Op().Is(ent.OpCreate):
			if !teamSet {
				return refuse("creating a project needs ADMIN, or the MANAGER role in the team it is created in")
			}
			return privacy.Allow
		case m.Op().Is(ent.OpUpdateOne):
			id, _ := m.ID()
			c := m.Client()
			return writeCheck{exists(c.Project.Query().Where(project.ID(id))), project.ID(id), argID}.decide(ctx, c, role.Editor)
		}
		return privacy.Skip
	})
}

// AllowSurveyWrites: surveys are created and changed by EDITORs.
func AllowSurveyWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.SurveyMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Survey.Query().Where(survey.ID(id))), project.HasSurveysWith(survey.ID(id)), argID}, true
		}
		pid, ok := m.ProjectID()
		return writeCheck{exists(c.Project.Query().Where(project.ID(pid))), project.ID(pid), argIn + "projectID"}, ok
	}, editor)
}

// AllowQuestionWrites: questions are created and changed by EDITORs.
func AllowQuestionWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.QuestionMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Question.Query().Where(question.ID(id))), project.HasSurveysWith(survey.HasQuestionsWith(question.ID(id))), argID}, true
		}
		sid, ok := m.SurveyID()
		return writeCheck{exists(c.Survey.Query().Where(survey.ID(sid))), project.HasSurveysWith(survey.ID(sid)), argIn + "surveyID"}, ok
	}, editor)
}

// AllowResponseWrites: responses (such as paper ones) are recorded and
// changed by EDITORs.
func AllowResponseWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.ResponseMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Response.Query().Where(response.ID(id))), project.HasSurveysWith(survey.HasResponsesWith(response.ID(id))), argID}, true
		}
		sid, ok := m.SurveyID()
		return writeCheck{exists(c.Survey.Query().Where(survey.ID(sid))), project.HasSurveysWith(survey.ID(sid)), argIn + "surveyID"}, ok
	}, editor)
}

// AllowAnswerWrites: answers are recorded and changed by EDITORs. A new
// answer links two parents, its response and its question: both must be
// visible, and the role is that on the response's project. That both are of
// one survey is a rule of the data, not of rights: the hook validAnswer
// (ent/schema/hooks.go) checks it after this rule, with the answer's value.
func AllowAnswerWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.AnswerMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Answer.Query().Where(answer.ID(id))), project.HasSurveysWith(survey.HasResponsesWith(response.HasAnswersWith(answer.ID(id)))), argID}, true
		}
		rid, okR := m.ResponseID()
		qid, okQ := m.QuestionID()
		// The response is the check's argument; a hidden question is
		// reported on its own.
		bothVisible := func(ctx context.Context) (bool, error) {
			ok, err := c.Response.Query().Where(response.ID(rid)).Exist(ctx)
			if err != nil || !ok {
				return false, err
			}
			ok, err = c.Question.Query().Where(question.ID(qid)).Exist(ctx)
			if err == nil && !ok {
				err = notFound(argIn + "questionID")
			}
			return ok, err
		}
		return writeCheck{bothVisible, project.HasSurveysWith(survey.HasResponsesWith(response.ID(rid))), argIn + "responseID"}, okR && okQ
	}, editor)
}

// AllowMapWrites: maps are created and changed by EDITORs.
func AllowMapWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.ProjectMapMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.ProjectMap.Query().Where(projectmap.ID(id))), project.HasMapsWith(projectmap.ID(id)), argID}, true
		}
		pid, ok := m.ProjectID()
		return writeCheck{exists(c.Project.Query().Where(project.ID(pid))), project.ID(pid), argIn + "projectID"}, ok
	}, editor)
}

// onlyModeration needs MODERATOR for a change of status alone and EDITOR
// for anything else.
func onlyModeration[M interface {
	Fields() []string
	ClearedFields() []string
}](m M) role.Role {
	for _, f := range m.Fields() {
		if f != "status" && f != "updated_at" {
			return role.Editor
		}
	}
	if len(m.ClearedFields()) > 0 {
		return role.Editor
	}
	return role.Moderator
}

// AllowPinWrites: pins are added and edited by EDITORs, and moderated by
// MODERATORs.
func AllowPinWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.PinMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Pin.Query().Where(pin.ID(id))), project.HasMapsWith(projectmap.HasPinsWith(pin.ID(id))), argID}, true
		}
		mid, ok := m.MapID()
		return writeCheck{exists(c.ProjectMap.Query().Where(projectmap.ID(mid))), project.HasMapsWith(projectmap.ID(mid)), argIn + "mapID"}, ok
	}, func(m *ent.PinMutation) role.Role {
		if m.Op().Is(ent.OpCreate) {
			return role.Editor
		}
		return onlyModeration(m)
	})
}

// AllowCommentWrites: comments are added and edited by EDITORs, and
// moderated by MODERATORs.
func AllowCommentWrites() privacy.MutationRule {
	return allowWriteWithRole(func(c *ent.Client, m *ent.CommentMutation) (writeCheck, bool) {
		if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne) {
			return writeCheck{exists(c.Comment.Query().Where(comment.ID(id))), project.HasMapsWith(projectmap.HasPinsWith(pin.HasCommentsWith(comment.ID(id)))), argID}, true
		}
		pid, ok := m.PinID()
		return writeCheck{exists(c.Pin.Query().Where(pin.ID(pid))), project.HasMapsWith(projectmap.HasPinsWith(pin.ID(pid))), argIn + "pinID"}, ok
	}, func(m *ent.CommentMutation) role.Role {
		if m.Op().Is(ent.OpCreate) {
			return role.Editor
		}
		return onlyModeration(m)
	})
}

// MaySeePersonalData reports whether the viewer may see the personal data
// (names and emails of respondents and authors) of an object of the project:
// only with the MANAGER role on it.
func MaySeePersonalData(v *viewer.Viewer, projectID string) bool {
	if v == nil || (v.Restricted() && !slices.Contains(v.AllowedProjects, projectID)) {
		return false
	}
	return v.Admin || v.ManagedProjects[projectID]
}

// MaySeeEmail reports whether the viewer may see a user's email: their own,
// or anyone's for an administrator.
func MaySeeEmail(v *viewer.Viewer, userID string) bool {
	return v != nil && (v.Admin || v.UserID == userID)
}

// visibleAll reports whether the caller sees every one of ids, through a
// query with the caller's privacy.
func visibleAll[Q interface {
	Count(context.Context) (int, error)
}](ctx context.Context, q Q, ids []string) (bool, error) {
	if len(ids) == 0 {
		return true, nil
	}
	n, err := q.Count(ctx)
	return n == len(slices.Compact(slices.Sorted(slices.Values(ids)))), err
}

// DenyAdminOnlyWrites refuses non-administrators every change to users,
// teams and memberships, after AllowIfAdmin: NOT_FOUND when the change names
// an object the caller cannot see (as if it did not exist), FORBIDDEN
// otherwise.
func DenyAdminOnlyWrites() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		c := m.(interface{ Client() *ent.Client }).Client()
		type check struct {
			arg     string // the argument that names the objects
			visible func() (bool, error)
		}
		var checks []check
		ids := func(id string, ok bool) []string {
			if !ok {
				return nil
			}
			return []string{id}
		}
		target := func(m interface {
			IDs(context.Context) ([]string, error)
		}) []string {
			if !m.(ent.Mutation).Op().Is(ent.OpUpdateOne | ent.OpDeleteOne) {
				return nil
			}
			ids, _ := m.IDs(System(ctx)) // the IDs named; visibility is checked below
			return ids
		}
		teams := func(t []string) check {
			return check{argIn + "teamID", func() (bool, error) { return visibleAll(ctx, c.Team.Query().Where(team.IDIn(t...)), t) }}
		}
		users := func(u []string) check {
			return check{argIn + "userID", func() (bool, error) { return visibleAll(ctx, c.User.Query().Where(user.IDIn(u...)), u) }}
		}
		switch m := m.(type) {
		case *ent.UserMutation:
			u := users(target(m))
			checks = append(checks, check{argID, u.visible})
		case *ent.TeamMutation:
			t := teams(target(m))
			checks = append(checks, check{argID, t.visible})
		case *ent.TeamMembershipMutation:
			tm := target(m)
			checks = append(checks,
				check{argID, func() (bool, error) {
					return visibleAll(ctx, c.TeamMembership.Query().Where(teammembership.IDIn(tm...)), tm)
				}},
				teams(ids(m.TeamID())), users(ids(m.UserID())))
		case *ent.ProjectMembershipMutation:
			pm, p := target(m), ids(m.ProjectID())
			checks = append(checks,
				check{argID, func() (bool, error) {
					return visibleAll(ctx, c.ProjectMembership.Query().Where(projectmembership.IDIn(pm...)), pm)
				}},
				check{argIn + "projectID", func() (bool, error) { return visibleAll(ctx, c.Project.Query().Where(project.IDIn(p...)), p) }},
				users(ids(m.UserID())))
		}
		for _, ch := range checks {
			ok, err := ch.visible()
			if err != nil {
				return err
			}
			if !ok {
				return notFound(ch.arg)
			}
		}
		return refuse("only an administrator can change users, teams and memberships")
	})
}
