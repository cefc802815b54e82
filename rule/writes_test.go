package rule_test

import (
	"context"
	"testing"

	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/moderation"
	"engage/role"
	"engage/rule"
)

// write is one row of a table of mutations: a caller, what it does, and how
// the rules answer.
type write struct {
	caller, does string
	write        func(context.Context, *ent.Client) error
	want         outcome
}

// check runs each row in its own rolled-back transaction.
func (w *world) check(t *testing.T, rows []write) {
	t.Helper()
	callers := w.callers(t)
	for _, r := range rows {
		t.Run(r.caller+"/"+r.does, func(t *testing.T) {
			v, ok := callers[r.caller]
			if !ok {
				t.Fatalf("no caller named %q", r.caller)
			}
			if got := w.attempt(t, v, r.write); !r.want.matches(got) {
				t.Errorf("got %s %q, want %s %q", got.kind, got.detail, r.want.kind, r.want.detail)
			}
		})
	}
}

// TestWhatEachCallerMayChange checks every mutation policy of project data,
// users, teams, memberships, audit events and sessions (rule/policies.go)
// for the kinds of caller it tells apart. A change to what the caller
// cannot see answers not found, naming the argument, as if it did not
// exist; one it can see but may not make is refused with a reason.
func TestWhatEachCallerMayChange(t *testing.T) {
	w := newWorld(t)
	id := func(name string) string { return w.id(t, name) }

	renameUser := func(name string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.User.UpdateOneID(id(name)).SetName("renamed").Exec(ctx)
		}
	}
	renameProject := func(name string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Project.UpdateOneID(id(name)).SetTitle("renamed").Exec(ctx)
		}
	}
	newProjectIn := func(team string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			create := c.Project.Create().SetTitle("new").SetSlug("new")
			if team != "" {
				create.SetTeamID(id(team))
			}
			return create.Exec(ctx)
		}
	}
	newSurveyIn := func(project string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Survey.Create().SetTitle("new").SetProjectID(id(project)).Exec(ctx)
		}
	}
	renameSurvey := func(name string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Survey.UpdateOneID(id(name)).SetTitle("renamed").Exec(ctx)
		}
	}
	newQuestionIn := func(survey string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Question.Create().SetPosition(1).SetKind(question.KindSHORT_TEXT).SetPrompt("new").SetSurveyID(id(survey)).Exec(ctx)
		}
	}
	newResponseTo := func(survey string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Response.Create().SetSurveyID(id(survey)).Exec(ctx)
		}
	}
	answer := func(response, question string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Answer.Create().SetValue("yes").SetResponseID(id(response)).SetQuestionID(id(question)).Exec(ctx)
		}
	}
	newMapIn := func(project string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMap.Create().SetTitle("new").SetCenterLatitude(0).SetCenterLongitude(0).SetProjectID(id(project)).Exec(ctx)
		}
	}
	newPinOn := func(m string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Pin.Create().SetBody("new").SetLatitude(0).SetLongitude(0).SetMapID(id(m)).Exec(ctx)
		}
	}
	setPinStatus := func(pin string, s moderation.Status) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Pin.UpdateOneID(id(pin)).SetStatus(s).Exec(ctx)
		}
	}
	newCommentOn := func(pin string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Comment.Create().SetBody("new").SetPinID(id(pin)).Exec(ctx)
		}
	}
	setCommentStatus := func(comment string, s moderation.Status) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.Comment.UpdateOneID(id(comment)).SetStatus(s).Exec(ctx)
		}
	}
	addToTeam := func(user, team string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.TeamMembership.Create().SetUserID(id(user)).SetTeamID(id(team)).SetRole(role.Viewer).Exec(ctx)
		}
	}
	addToProject := func(user, project string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMembership.Create().SetUserID(id(user)).SetProjectID(id(project)).SetRole(role.Viewer).Exec(ctx)
		}
	}
	removeFromProject := func(membership string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMembership.DeleteOneID(id(membership)).Exec(ctx)
		}
	}
	const onlyAdmins = "only an administrator can change users, teams and memberships"

	w.check(t, []write{
		// Every policy starts with BasePolicy.
		{"no viewer", "creates a survey in teamless", newSurveyIn("teamless"), denied},
		{"read-only token", "renames the closed open survey", renameSurvey("closed open survey"), refused("read-only")},
		{"read-only token", "creates a map in closed", newMapIn("closed"), refused("read-only")},

		// Users, teams and memberships: administrators only.
		{"administrator", "creates a user", func(ctx context.Context, c *ent.Client) error {
			return c.User.Create().SetName("new").SetEmail("new@example.org").Exec(ctx)
		}, allowed},
		{"administrator", "renames the outsider", renameUser("outsider"), allowed},
		{"admin's closed token", "renames the outsider", renameUser("outsider"), refused(onlyAdmins)},
		{"manager", "creates a user", func(ctx context.Context, c *ent.Client) error {
			return c.User.Create().SetName("new").SetEmail("new@example.org").Exec(ctx)
		}, refused(onlyAdmins)},
		{"manager", "renames the editor", renameUser("editor"), refused(onlyAdmins)},
		{"outsider", "renames the manager", renameUser("manager"), notFound("id")},
		{"administrator", "creates a team", func(ctx context.Context, c *ent.Client) error {
			return c.Team.Create().SetName("new").Exec(ctx)
		}, allowed},
		{"team manager", "renames the closed team", func(ctx context.Context, c *ent.Client) error {
			return c.Team.UpdateOneID(id("closed team")).SetName("renamed").Exec(ctx)
		}, refused(onlyAdmins)},
		{"outsider", "renames the closed team", func(ctx context.Context, c *ent.Client) error {
			return c.Team.UpdateOneID(id("closed team")).SetName("renamed").Exec(ctx)
		}, notFound("id")},
		{"administrator", "adds the outsider to the closed team", addToTeam("outsider", "closed team"), allowed},
		{"team manager", "adds the editor to the closed team", addToTeam("editor", "closed team"), refused(onlyAdmins)},
		{"team manager", "adds the outsider to the closed team", addToTeam("outsider", "closed team"), notFound("input.userID")},
		{"outsider", "adds themself to the closed team", addToTeam("outsider", "closed team"), notFound("input.teamID")},
		{"administrator", "adds the outsider to closed", addToProject("outsider", "closed"), allowed},
		{"manager", "adds the editor to teamless", addToProject("editor", "teamless"), refused(onlyAdmins)},
		{"manager", "adds the outsider to closed", addToProject("outsider", "closed"), notFound("input.userID")},
		{"outsider", "adds themself to closed", addToProject("outsider", "closed"), notFound("input.projectID")},
		{"manager", "makes the viewer an editor of closed", func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMembership.UpdateOneID(id("viewer on closed")).SetRole(role.Editor).Exec(ctx)
		}, refused(onlyAdmins)},
		{"outsider", "makes the viewer an editor of closed", func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMembership.UpdateOneID(id("viewer on closed")).SetRole(role.Editor).Exec(ctx)
		}, notFound("id")},
		{"team manager", "makes the editor MANAGER of the open team", func(ctx context.Context, c *ent.Client) error {
			return c.TeamMembership.UpdateOneID(id("editor in open team")).SetRole(role.Manager).Exec(ctx)
		}, refused(onlyAdmins)},

		// Projects: created by administrators, or by a team's MANAGER in
		// the team; changed from EDITOR up.
		{"administrator", "creates a project outside teams", newProjectIn(""), allowed},
		{"editor", "creates a project outside teams", newProjectIn(""), refused("creating a project needs ADMIN")},
		{"team manager", "creates a project in the closed team", newProjectIn("closed team"), allowed},
		{"editor", "creates a project in the open team", newProjectIn("open team"), refused("needs the MANAGER role in that team")},
		{"editor", "creates a project in the closed team", newProjectIn("closed team"), notFound("input.teamID")},
		{"admin's closed token", "creates a project in the closed team", newProjectIn("closed team"), refused("needs the MANAGER role in that team")},
		{"editor", "renames closed", renameProject("closed"), allowed},
		{"team manager", "renames closed", renameProject("closed"), allowed},
		{"moderator", "renames closed", renameProject("closed"), refused("needs the EDITOR role")},
		{"outsider", "renames closed", renameProject("closed"), notFound("id")},
		{"manager's teamless token", "renames closed", renameProject("closed"), notFound("id")},
		{"admin's closed token", "renames closed", renameProject("closed"), allowed},
		{"admin's closed token", "renames teamless", renameProject("teamless"), notFound("id")},
		{"administrator", "takes closed out of its team", func(ctx context.Context, c *ent.Client) error {
			return c.Project.UpdateOneID(id("closed")).ClearTeamID().Exec(ctx)
		}, allowed},
		{"manager", "takes closed out of its team", func(ctx context.Context, c *ent.Client) error {
			return c.Project.UpdateOneID(id("closed")).ClearTeamID().Exec(ctx)
		}, refused("only an administrator can take a project out of its team")},
		{"team manager", "moves teamless into the closed team", func(ctx context.Context, c *ent.Client) error {
			return c.Project.UpdateOneID(id("teamless")).SetTeamID(id("closed team")).Exec(ctx)
		}, refused("needs the EDITOR role")},
		{"manager", "moves closed into the open team", func(ctx context.Context, c *ent.Client) error {
			return c.Project.UpdateOneID(id("closed")).SetTeamID(id("open team")).Exec(ctx)
		}, refused("needs the MANAGER role in that team")},

		// Surveys, questions, responses, answers and maps: EDITOR.
		{"editor", "creates a survey in closed", newSurveyIn("closed"), allowed},
		{"moderator", "creates a survey in closed", newSurveyIn("closed"), refused("needs the EDITOR role")},
		{"outsider", "creates a survey in teamless", newSurveyIn("teamless"), refused("needs the EDITOR role")},
		{"outsider", "creates a survey in closed", newSurveyIn("closed"), notFound("input.projectID")},
		{"manager's teamless token", "creates a survey in closed", newSurveyIn("closed"), notFound("input.projectID")},
		{"admin's closed token", "creates a survey in closed", newSurveyIn("closed"), allowed},
		{"admin's closed token", "creates a survey in teamless", newSurveyIn("teamless"), notFound("input.projectID")},
		{"editor", "renames the closed draft survey", renameSurvey("closed draft survey"), allowed},
		{"moderator", "renames the closed draft survey", renameSurvey("closed draft survey"), notFound("id")},
		{"viewer", "renames the closed open survey", renameSurvey("closed open survey"), refused("needs the EDITOR role")},
		{"editor", "adds a question to the closed draft survey", newQuestionIn("closed draft survey"), allowed},
		{"viewer", "adds a question to the closed open survey", newQuestionIn("closed open survey"), refused("needs the EDITOR role")},
		{"viewer", "adds a question to the closed draft survey", newQuestionIn("closed draft survey"), notFound("input.surveyID")},
		{"editor", "changes the closed open survey question", func(ctx context.Context, c *ent.Client) error {
			return c.Question.UpdateOneID(id("closed open survey question")).SetPrompt("changed").Exec(ctx)
		}, allowed},
		{"moderator", "changes the closed open survey question", func(ctx context.Context, c *ent.Client) error {
			return c.Question.UpdateOneID(id("closed open survey question")).SetPrompt("changed").Exec(ctx)
		}, refused("needs the EDITOR role")},
		{"editor", "records a response to the closed open survey", newResponseTo("closed open survey"), allowed},
		{"moderator", "records a response to the closed open survey", newResponseTo("closed open survey"), refused("needs the EDITOR role")},
		{"outsider", "records a response to the closed open survey", newResponseTo("closed open survey"), notFound("input.surveyID")},
		{"editor", "changes the closed open survey response", func(ctx context.Context, c *ent.Client) error {
			return c.Response.UpdateOneID(id("closed open survey response")).SetRespondentName("changed").Exec(ctx)
		}, allowed},
		{"editor", "answers a new question of the closed open survey", func(ctx context.Context, c *ent.Client) error {
			q := c.Question.Create().SetPosition(1).SetKind(question.KindSHORT_TEXT).SetPrompt("new").
				SetSurveyID(id("closed open survey")).SaveX(rule.System(ctx))
			return c.Answer.Create().SetValue("yes").SetResponseID(id("closed open survey response")).SetQuestionID(q.ID).Exec(ctx)
		}, allowed},
		{"moderator", "answers in the closed open survey", answer("closed open survey response", "closed open survey question"), refused("needs the EDITOR role")},
		// Both parents of an answer must be visible; the response is checked first.
		{"viewer", "answers the closed draft question in the closed open response", answer("closed open survey response", "closed draft survey question"), notFound("input.questionID")},
		{"outsider", "answers in the closed open survey", answer("closed open survey response", "closed open survey question"), notFound("input.responseID")},
		{"editor", "changes the closed open survey answer", func(ctx context.Context, c *ent.Client) error {
			return c.Answer.UpdateOneID(id("closed open survey answer")).SetValue("no").Exec(ctx)
		}, allowed},
		{"moderator", "changes the closed open survey answer", func(ctx context.Context, c *ent.Client) error {
			return c.Answer.UpdateOneID(id("closed open survey answer")).SetValue("no").Exec(ctx)
		}, refused("needs the EDITOR role")},
		{"editor", "creates a map in closed", newMapIn("closed"), allowed},
		{"viewer", "creates a map in closed", newMapIn("closed"), refused("needs the EDITOR role")},
		{"outsider", "creates a map in closed", newMapIn("closed"), notFound("input.projectID")},
		{"outsider", "renames the closed map", func(ctx context.Context, c *ent.Client) error {
			return c.ProjectMap.UpdateOneID(id("closed map")).SetTitle("renamed").Exec(ctx)
		}, notFound("id")},

		// Pins and comments: EDITOR writes them, MODERATOR changes their
		// status alone.
		{"editor", "adds a pin to the closed map", newPinOn("closed map"), allowed},
		{"moderator", "adds a pin to the closed map", newPinOn("closed map"), refused("needs the EDITOR role")},
		{"outsider", "adds a pin to the closed map", newPinOn("closed map"), notFound("input.mapID")},
		{"moderator", "publishes the closed pending pin", setPinStatus("closed pending pin", moderation.Published), allowed},
		{"viewer", "publishes the closed pending pin", setPinStatus("closed pending pin", moderation.Published), notFound("id")},
		{"viewer", "hides the closed published pin", setPinStatus("closed published pin", moderation.Hidden), refused("needs the MODERATOR role")},
		{"moderator", "edits the closed published pin", func(ctx context.Context, c *ent.Client) error {
			return c.Pin.UpdateOneID(id("closed published pin")).SetBody("edited").Exec(ctx)
		}, refused("needs the EDITOR role")},
		{"moderator", "hides the closed published pin and clears its author's email", func(ctx context.Context, c *ent.Client) error {
			return c.Pin.UpdateOneID(id("closed published pin")).SetStatus(moderation.Hidden).ClearAuthorEmail().Exec(ctx)
		}, refused("needs the EDITOR role")},
		{"editor", "comments on the closed published pin", newCommentOn("closed published pin"), allowed},
		{"moderator", "comments on the closed published pin", newCommentOn("closed published pin"), refused("needs the EDITOR role")},
		{"viewer", "comments on the closed pending pin", newCommentOn("closed pending pin"), notFound("input.pinID")},
		{"moderator", "publishes the closed pending comment", setCommentStatus("closed pending comment", moderation.Published), allowed},
		{"viewer", "publishes the closed pending comment", setCommentStatus("closed pending comment", moderation.Published), notFound("id")},
		{"viewer", "hides the closed published comment", setCommentStatus("closed published comment", moderation.Hidden), refused("needs the MODERATOR role")},
		{"moderator", "edits the closed published comment", func(ctx context.Context, c *ent.Client) error {
			return c.Comment.UpdateOneID(id("closed published comment")).SetBody("edited").Exec(ctx)
		}, refused("needs the EDITOR role")},

		// Bulk changes and deletes are an administrator's alone; so is a
		// write that names no parent.
		{"editor", "renames every survey of closed at once", func(ctx context.Context, c *ent.Client) error {
			return c.Survey.Update().Where(survey.ProjectID(id("closed"))).SetTitle("renamed").Exec(ctx)
		}, denied},
		{"editor", "deletes the closed draft survey", func(ctx context.Context, c *ent.Client) error {
			return c.Survey.DeleteOneID(id("closed draft survey")).Exec(ctx)
		}, denied},
		{"editor", "creates a survey in no project", func(ctx context.Context, c *ent.Client) error {
			return c.Survey.Create().SetTitle("new").Exec(ctx)
		}, denied},
		{"administrator", "removes the viewer from closed", removeFromProject("viewer on closed"), allowed},
		{"manager", "removes the viewer from closed", removeFromProject("viewer on closed"), refused(onlyAdmins)},
		{"outsider", "removes the viewer from closed", removeFromProject("viewer on closed"), notFound("id")},
		{"editor", "deletes their token", func(ctx context.Context, c *ent.Client) error {
			return c.APIToken.DeleteOneID(id("editor read-only")).Exec(ctx)
		}, denied},

		// Audit events and login sessions are written by the system only.
		{"administrator", "writes an audit event", func(ctx context.Context, c *ent.Client) error {
			return c.AuditEvent.Create().SetAction(auditevent.ActionTOKEN_CREATED).SetTokenID(id("outsider token")).Exec(ctx)
		}, denied},
		{"administrator", "opens a login session", func(ctx context.Context, c *ent.Client) error {
			return c.Session.Create().SetID("session").SetData([]byte("{}")).SetExpiry(tokenExpiry).Exec(ctx)
		}, denied},
	})
}
