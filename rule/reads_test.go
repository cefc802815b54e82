package rule_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"engage/ent"
	"engage/ent/privacy"
	"engage/rule"
	"engage/viewer"
)

// sees is what a caller's queries return, by entity, as names of the world.
// Questions, responses and answers are visible exactly when their survey
// is, maps and project memberships when their project is, team memberships
// when their team is, and audit events when their token is: the test
// derives those from these lists.
//
// personalDataOf lists the projects whose personal data (names and emails
// of respondents and authors) the caller may see, emailsOf the users whose
// email it may see.
type sees struct {
	projects, surveys, pins, comments, teams, users, tokens []string
	personalDataOf, emailsOf                                []string
}

// read is a query of the test: what it reads, the entity it returns, and
// how, returning the IDs the caller may see.
type read struct {
	name, kind string
	ids        func(context.Context, *ent.Client) ([]string, error)
}

// reads are the root queries, one per entity, and then the connections.
var reads = slices.Concat(roots, connections)

// roots read every object of an entity the caller may see.
var roots = []read{
	{"projects", "Project", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Project.Query().IDs(ctx) }},
	{"maps", "ProjectMap", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.ProjectMap.Query().IDs(ctx) }},
	{"project memberships", "ProjectMembership", func(ctx context.Context, c *ent.Client) ([]string, error) {
		return c.ProjectMembership.Query().IDs(ctx)
	}},
	{"surveys", "Survey", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Survey.Query().IDs(ctx) }},
	{"questions", "Question", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Question.Query().IDs(ctx) }},
	{"responses", "Response", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Response.Query().IDs(ctx) }},
	{"answers", "Answer", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Answer.Query().IDs(ctx) }},
	{"pins", "Pin", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Pin.Query().IDs(ctx) }},
	{"comments", "Comment", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Comment.Query().IDs(ctx) }},
	{"teams", "Team", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.Team.Query().IDs(ctx) }},
	{"team memberships", "TeamMembership", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.TeamMembership.Query().IDs(ctx) }},
	{"users", "User", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.User.Query().IDs(ctx) }},
	{"tokens", "APIToken", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.APIToken.Query().IDs(ctx) }},
	{"audit events", "AuditEvent", func(ctx context.Context, c *ent.Client) ([]string, error) { return c.AuditEvent.Query().IDs(ctx) }},
}

// edge names the connections loaded in connections.
const edge = "connection"

// connections load the children of every parent the caller sees, as
// GraphQL's nested connections do (named edges). Some entities skip their
// own filter in such loads, since their parents passed theirs; whichever
// do, a connection must show exactly what the child's own query shows,
// since every object the caller sees has a parent the caller sees.
var connections = []read{
	{"a project's surveys", "Survey", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ps, err := c.Project.Query().WithNamedSurveys(edge).All(ctx)
		return loaded(ps, err, (*ent.Project).NamedSurveys, func(s *ent.Survey) string { return s.ID })
	}},
	{"a project's maps", "ProjectMap", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ps, err := c.Project.Query().WithNamedMaps(edge).All(ctx)
		return loaded(ps, err, (*ent.Project).NamedMaps, func(m *ent.ProjectMap) string { return m.ID })
	}},
	{"a project's memberships", "ProjectMembership", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ps, err := c.Project.Query().WithNamedMemberships(edge).All(ctx)
		return loaded(ps, err, (*ent.Project).NamedMemberships, func(m *ent.ProjectMembership) string { return m.ID })
	}},
	{"a survey's questions", "Question", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ss, err := c.Survey.Query().WithNamedQuestions(edge).All(ctx)
		return loaded(ss, err, (*ent.Survey).NamedQuestions, func(q *ent.Question) string { return q.ID })
	}},
	{"a survey's responses", "Response", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ss, err := c.Survey.Query().WithNamedResponses(edge).All(ctx)
		return loaded(ss, err, (*ent.Survey).NamedResponses, func(r *ent.Response) string { return r.ID })
	}},
	{"a response's answers", "Answer", func(ctx context.Context, c *ent.Client) ([]string, error) {
		rs, err := c.Response.Query().WithNamedAnswers(edge).All(ctx)
		return loaded(rs, err, (*ent.Response).NamedAnswers, func(a *ent.Answer) string { return a.ID })
	}},
	{"a question's answers", "Answer", func(ctx context.Context, c *ent.Client) ([]string, error) {
		qs, err := c.Question.Query().WithNamedAnswers(edge).All(ctx)
		return loaded(qs, err, (*ent.Question).NamedAnswers, func(a *ent.Answer) string { return a.ID })
	}},
	{"a map's pins", "Pin", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ms, err := c.ProjectMap.Query().WithNamedPins(edge).All(ctx)
		return loaded(ms, err, (*ent.ProjectMap).NamedPins, func(p *ent.Pin) string { return p.ID })
	}},
	{"a pin's comments", "Comment", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ps, err := c.Pin.Query().WithNamedComments(edge).All(ctx)
		return loaded(ps, err, (*ent.Pin).NamedComments, func(cm *ent.Comment) string { return cm.ID })
	}},
	{"a team's memberships", "TeamMembership", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ts, err := c.Team.Query().WithNamedMemberships(edge).All(ctx)
		return loaded(ts, err, (*ent.Team).NamedMemberships, func(m *ent.TeamMembership) string { return m.ID })
	}},
	{"a user's tokens", "APIToken", func(ctx context.Context, c *ent.Client) ([]string, error) {
		us, err := c.User.Query().WithNamedAPITokens(edge).All(ctx)
		return loaded(us, err, (*ent.User).NamedAPITokens, func(tk *ent.APIToken) string { return tk.ID })
	}},
	{"a token's audit events", "AuditEvent", func(ctx context.Context, c *ent.Client) ([]string, error) {
		ts, err := c.APIToken.Query().WithNamedAuditEvents(edge).All(ctx)
		return loaded(ts, err, (*ent.APIToken).NamedAuditEvents, func(e *ent.AuditEvent) string { return e.ID })
	}},
}

// loaded lists the IDs of the children loaded under parents.
func loaded[P, C any](parents []*P, err error, children func(*P, string) ([]*C, error), id func(*C) string) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range parents {
		cs, err := children(p, edge)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			ids = append(ids, id(c))
		}
	}
	return ids, nil
}

// TestWhatEachCallerSees checks every query policy (rule/policies.go) for
// every kind of caller: which objects of each entity its queries return, at
// the root and as the connections of the parents it sees, and whose
// personal data it may see (rule.MaySeePersonalData, rule.MaySeeEmail).
func TestWhatEachCallerSees(t *testing.T) {
	w := newWorld(t)
	callers := w.callers(t)

	everyProject := []string{"closed", "open", "teamless"}
	// The users who share the closed project: its members, and the
	// members of its team.
	sharingClosed := []string{"editor", "manager", "moderator", "team manager", "viewer"}
	everyUser := append([]string{"admin", "outsider"}, sharingClosed...)
	everyToken := []string{"admin on closed", "editor read-only", "manager on teamless", "outsider token"}
	// Roles on "closed", seen with VIEWER on "teamless".
	withViewer := sees{
		projects: everyProject,
		surveys:  []string{"closed open survey", "teamless open survey"},
		pins:     []string{"closed published pin", "teamless published pin"},
		comments: []string{"closed published comment", "teamless published comment"},
	}
	withModerator := sees{
		projects: everyProject,
		surveys:  []string{"closed open survey", "teamless open survey"},
		pins:     []string{"closed pending pin", "closed published pin", "teamless published pin"},
		comments: []string{"closed comment on pending pin", "closed pending comment", "closed published comment", "teamless published comment"},
	}
	withEditor := sees{
		projects: everyProject,
		surveys:  []string{"closed draft survey", "closed open survey", "teamless open survey"},
		pins:     withModerator.pins,
		comments: withModerator.comments,
	}
	// with completes the project data a role sees with the rest.
	with := func(projectData, rest sees) sees {
		rest.projects, rest.surveys, rest.pins, rest.comments = projectData.projects, projectData.surveys, projectData.pins, projectData.comments
		return rest
	}
	openTeam := []string{"open team"}

	for _, tc := range []struct {
		caller string
		sees   sees
	}{
		{"administrator", sees{
			projects: everyProject,
			surveys:  []string{"closed draft survey", "closed open survey", "teamless draft survey", "teamless open survey"},
			pins:     []string{"closed pending pin", "closed published pin", "teamless pending pin", "teamless published pin"},
			comments: []string{"closed comment on pending pin", "closed pending comment", "closed published comment",
				"teamless comment on pending pin", "teamless pending comment", "teamless published comment"},
			teams:          []string{"closed team", "open team"},
			users:          everyUser,
			tokens:         everyToken,
			personalDataOf: everyProject,
			emailsOf:       everyUser,
		}},
		{"manager", with(withEditor, sees{teams: openTeam, users: sharingClosed, tokens: []string{"manager on teamless"},
			personalDataOf: []string{"closed"}, emailsOf: []string{"manager"}})},
		{"editor", with(withEditor, sees{teams: openTeam, users: sharingClosed, tokens: []string{"editor read-only"},
			emailsOf: []string{"editor"}})},
		{"moderator", with(withModerator, sees{teams: openTeam, users: sharingClosed, emailsOf: []string{"moderator"}})},
		{"viewer", with(withViewer, sees{teams: openTeam, users: sharingClosed, emailsOf: []string{"viewer"}})},
		// A team's MANAGER is MANAGER on its projects, and sees the team.
		{"team manager", with(withEditor, sees{teams: []string{"closed team", "open team"}, users: sharingClosed,
			personalDataOf: []string{"closed"}, emailsOf: []string{"team manager"}})},
		// Staff without memberships see the projects outside restricted
		// teams, as VIEWER, and no other user.
		{"outsider", sees{
			projects: []string{"open", "teamless"},
			surveys:  []string{"teamless open survey"},
			pins:     []string{"teamless published pin"},
			comments: []string{"teamless published comment"},
			teams:    openTeam,
			users:    []string{"outsider"},
			tokens:   []string{"outsider token"},
			emailsOf: []string{"outsider"},
		}},
		// A read-only token reads what its owner reads.
		{"read-only token", with(withEditor, sees{teams: openTeam, users: sharingClosed, tokens: []string{"editor read-only"},
			emailsOf: []string{"editor"}})},
		// A project-limited token has no role outside its projects; users,
		// teams and tokens are not project data.
		{"manager's teamless token", sees{
			projects: []string{"teamless"},
			surveys:  []string{"teamless open survey"},
			pins:     []string{"teamless published pin"},
			comments: []string{"teamless published comment"},
			teams:    openTeam,
			users:    sharingClosed,
			tokens:   []string{"manager on teamless"},
			emailsOf: []string{"manager"},
		}},
		{"admin's closed token", sees{
			projects:       []string{"closed"},
			surveys:        []string{"closed draft survey", "closed open survey"},
			pins:           []string{"closed pending pin", "closed published pin"},
			comments:       []string{"closed comment on pending pin", "closed pending comment", "closed published comment"},
			teams:          []string{"closed team", "open team"},
			users:          everyUser,
			tokens:         everyToken,
			personalDataOf: []string{"closed"},
			emailsOf:       everyUser,
		}},
		{"no viewer", sees{}},
	} {
		t.Run(tc.caller, func(t *testing.T) {
			v, ok := callers[tc.caller]
			if !ok {
				t.Fatalf("no caller named %q", tc.caller)
			}
			if got := w.passing(everyProject, func(id string) bool { return rule.MaySeePersonalData(v, id) }); !slices.Equal(got, sorted(tc.sees.personalDataOf)) {
				t.Errorf("MaySeePersonalData: true for %q, want %q", got, tc.sees.personalDataOf)
			}
			if got := w.passing(everyUser, func(id string) bool { return rule.MaySeeEmail(v, id) }); !slices.Equal(got, sorted(tc.sees.emailsOf)) {
				t.Errorf("MaySeeEmail: true for %q, want %q", got, tc.sees.emailsOf)
			}
			ctx := viewer.NewContext(context.Background(), v)
			if v == nil {
				// An anonymous query is denied, not answered with nothing.
				for _, r := range reads {
					if _, err := r.ids(ctx, w.client); !errors.Is(err, privacy.Deny) {
						t.Errorf("%s: got %v, want privacy.Deny", r.name, err)
					}
				}
				return
			}
			want := w.visible(tc.sees)
			for _, r := range reads {
				ids, err := r.ids(ctx, w.client)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				if got := w.named(ids); !slices.Equal(got, want[r.kind]) {
					t.Errorf("%s: got %q, want %q", r.name, got, want[r.kind])
				}
			}
		})
	}

	t.Run("nobody reads login sessions, not even an administrator", func(t *testing.T) {
		for name, v := range callers {
			if _, err := w.client.Session.Query().IDs(viewer.NewContext(context.Background(), v)); !errors.Is(err, privacy.Deny) {
				t.Errorf("%s: got %v, want privacy.Deny", name, err)
			}
		}
	})
}

// visible is every entity's expected names, sorted: the lists of s and
// what follows from them.
func (w *world) visible(s sees) map[string][]string {
	v := map[string][]string{
		"Project": sorted(s.projects), "Survey": sorted(s.surveys), "Pin": sorted(s.pins), "Comment": sorted(s.comments),
		"Team": sorted(s.teams), "User": sorted(s.users), "APIToken": sorted(s.tokens),
	}
	for _, derived := range []struct{ kind, parent string }{
		{"ProjectMap", "Project"}, {"ProjectMembership", "Project"}, {"Question", "Survey"}, {"Response", "Survey"},
		{"Answer", "Response"}, {"TeamMembership", "Team"}, {"AuditEvent", "APIToken"},
	} {
		v[derived.kind] = w.childrenOf(derived.kind, v[derived.parent])
	}
	return v
}

// passing lists, sorted, the named objects whose ID ok holds for.
func (w *world) passing(names []string, ok func(id string) bool) []string {
	var pass []string
	for _, name := range names {
		if ok(w.ids[name]) {
			pass = append(pass, name)
		}
	}
	return sorted(pass)
}

// sorted returns a sorted copy of names.
func sorted(names []string) []string {
	names = slices.Clone(names)
	slices.Sort(names)
	return names
}
