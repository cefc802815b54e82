package rule

import (
	"entgo.io/ent/dialect/sql"

	"engage/ent/answer"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/comment"
	"engage/ent/pin"
	"engage/ent/predicate"
	"engage/ent/project"
	"engage/ent/projectmembership"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/team"
	"engage/ent/teammembership"
	"engage/ent/user"
	"engage/moderation"
	"engage/role"
	"engage/viewer"
)

// This file turns the viewer into SQL predicates: "the projects on which
// the caller's role is at least R", and from it what the caller may see of
// every entity. The viewer's memberships were loaded once for the request,
// so each predicate is a fixed list of IDs plus subqueries, evaluated by the
// database with the rest of the query.

// nothing matches no row.
func nothing(s *sql.Selector) { s.Where(sql.False()) }

// ProjectsWithRole matches the projects on which the viewer's role is at
// least min: through a project membership, a team membership in the
// project's team, or, for VIEWER, because the project has no team or its team
// is not restricted. A token limited to some projects has no role elsewhere.
// Administrators are MANAGER everywhere.
func ProjectsWithRole(v *viewer.Viewer, min role.Role) predicate.Project {
	var pred predicate.Project
	if v.Admin {
		pred = func(*sql.Selector) {} // every project
	} else {
		var any []predicate.Project
		if min == role.Viewer {
			any = append(any, project.TeamIDIsNil(), project.HasTeamWith(team.Restricted(false)))
		}
		if ids := idsWithRole(v.ProjectRoles, min); len(ids) > 0 {
			any = append(any, project.IDIn(ids...))
		}
		if ids := idsWithRole(v.TeamRoles, min); len(ids) > 0 {
			any = append(any, project.TeamIDIn(ids...))
		}
		if len(any) == 0 {
			return nothing
		}
		pred = project.Or(any...)
	}
	if v.Restricted() {
		if len(v.AllowedProjects) == 0 {
			return nothing
		}
		return project.And(pred, project.IDIn(v.AllowedProjects...))
	}
	return pred
}

// idsWithRole lists the keys of roles whose role is at least min.
func idsWithRole(roles map[string]role.Role, min role.Role) []string {
	var ids []string
	for id, r := range roles {
		if r.AtLeast(min) {
			ids = append(ids, id)
		}
	}
	return ids
}

// inProjects matches rows whose project_id column holds a project that
// projects matches. Every project-scoped table carries project_id, so
// visibility needs one subquery on projects, however deep the object.
func inProjects(projects predicate.Project) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(project.Table)
		sub := sql.Select(t.C(project.FieldID)).From(t)
		projects(sub)
		s.Where(sql.In(s.C("project_id"), sub))
	}
}

// VisibleProjects matches the projects the viewer may see.
func VisibleProjects(v *viewer.Viewer) predicate.Project { return ProjectsWithRole(v, role.Viewer) }

// VisibleMaps matches the maps of the projects the viewer sees.
func VisibleMaps(v *viewer.Viewer) predicate.ProjectMap {
	return inProjects(VisibleProjects(v))
}

// VisibleProjectMemberships matches the memberships of the projects the
// viewer sees.
func VisibleProjectMemberships(v *viewer.Viewer) predicate.ProjectMembership {
	return inProjects(VisibleProjects(v))
}

// VisibleSurveys matches the surveys the viewer may see: those of projects
// they see, drafts only where their role is at least EDITOR.
func VisibleSurveys(v *viewer.Viewer) predicate.Survey {
	return survey.And(
		inProjects(VisibleProjects(v)),
		survey.Or(survey.StatusNEQ(survey.StatusDRAFT), inProjects(ProjectsWithRole(v, role.Editor))),
	)
}

// inVisibleSurveys matches rows whose survey_id holds a survey the viewer
// sees: a subquery on the (few) surveys rather than on each row's project,
// which PostgreSQL evaluates once for a whole page of responses.
func inVisibleSurveys(v *viewer.Viewer) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(survey.Table)
		sub := sql.Select(t.C(survey.FieldID)).From(t)
		VisibleSurveys(v)(sub)
		s.Where(sql.In(s.C("survey_id"), sub))
	}
}

// VisibleQuestions matches the questions of the surveys the viewer sees.
func VisibleQuestions(v *viewer.Viewer) predicate.Question { return inVisibleSurveys(v) }

// VisibleResponses matches the responses to the surveys the viewer sees.
func VisibleResponses(v *viewer.Viewer) predicate.Response { return inVisibleSurveys(v) }

// VisibleAnswers matches the answers to questions of the surveys the viewer
// sees (an answer's question and response share their survey).
func VisibleAnswers(v *viewer.Viewer) predicate.Answer {
	return func(s *sql.Selector) {
		t := sql.Table(question.Table)
		sub := sql.Select(t.C(question.FieldID)).From(t)
		inVisibleSurveys(v)(sub)
		s.Where(sql.In(s.C(answer.FieldQuestionID), sub))
	}
}

// VisiblePins matches the pins the viewer may see: published ones in the
// projects they see, and any status where their role is at least MODERATOR.
func VisiblePins(v *viewer.Viewer) predicate.Pin {
	return pin.And(
		inProjects(VisibleProjects(v)),
		pin.Or(pin.StatusEQ(moderation.Published), inProjects(ProjectsWithRole(v, role.Moderator))),
	)
}

// VisibleComments matches the comments the viewer may see: published ones
// on published pins in the projects they see, and any where their role is
// at least MODERATOR.
func VisibleComments(v *viewer.Viewer) predicate.Comment {
	return comment.And(
		inProjects(VisibleProjects(v)),
		comment.Or(
			comment.And(comment.StatusEQ(moderation.Published), comment.HasPinWith(pin.StatusEQ(moderation.Published))),
			inProjects(ProjectsWithRole(v, role.Moderator)),
		),
	)
}

// all matches every row: administrators see every user, team, token and
// audit event, even through a token limited to some projects, because those
// are not project data.
func all(*sql.Selector) {}

// VisibleTeams matches the teams the viewer may see: open teams and those
// they belong to.
func VisibleTeams(v *viewer.Viewer) predicate.Team {
	if v.Admin {
		return all
	}
	if ids := keys(v.TeamRoles); len(ids) > 0 {
		return team.Or(team.Restricted(false), team.IDIn(ids...))
	}
	return team.Restricted(false)
}

// VisibleTeamMemberships matches the memberships of the teams the viewer sees.
func VisibleTeamMemberships(v *viewer.Viewer) predicate.TeamMembership {
	return teammembership.HasTeamWith(VisibleTeams(v))
}

// VisibleUsers matches the users the viewer may see: themself, and users who
// share a team or a project with them. Sharing a project means both have a
// role on it through a membership: of the project, or of the project's team.
func VisibleUsers(v *viewer.Viewer) predicate.User {
	if v.Admin {
		return all
	}
	any := []predicate.User{user.ID(v.UserID)}
	if teams := keys(v.TeamRoles); len(teams) > 0 {
		any = append(any,
			user.HasTeamMembershipsWith(teammembership.TeamIDIn(teams...)),
			user.HasProjectMembershipsWith(projectmembership.HasProjectWith(project.TeamIDIn(teams...))),
		)
	}
	if projects := keys(v.ProjectRoles); len(projects) > 0 {
		any = append(any,
			user.HasProjectMembershipsWith(projectmembership.ProjectIDIn(projects...)),
			user.HasTeamMembershipsWith(teammembership.HasTeamWith(team.HasProjectsWith(project.IDIn(projects...)))),
		)
	}
	return user.Or(any...)
}

// VisibleTokens matches the API tokens the viewer may see: their own.
func VisibleTokens(v *viewer.Viewer) predicate.APIToken {
	if v.Admin {
		return all
	}
	return apitoken.OwnerID(v.UserID)
}

// VisibleAuditEvents matches the audit events about the viewer's tokens.
func VisibleAuditEvents(v *viewer.Viewer) predicate.AuditEvent {
	if v.Admin {
		return all
	}
	return auditevent.HasTokenWith(apitoken.OwnerID(v.UserID))
}

// keys lists the IDs of a role map.
func keys(roles map[string]role.Role) []string {
	ids := make([]string, 0, len(roles))
	for id := range roles {
		ids = append(ids, id)
	}
	return ids
}
