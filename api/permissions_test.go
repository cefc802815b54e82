package api_test

// TestPermissions is the permission model as a table: every caller (a role,
// through its token) × every entity × every access path, through the real
// HTTP handler, on a small fixed world built with the system context.
//
// The expectations are explicit tables of named objects (who sees what, who
// sees whose personal data, what each mutation answers), written from
// PRODUCT.md section 2 and the decisions that complete it; they are not
// computed by a copy of the rules. Subtests are named role/path/object.
//
// This file holds the callers and the world; permissions_tables_test.go the
// tables, permissions_reads_test.go and permissions_writes_test.go the
// checks.

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// permCaller is one column of the tables: a role, the user it acts for and
// the token it calls with.
type permCaller struct {
	letter byte   // its column in every expectation string ("AMEDVPORL")
	role   string // its name in subtest names
	user   string // the caller's user
	token  string // the token it sends
}

// The callers, in the column order of every expectation string below.
var permCallers = []permCaller{
	{'A', "admin", "u.admin", "t.admin"},            // ADMIN
	{'M', "mgrR", "u.mgrR", "t.mgrR"},               // MANAGER TeamMembership in restricted team R
	{'E', "edR", "u.edR", "t.edR"},                  // EDITOR TeamMembership in R
	{'D', "modR", "u.modR", "t.modR"},               // MODERATOR TeamMembership in R
	{'V', "viewR", "u.viewR", "t.viewR"},            // VIEWER TeamMembership in R
	{'P', "projOnly", "u.projOnly", "t.projOnly"},   // ProjectMembership VIEWER on pR, no team
	{'O', "outsider", "u.outsider", "t.outsider"},   // STAFF without memberships
	{'R', "edR-readonly", "u.edR", "t.edR-ro"},      // read-only token of the R EDITOR
	{'L', "admin-pO-only", "u.admin", "t.admin-pO"}, // token of the ADMIN limited to pO
}

// permLocked are callers whose every request is refused with 401.
var permLocked = []struct{ role, token string }{
	{"inactive", "t.inactive"}, // token of a deactivated user (MANAGER in R)
	{"revoked", "t.revoked"},   // revoked token of the R EDITOR
}

// permWorld is the fixed world: every object by name.
type permWorld struct {
	h       *apitest.Server
	id      map[string]string // name → ID
	name    map[string]string // ID → name
	kind    map[string]string // name → GraphQL type
	parents map[string][]string
	order   []string                     // names, in creation order
	pii     map[string]map[string]string // name → personal field → stored value
	secret  map[string]string            // token name → secret
	sees    map[string]string            // name → visibility row
	sensed  map[string]string            // name → personal-data row
}

func (w *permWorld) add(name, kind, id string, parents ...string) {
	if _, dup := w.id[name]; dup {
		panic("duplicate object name " + name)
	}
	w.id[name], w.name[id], w.kind[name], w.parents[name] = id, name, kind, parents
	w.order = append(w.order, name)
}

// label names an ID: the object's name, or the ID itself for objects made
// along the way (such as audit events of refused tokens).
func (w *permWorld) label(id string) string {
	if n, ok := w.name[id]; ok {
		return n
	}
	return id
}

// visibleTo reports whether the caller sees the named object.
func (w *permWorld) visibleTo(name string, c permCaller) bool {
	return strings.IndexByte(w.sees[name], c.letter) >= 0
}

// expected lists (by label, sorted) the objects of kind under parent ("" for
// a root connection) that the caller sees. Audit events are read from the
// database, as refused uses of the revoked token add some; an event not
// named in the world is seen by whoever sees its token.
func (w *permWorld) expected(c permCaller, kind, parent string) []string {
	var out []string
	if kind == "AuditEvent" {
		for _, ev := range w.h.DB.Ent.AuditEvent.Query().AllX(testdb.System()) {
			tok := w.label(*ev.TokenID)
			if parent != "" && tok != parent {
				continue
			}
			row, ok := w.sees[w.label(ev.ID)]
			if !ok {
				row = w.sees[tok]
			}
			if strings.IndexByte(row, c.letter) >= 0 {
				out = append(out, w.label(ev.ID))
			}
		}
		sort.Strings(out)
		return out
	}
	for _, n := range w.order {
		if w.kind[n] == kind && (parent == "" || slices.Contains(w.parents[n], parent)) && w.visibleTo(n, c) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// permEmail is the stored email of a named person or respondent.
func permEmail(name string) string {
	return strings.ToLower(strings.NewReplacer(".", "-", "@", "-at-").Replace(name)) + "@example.test"
}

// permBuild makes the world with the system context.
func permBuild(t *testing.T, h *apitest.Server) *permWorld {
	t.Helper()
	w := &permWorld{
		h: h, id: map[string]string{}, name: map[string]string{}, kind: map[string]string{},
		parents: map[string][]string{}, pii: map[string]map[string]string{}, secret: map[string]string{},
		sees: map[string]string{}, sensed: map[string]string{},
	}
	for _, r := range permVisibility {
		w.sees[r.name] = r.sees
	}
	for _, r := range permPersonal {
		w.sensed[r.name] = r.sees
	}
	w.addPeople()
	w.addProjects()
	for _, p := range []string{"pR", "pO", "pN"} {
		w.addSurveys(p)
		w.addMap(p)
	}
	w.addTokens(t)
	w.checkTablesNameTheWorld(t)
	return w
}

// addPeople adds the users, the teams R (restricted) and O (open), and the
// team memberships.
func (w *permWorld) addPeople() {
	ctx, c := testdb.System(), w.h.DB.Ent
	for _, u := range []struct {
		name          string
		admin, active bool
	}{
		{"u.admin", true, true}, {"u.mgrR", false, true}, {"u.edR", false, true}, {"u.modR", false, true},
		{"u.viewR", false, true}, {"u.projOnly", false, true}, {"u.outsider", false, true},
		{"u.inactive", false, false}, {"u.memberO", false, true},
	} {
		r := user.RoleSTAFF
		if u.admin {
			r = user.RoleADMIN
		}
		created := c.User.Create().SetEmail(permEmail(u.name)).SetName(u.name).SetRole(r).SetAPIAccess(true).SetActive(u.active).SaveX(ctx)
		w.add(u.name, "User", created.ID)
		w.pii[u.name] = map[string]string{"email": permEmail(u.name)}
	}

	w.add("R", "Team", c.Team.Create().SetName("Restricted team").SetRestricted(true).SaveX(ctx).ID)
	w.add("O", "Team", c.Team.Create().SetName("Open team").SetRestricted(false).SaveX(ctx).ID)
	for _, m := range []struct {
		user, team string
		role       role.Role
	}{
		{"u.mgrR", "R", role.Manager}, {"u.edR", "R", role.Editor}, {"u.modR", "R", role.Moderator},
		{"u.viewR", "R", role.Viewer}, {"u.inactive", "R", role.Manager}, {"u.memberO", "O", role.Editor},
	} {
		tm := c.TeamMembership.Create().SetRole(m.role).SetTeamID(w.id[m.team]).SetUserID(w.id[m.user]).SaveX(ctx)
		w.add("tm."+strings.TrimPrefix(m.user, "u.")+"@"+m.team, "TeamMembership", tm.ID, m.team, m.user)
	}
}

// addProjects adds pR in team R, pO in team O and pN without a team, and
// their project memberships.
func (w *permWorld) addProjects() {
	ctx, c := testdb.System(), w.h.DB.Ent
	for _, p := range []struct {
		name, title, slug, team string
		moderation              project.Moderation
	}{
		{"pR", "Cedar Park", "cedar-park", "R", project.ModerationREQUIRES_APPROVAL},
		{"pO", "Alder Street", "alder-street", "O", project.ModerationPUBLISH_IMMEDIATELY},
		{"pN", "Birch Lane", "birch-lane", "", project.ModerationPUBLISH_IMMEDIATELY},
	} {
		create := c.Project.Create().SetTitle(p.title).SetSlug(p.slug).SetStatus(project.StatusPUBLISHED).SetModeration(p.moderation)
		var parents []string
		if p.team != "" {
			create.SetTeamID(w.id[p.team])
			parents = append(parents, p.team)
		}
		w.add(p.name, "Project", create.SaveX(ctx).ID, parents...)
	}
	w.add("pm.projOnly@pR", "ProjectMembership",
		c.ProjectMembership.Create().SetRole(role.Viewer).SetProjectID(w.id["pR"]).SetUserID(w.id["u.projOnly"]).SaveX(ctx).ID, "pR", "u.projOnly")
	w.add("pm.memberO@pN", "ProjectMembership",
		c.ProjectMembership.Create().SetRole(role.Viewer).SetProjectID(w.id["pN"]).SetUserID(w.id["u.memberO"]).SaveX(ctx).ID, "pN", "u.memberO")
}

// addSurveys adds to project p a draft and an open survey, each with a
// question, a response and its answer.
func (w *permWorld) addSurveys(p string) {
	ctx, c := testdb.System(), w.h.DB.Ent
	for _, s := range []struct {
		suffix string
		status survey.Status
	}{{"draft", survey.StatusDRAFT}, {"open", survey.StatusOPEN}} {
		sn := p + "." + s.suffix
		sv := c.Survey.Create().SetTitle("Survey " + sn).SetStatus(s.status).SetProjectID(w.id[p]).SaveX(ctx)
		w.add(sn, "Survey", sv.ID, p)
		q := c.Question.Create().SetPosition(0).SetKind(question.KindSHORT_TEXT).SetPrompt("Prompt of " + sn).SetSurveyID(sv.ID).SaveX(ctx)
		w.add(sn+".q", "Question", q.ID, sn)
		r := c.Response.Create().SetSurveyID(sv.ID).SetRespondentName("Respondent " + sn).SetRespondentEmail(permEmail(sn + ".r")).SaveX(ctx)
		w.add(sn+".r", "Response", r.ID, sn)
		w.pii[sn+".r"] = map[string]string{"respondentName": "Respondent " + sn, "respondentEmail": permEmail(sn + ".r")}
		a := c.Answer.Create().SetValue("yes").SetResponseID(r.ID).SetQuestionID(q.ID).SaveX(ctx)
		w.add(sn+".a", "Answer", a.ID, sn+".r", sn+".q")
		if sn == "pR.open" { // for createAnswer: one answer per question in a response
			u := c.Question.Create().SetPosition(1).SetKind(question.KindSHORT_TEXT).SetPrompt("Unanswered prompt of " + sn).SetSurveyID(sv.ID).SaveX(ctx)
			w.add(sn+".unanswered", "Question", u.ID, sn)
		}
	}
}

// addMap adds to project p a map with a pin of each moderation status,
// comments of each status on the published pin, and a published comment
// on the pending pin.
func (w *permWorld) addMap(p string) {
	ctx, c := testdb.System(), w.h.DB.Ent
	m := c.ProjectMap.Create().SetTitle("Map of " + p).SetCenterLatitude(51.5).SetCenterLongitude(-0.1).SetProjectID(w.id[p]).SaveX(ctx)
	w.add(p+".map", "Map", m.ID, p)
	for _, st := range moderation.All {
		n := p + ".pin." + string(st)
		pin := c.Pin.Create().SetLatitude(51.5).SetLongitude(-0.1).SetBody("Body of " + n).SetAuthorName("Author").
			SetAuthorEmail(permEmail(n)).SetStatus(st).SetMapID(m.ID).SaveX(ctx)
		w.add(n, "Pin", pin.ID, p+".map")
		w.pii[n] = map[string]string{"authorEmail": permEmail(n)}
	}
	published := p + ".pin." + string(moderation.Published)
	for _, st := range moderation.All {
		n := p + ".cmt." + string(st)
		cm := c.Comment.Create().SetBody("Comment " + n).SetAuthorName("Author").SetAuthorEmail(permEmail(n)).
			SetStatus(st).SetPinID(w.id[published]).SaveX(ctx)
		w.add(n, "Comment", cm.ID, published)
		w.pii[n] = map[string]string{"authorEmail": permEmail(n)}
	}
	pending := p + ".pin." + string(moderation.Pending)
	n := p + ".cmt.onPENDING"
	cm := c.Comment.Create().SetBody("Comment " + n).SetAuthorName("Author").SetAuthorEmail(permEmail(n)).
		SetStatus(moderation.Published).SetPinID(w.id[pending]).SaveX(ctx)
	w.add(n, "Comment", cm.ID, pending)
	w.pii[n] = map[string]string{"authorEmail": permEmail(n)}
}

// addTokens mints the callers' tokens, and revokes t.revoked.
func (w *permWorld) addTokens(t *testing.T) {
	t.Helper()
	ctx, c := testdb.System(), w.h.DB.Ent
	for _, k := range []struct {
		name, owner string
		readOnly    bool
		projects    []string
	}{
		{"t.admin", "u.admin", false, nil}, {"t.admin-pO", "u.admin", false, []string{"pO"}},
		{"t.mgrR", "u.mgrR", false, nil}, {"t.edR", "u.edR", false, nil}, {"t.modR", "u.modR", false, nil},
		{"t.viewR", "u.viewR", false, nil}, {"t.projOnly", "u.projOnly", false, nil},
		{"t.outsider", "u.outsider", false, nil}, {"t.inactive", "u.inactive", false, nil},
		{"t.edR-ro", "u.edR", true, nil}, {"t.revoked", "u.edR", false, nil},
	} {
		var pids []string
		for _, p := range k.projects {
			pids = append(pids, w.id[p])
		}
		tok, secret, err := token.Mint(ctx, c, token.Spec{OwnerID: w.id[k.owner], Name: k.name, ReadOnly: k.readOnly, ProjectIDs: pids}, token.Actor{})
		if err != nil {
			t.Fatalf("minting %s: %v", k.name, err)
		}
		w.add(k.name, "APIToken", tok.ID, k.owner)
		for _, p := range k.projects {
			w.parents[p] = append(w.parents[p], k.name) // the token's allowedProjects
		}
		w.secret[k.name] = secret
		w.add("ev.created."+k.name, "AuditEvent", c.AuditEvent.Query().Where(auditevent.TokenID(tok.ID)).OnlyIDX(ctx), k.name)
	}
	if _, err := token.Revoke(ctx, c, w.id["t.revoked"], token.Actor{}); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	w.add("ev.revoked.t.revoked", "AuditEvent",
		c.AuditEvent.Query().Where(auditevent.TokenID(w.id["t.revoked"]), auditevent.ActionEQ(auditevent.ActionTOKEN_REVOKED)).OnlyIDX(ctx), "t.revoked")
}

// checkTablesNameTheWorld stops the test unless the tables name exactly the
// objects of the world.
func (w *permWorld) checkTablesNameTheWorld(t *testing.T) {
	t.Helper()
	for _, n := range w.order {
		if _, ok := w.sees[n]; !ok {
			t.Errorf("the visibility table has no row for %s", n)
		}
		if _, ok := w.pii[n]; ok {
			if _, ok := w.sensed[n]; !ok {
				t.Errorf("the personal-data table has no row for %s", n)
			}
		}
	}
	for n := range w.sees {
		if _, ok := w.id[n]; !ok {
			t.Errorf("the visibility table names %s, which is not in the world", n)
		}
	}
	for n := range w.sensed {
		if _, ok := w.pii[n]; !ok {
			t.Errorf("the personal-data table names %s, which has no personal data", n)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func TestPermissions(t *testing.T) {
	permCheckTables(t)
	t.Run("reads", func(t *testing.T) {
		h := apitest.New(t)
		w := permBuild(t, h)
		for _, c := range permCallers {
			w.checkReads(t, c)
		}
		for _, l := range permLocked {
			w.checkLockedReads(t, l.role, w.secret[l.token])
		}
	})
	t.Run("writes", func(t *testing.T) {
		h := apitest.New(t)
		w := permBuild(t, h)
		w.checkWrites(t)
	})
}
