package rule_test

// The rules are tested as ent's examples/privacytenant tests its own: a
// small world built with the ent client on a fresh database (SQLite, or
// TEST_DATABASE_URL's PostgreSQL), and for each kind of caller, tables of
// what its queries return and what its mutations are answered. The tables
// are written from PERMISSIONS.md, not computed from the rules.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/privacy"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/moderation"
	"engage/role"
	"engage/rule"
	"engage/testdb"
	"engage/token"
	"engage/viewer"
)

// world is the data the tables speak of: every object has a name, and the
// tables name objects, never IDs.
type world struct {
	client *ent.Client
	ids    map[string]string // name → ID
	names  map[string]string // ID → name
	kinds  map[string]string // name → entity, such as "Survey"
	parent map[string]string // name → name of the object it belongs to
}

// id returns the ID of a named object; a name the world lacks fails the
// test at once rather than matching nothing.
func (w *world) id(t *testing.T, name string) string {
	t.Helper()
	id, ok := w.ids[name]
	if !ok {
		t.Fatalf("the world has no object named %q", name)
	}
	return id
}

// add records a created object under its name.
func (w *world) add(name, kind, id, parent string) {
	w.ids[name], w.names[id], w.kinds[name], w.parent[name] = id, name, kind, parent
}

// named turns IDs read back into sorted names.
func (w *world) named(ids []string) []string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		name, ok := w.names[id]
		if !ok {
			name = "unnamed " + id
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// childrenOf lists, sorted, the objects of kind whose parent is one of
// parents.
func (w *world) childrenOf(kind string, parents []string) []string {
	children := []string{}
	for name, k := range w.kinds {
		if k == kind && slices.Contains(parents, w.parent[name]) {
			children = append(children, name)
		}
	}
	slices.Sort(children)
	return children
}

// tokenExpiry is when the manager's project-limited token expires: a token
// minted through it may not outlive it.
var tokenExpiry = time.Now().Add(time.Hour).Truncate(time.Second)

// The world:
//
//   - teams "open team" (not restricted) and "closed team" (restricted);
//   - projects "teamless" (no team), "open" (in the open team) and "closed"
//     (in the closed team);
//   - users "admin" (ADMIN); "manager", "editor", "moderator" and "viewer",
//     with that ProjectMembership role on "closed"; "team manager", MANAGER
//     in the closed team; "outsider", with no membership. The editor is
//     also VIEWER in the open team;
//   - in "teamless" and "closed": an OPEN and a DRAFT survey, each with one
//     question, one response and its answer; a published and a pending pin;
//     a published and a pending comment on the published pin and a
//     published comment on the pending pin. Every project has a map;
//   - tokens "editor read-only", "manager on teamless" (limited to teamless,
//     expiring at tokenExpiry), "admin on closed" (limited to closed) and
//     "outsider token", each with its TOKEN_CREATED audit event.
func newWorld(t *testing.T) *world {
	t.Helper()
	c := testdb.Open(t).Ent
	ctx := rule.System(context.Background())
	w := &world{client: c, ids: map[string]string{}, names: map[string]string{}, kinds: map[string]string{}, parent: map[string]string{}}
	w.addPeopleAndProjects(ctx)
	for _, p := range []string{"teamless", "closed"} {
		w.addSurveys(ctx, p)
		w.addPins(ctx, p)
	}
	w.addTokens(ctx)
	return w
}

// addPeopleAndProjects adds the teams, the users, the projects with their
// maps, and the memberships.
func (w *world) addPeopleAndProjects(ctx context.Context) {
	c := w.client
	for _, tm := range []struct {
		name       string
		restricted bool
	}{{"open team", false}, {"closed team", true}} {
		w.add(tm.name, "Team", c.Team.Create().SetName(tm.name).SetRestricted(tm.restricted).SaveX(ctx).ID, "")
	}
	for _, u := range []struct {
		name      string
		admin     bool
		apiAccess bool
	}{
		{"admin", true, true}, {"manager", false, true}, {"editor", false, true}, {"moderator", false, false},
		{"viewer", false, false}, {"team manager", false, false}, {"outsider", false, true},
	} {
		create := c.User.Create().SetName(u.name).SetEmail(strings.ReplaceAll(u.name, " ", ".") + "@example.org").SetAPIAccess(u.apiAccess)
		if u.admin {
			create.SetRole(user.RoleADMIN)
		}
		w.add(u.name, "User", create.SaveX(ctx).ID, "")
	}
	for _, p := range []struct{ name, team string }{{"teamless", ""}, {"open", "open team"}, {"closed", "closed team"}} {
		create := c.Project.Create().SetTitle(p.name).SetSlug(p.name)
		if p.team != "" {
			create.SetTeamID(w.ids[p.team])
		}
		w.add(p.name, "Project", create.SaveX(ctx).ID, p.team)
		w.add(p.name+" map", "ProjectMap", c.ProjectMap.Create().SetTitle(p.name+" map").
			SetCenterLatitude(51.5).SetCenterLongitude(-0.1).SetProjectID(w.ids[p.name]).SaveX(ctx).ID, p.name)
	}
	for _, m := range []struct {
		user string
		role role.Role
	}{{"manager", role.Manager}, {"editor", role.Editor}, {"moderator", role.Moderator}, {"viewer", role.Viewer}} {
		w.add(m.user+" on closed", "ProjectMembership", c.ProjectMembership.Create().
			SetUserID(w.ids[m.user]).SetProjectID(w.ids["closed"]).SetRole(m.role).SaveX(ctx).ID, "closed")
	}
	for _, m := range []struct {
		user, team string
		role       role.Role
	}{{"team manager", "closed team", role.Manager}, {"editor", "open team", role.Viewer}} {
		w.add(m.user+" in "+m.team, "TeamMembership", c.TeamMembership.Create().
			SetUserID(w.ids[m.user]).SetTeamID(w.ids[m.team]).SetRole(m.role).SaveX(ctx).ID, m.team)
	}
}

// addTokens adds the tokens, each with its TOKEN_CREATED audit event.
func (w *world) addTokens(ctx context.Context) {
	c := w.client
	for _, tk := range []struct {
		name, owner string
		readOnly    bool
		expires     *time.Time
		project     string
	}{
		{"editor read-only", "editor", true, nil, ""},
		{"manager on teamless", "manager", false, &tokenExpiry, "teamless"},
		{"admin on closed", "admin", false, nil, "closed"},
		{"outsider token", "outsider", false, nil, ""},
	} {
		create := newToken(c, w.ids[tk.owner]).SetName(tk.name).SetReadOnly(tk.readOnly).SetNillableExpiresAt(tk.expires)
		if tk.project != "" {
			create.AddAllowedProjectIDs(w.ids[tk.project])
		}
		w.add(tk.name, "APIToken", create.SaveX(ctx).ID, tk.owner)
		w.add(tk.name+" created", "AuditEvent", c.AuditEvent.Create().SetAction(auditevent.ActionTOKEN_CREATED).
			SetTokenID(w.ids[tk.name]).SaveX(ctx).ID, tk.name)
	}
}

// addSurveys adds to project p an OPEN and a DRAFT survey, each with a
// question, a response and its answer.
func (w *world) addSurveys(ctx context.Context, p string) {
	c := w.client
	for _, status := range []survey.Status{survey.StatusOPEN, survey.StatusDRAFT} {
		s := p + " " + strings.ToLower(string(status)) + " survey"
		w.add(s, "Survey", c.Survey.Create().SetTitle(s).SetStatus(status).SetProjectID(w.ids[p]).SaveX(ctx).ID, p)
		w.add(s+" question", "Question", c.Question.Create().SetPosition(0).SetKind(question.KindSHORT_TEXT).
			SetPrompt(s+" question").SetSurveyID(w.ids[s]).SaveX(ctx).ID, s)
		w.add(s+" response", "Response", c.Response.Create().SetSurveyID(w.ids[s]).SaveX(ctx).ID, s)
		w.add(s+" answer", "Answer", c.Answer.Create().SetValue("yes").
			SetResponseID(w.ids[s+" response"]).SetQuestionID(w.ids[s+" question"]).SaveX(ctx).ID, s+" response")
	}
}

// addPins adds to the map of project p a published and a pending pin, two
// comments (published and pending) on the published pin and a published
// comment on the pending one.
func (w *world) addPins(ctx context.Context, p string) {
	c := w.client
	for _, status := range []moderation.Status{moderation.Published, moderation.Pending} {
		pin := p + " " + strings.ToLower(string(status)) + " pin"
		w.add(pin, "Pin", c.Pin.Create().SetBody(pin).SetLatitude(51.5).SetLongitude(-0.1).
			SetStatus(status).SetMapID(w.ids[p+" map"]).SaveX(ctx).ID, p+" map")
	}
	for _, cm := range []struct {
		name, pin string
		status    moderation.Status
	}{
		{p + " published comment", p + " published pin", moderation.Published},
		{p + " pending comment", p + " published pin", moderation.Pending},
		{p + " comment on pending pin", p + " pending pin", moderation.Published},
	} {
		w.add(cm.name, "Comment", c.Comment.Create().SetBody(cm.name).SetStatus(cm.status).
			SetPinID(w.ids[cm.pin]).SaveX(ctx).ID, cm.pin)
	}
}

// newToken starts a token of owner with a fresh secret.
func newToken(c *ent.Client, owner string) *ent.APITokenCreate {
	secret := token.Generate()
	return c.APIToken.Create().SetOwnerID(owner).SetName("new").SetPrefix(token.Display(secret)).SetSecretHash(token.Hash(secret))
}

// callers are the viewers of the tables, by the name the rows give them.
// Each is built as authentication builds it (api/authn.go): the user's
// memberships, the projects they manage, and their token's limits. An
// inactive user has no viewer at all: authentication refuses them.
func (w *world) callers(t *testing.T) map[string]*viewer.Viewer {
	id := func(name string) string { return w.id(t, name) }
	roles := func(name string, r role.Role) map[string]role.Role { return map[string]role.Role{id(name): r} }
	managed := func(project string) map[string]bool { return map[string]bool{id(project): true} }
	editor := func() *viewer.Viewer {
		return &viewer.Viewer{UserID: id("editor"), APIAccess: true, ProjectRoles: roles("closed", role.Editor), TeamRoles: roles("open team", role.Viewer)}
	}
	manager := func() *viewer.Viewer {
		return &viewer.Viewer{UserID: id("manager"), APIAccess: true, ProjectRoles: roles("closed", role.Manager), ManagedProjects: managed("closed")}
	}
	admin := func() *viewer.Viewer { return &viewer.Viewer{UserID: id("admin"), Admin: true, APIAccess: true} }

	readOnly := editor()
	readOnly.TokenID, readOnly.ReadOnly = id("editor read-only"), true
	limitedManager := manager()
	limitedManager.TokenID, limitedManager.AllowedProjects, limitedManager.TokenExpiresAt = id("manager on teamless"), []string{id("teamless")}, &tokenExpiry
	limitedAdmin := admin()
	limitedAdmin.TokenID, limitedAdmin.AllowedProjects = id("admin on closed"), []string{id("closed")}

	return map[string]*viewer.Viewer{
		"no viewer":     nil,
		"administrator": admin(),
		"manager":       manager(),
		"editor":        editor(),
		"moderator":     {UserID: id("moderator"), ProjectRoles: roles("closed", role.Moderator)},
		"viewer":        {UserID: id("viewer"), ProjectRoles: roles("closed", role.Viewer)},
		"team manager":  {UserID: id("team manager"), TeamRoles: roles("closed team", role.Manager), ManagedProjects: managed("closed")},
		"outsider":      {UserID: id("outsider"), APIAccess: true},
		// Tokens: the editor's read-only one, the manager's limited to
		// teamless and the administrator's limited to closed.
		"read-only token":          readOnly,
		"manager's teamless token": limitedManager,
		"admin's closed token":     limitedAdmin,
	}
}

// outcome is how a mutation is answered.
type outcome struct {
	kind   string // "allowed", "denied", "refused", "not found", "missing"
	detail string // the reason a refusal gives, or the argument not found
}

var (
	// allowed: the mutation runs.
	allowed = outcome{kind: "allowed"}
	// denied: privacy.Deny, with nothing to tell the caller (FORBIDDEN).
	denied = outcome{kind: "denied"}
	// missing: the mutation reaches no row, as for an object that does
	// not exist (ent's not-found error).
	missing = outcome{kind: "missing"}
)

// refused is a rule.Refusal whose reason contains reason.
func refused(reason string) outcome { return outcome{"refused", reason} }

// notFound is a rule.NotFoundError for the argument arg.
func notFound(arg string) outcome { return outcome{"not found", arg} }

// outcomeOf classifies the error of a mutation.
func outcomeOf(err error) outcome {
	var refusal *rule.Refusal
	var hidden *rule.NotFoundError
	switch {
	case err == nil:
		return allowed
	case errors.As(err, &refusal):
		return outcome{"refused", refusal.Reason}
	case errors.As(err, &hidden):
		return notFound(hidden.Arg)
	case errors.Is(err, privacy.Deny):
		return denied
	case ent.IsNotFound(err):
		return missing
	}
	return outcome{"error", err.Error()}
}

// matches reports whether got is the outcome want describes.
func (want outcome) matches(got outcome) bool {
	if want.kind == "refused" {
		return got.kind == "refused" && strings.Contains(got.detail, want.detail)
	}
	return got == want
}

// attempt runs write as v in a transaction that it then rolls back, so
// that every row of a table starts from the same world, and returns how the
// write was answered.
func (w *world) attempt(t *testing.T, v *viewer.Viewer, write func(context.Context, *ent.Client) error) outcome {
	t.Helper()
	ctx := viewer.NewContext(context.Background(), v)
	tx, err := w.client.Tx(ctx)
	if err != nil {
		t.Fatalf("starting a transaction: %v", err)
	}
	defer func() {
		if err := tx.Rollback(); err != nil {
			t.Errorf("rolling back: %v", err)
		}
	}()
	return outcomeOf(write(ctx, tx.Client()))
}
