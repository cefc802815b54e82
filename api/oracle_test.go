package api_test

// The oracle of the differential test: who sees and may change what,
// written straight from PRODUCT.md section 2 and the decisions that complete
// it (see differential_test.go). It is plain Go over plain structs and shares
// no code with package rule, nor with package role: roles are small ints here.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Project roles, ordered; rNone is no role at all.
const (
	rNone = iota
	rViewer
	rModerator
	rEditor
	rManager
)

var roleNames = []string{"none", "VIEWER", "MODERATOR", "EDITOR", "MANAGER"}

// rankOf turns a role name into its rank.
func rankOf(name string) int {
	if i := slices.Index(roleNames, name); i > 0 {
		return i
	}
	return rNone
}

// The world as the oracle sees it: every row that matters, read back from
// the database with the system context.
type (
	oUser struct {
		ID, Email, Name          string
		Admin, APIAccess, Active bool
	}
	oTeam struct {
		ID, Name   string
		Restricted bool
	}
	// oMember is a TeamMembership (Group is the team) or a ProjectMembership
	// (Group is the project).
	oMember struct {
		ID, Group, UserID string
		Role              int
	}
	oProject struct {
		ID, TeamID, Title, Slug, Summary, Status, Moderation string // TeamID "" for none
	}
	oSurvey struct {
		ID, ProjectID, Title, Description, Status string
	}
	oQuestion struct {
		ID, SurveyID, Prompt string
		Position             int
	}
	oResponse struct {
		ID, SurveyID string
		Name, Email  *string
		SubmittedAt  time.Time
	}
	oAnswer struct {
		ID, ResponseID, QuestionID, Value string
	}
	oMap struct {
		ID, ProjectID, Title string
	}
	oPin struct {
		ID, MapID, Body, AuthorName, Status string
		AuthorEmail                         *string
	}
	oComment struct {
		ID, PinID, Body, AuthorName, Status string
		AuthorEmail                         *string
	}
	oToken struct {
		ID, OwnerID, Name string
		Secret            string // known to the generator only
		ReadOnly          bool
		Expired, Revoked  bool
		Projects          []string // allowed projects; empty for all
	}
	oAudit struct {
		ID, Action, TokenID, ActorID string
	}
)

type oWorld struct {
	Users              []*oUser
	Teams              []*oTeam
	TeamMemberships    []*oMember
	Projects           []*oProject
	ProjectMemberships []*oMember
	Surveys            []*oSurvey
	Questions          []*oQuestion
	Responses          []*oResponse
	Answers            []*oAnswer
	Maps               []*oMap
	Pins               []*oPin
	Comments           []*oComment
	Tokens             []*oToken
	Audits             []*oAudit

	user     map[string]*oUser
	team     map[string]*oTeam
	project  map[string]*oProject
	survey   map[string]*oSurvey
	response map[string]*oResponse
	mapByID  map[string]*oMap
	pin      map[string]*oPin
	token    map[string]*oToken
}

// index builds the lookup maps; call it once the slices are filled.
func (w *oWorld) index() {
	w.user = byID(w.Users, func(x *oUser) string { return x.ID })
	w.team = byID(w.Teams, func(x *oTeam) string { return x.ID })
	w.project = byID(w.Projects, func(x *oProject) string { return x.ID })
	w.survey = byID(w.Surveys, func(x *oSurvey) string { return x.ID })
	w.response = byID(w.Responses, func(x *oResponse) string { return x.ID })
	w.mapByID = byID(w.Maps, func(x *oMap) string { return x.ID })
	w.pin = byID(w.Pins, func(x *oPin) string { return x.ID })
	w.token = byID(w.Tokens, func(x *oToken) string { return x.ID })
}

// byID maps each of xs by the ID that id reads from it.
func byID[T any](xs []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		m[id(x)] = x
	}
	return m
}

// oracle answers, for one world, what each token should see and may do.
type oracle struct {
	w *oWorld
	// draftsVisibleToViewers deliberately breaks one decision (a DRAFT
	// survey is visible from VIEWER up). Only the self-check sets it, to show
	// that the differential comparison notices a wrong rule.
	draftsVisibleToViewers bool
}

// userRole is the effective role of user uid on project pid.
func (o *oracle) userRole(uid, pid string) int {
	u, p := o.w.user[uid], o.w.project[pid]
	if u == nil || p == nil || !u.Active {
		return rNone
	}
	if u.Admin {
		return rManager
	}
	r := rNone
	for _, m := range o.w.ProjectMemberships {
		if m.UserID == uid && m.Group == pid {
			r = max(r, m.Role)
		}
	}
	if p.TeamID != "" {
		for _, m := range o.w.TeamMemberships {
			if m.UserID == uid && m.Group == p.TeamID {
				r = max(r, m.Role)
			}
		}
	}
	if p.TeamID == "" || !o.w.team[p.TeamID].Restricted {
		r = max(r, rViewer)
	}
	return r
}

// live reports whether the token authenticates at all; the others get 401.
func (o *oracle) live(t *oToken) bool {
	u := o.w.user[t.OwnerID]
	return !t.Revoked && !t.Expired && u.Active && (u.Admin || u.APIAccess)
}

// role is the token's role on project pid.
func (o *oracle) role(t *oToken, pid string) int {
	if len(t.Projects) > 0 && !slices.Contains(t.Projects, pid) {
		return rNone
	}
	return o.userRole(t.OwnerID, pid)
}

// admin: the owner is an ADMIN. Users, teams, team memberships, tokens and
// audit events are not project data: a project-limited ADMIN token sees them
// as an ADMIN.
func (o *oracle) admin(t *oToken) bool { return o.w.user[t.OwnerID].Admin }

// unrestrictedAdmin may write users, teams and memberships.
func (o *oracle) unrestrictedAdmin(t *oToken) bool { return o.admin(t) && len(t.Projects) == 0 }

func (o *oracle) projectVisible(t *oToken, pid string) bool {
	return o.w.project[pid] != nil && o.role(t, pid) >= rViewer
}

func (o *oracle) surveyVisible(t *oToken, s *oSurvey) bool {
	r := o.role(t, s.ProjectID)
	if s.Status == "DRAFT" && !o.draftsVisibleToViewers {
		return r >= rEditor
	}
	return r >= rViewer
}

func (o *oracle) questionVisible(t *oToken, q *oQuestion) bool {
	return o.surveyVisible(t, o.w.survey[q.SurveyID])
}

func (o *oracle) responseVisible(t *oToken, r *oResponse) bool {
	return o.surveyVisible(t, o.w.survey[r.SurveyID])
}

func (o *oracle) answerVisible(t *oToken, a *oAnswer) bool {
	return o.responseVisible(t, o.w.response[a.ResponseID])
}

func (o *oracle) mapVisible(t *oToken, m *oMap) bool { return o.role(t, m.ProjectID) >= rViewer }

func (o *oracle) pinProject(p *oPin) string { return o.w.mapByID[p.MapID].ProjectID }

func (o *oracle) pinVisible(t *oToken, p *oPin) bool {
	r := o.role(t, o.pinProject(p))
	return r >= rViewer && (p.Status == "PUBLISHED" || r >= rModerator)
}

func (o *oracle) commentVisible(t *oToken, c *oComment) bool {
	p := o.w.pin[c.PinID]
	r := o.role(t, o.pinProject(p))
	return o.pinVisible(t, p) && (c.Status == "PUBLISHED" || r >= rModerator)
}

func (o *oracle) projectMembershipVisible(t *oToken, m *oMember) bool {
	return o.role(t, m.Group) >= rViewer
}

func (o *oracle) isTeamMember(uid, teamID string) bool {
	for _, m := range o.w.TeamMemberships {
		if m.UserID == uid && m.Group == teamID {
			return true
		}
	}
	return false
}

func (o *oracle) teamVisible(t *oToken, tm *oTeam) bool {
	return o.admin(t) || o.isTeamMember(t.OwnerID, tm.ID) || !tm.Restricted
}

func (o *oracle) teamMembershipVisible(t *oToken, m *oMember) bool {
	return o.teamVisible(t, o.w.team[m.Group])
}

// hasMembershipRole: u has a role on p through a membership (a
// ProjectMembership on p or a TeamMembership in p's team). The VIEWER
// access of an open team does not count.
func (o *oracle) hasMembershipRole(uid string, p *oProject) bool {
	for _, m := range o.w.ProjectMemberships {
		if m.UserID == uid && m.Group == p.ID {
			return true
		}
	}
	return p.TeamID != "" && o.isTeamMember(uid, p.TeamID)
}

// sharesTeamOrProject: u and w both belong to one team, or both have a
// membership role on one project.
func (o *oracle) sharesTeamOrProject(u, w string) bool {
	for _, tm := range o.w.Teams {
		if o.isTeamMember(u, tm.ID) && o.isTeamMember(w, tm.ID) {
			return true
		}
	}
	for _, p := range o.w.Projects {
		if o.hasMembershipRole(u, p) && o.hasMembershipRole(w, p) {
			return true
		}
	}
	return false
}

func (o *oracle) userVisible(t *oToken, u *oUser) bool {
	return u.ID == t.OwnerID || o.admin(t) || o.sharesTeamOrProject(t.OwnerID, u.ID)
}

// memberUser is what tok reads of a visible membership's user: the user's
// ID when tok may see the user, else null (the membership stays visible).
func (o *oracle) memberUser(t *oToken, m *oMember) any {
	if !o.userVisible(t, o.w.user[m.UserID]) {
		return nil
	}
	return map[string]any{"id": m.UserID}
}

func (o *oracle) tokenVisible(t *oToken, k *oToken) bool {
	return k.OwnerID == t.OwnerID || o.admin(t)
}

func (o *oracle) auditVisible(t *oToken, e *oAudit) bool {
	if o.admin(t) {
		return true
	}
	k := o.w.token[e.TokenID]
	return k != nil && k.OwnerID == t.OwnerID
}

// Personal data: the value, or nil when the token may not see it.

func (o *oracle) responsePII(t *oToken, r *oResponse) (name, email *string) {
	if o.role(t, o.w.survey[r.SurveyID].ProjectID) >= rManager {
		return r.Name, r.Email
	}
	return nil, nil
}

func (o *oracle) pinEmail(t *oToken, p *oPin) *string {
	if o.role(t, o.pinProject(p)) >= rManager {
		return p.AuthorEmail
	}
	return nil
}

func (o *oracle) commentEmail(t *oToken, c *oComment) *string {
	if o.role(t, o.pinProject(o.w.pin[c.PinID])) >= rManager {
		return c.AuthorEmail
	}
	return nil
}

func (o *oracle) userEmail(t *oToken, u *oUser) *string {
	if u.ID == t.OwnerID || o.admin(t) {
		return &u.Email
	}
	return nil
}

// Writes. A verdict is "ok" or the extensions.code of the refusal.
const (
	vOK        = "ok"
	vForbidden = "FORBIDDEN"
	vNotFound  = "NOT_FOUND"
)

// writeProjectData judges a write to (or under) an object of project pid
// that the token can see when visible is true and that needs role need.
func (o *oracle) writeProjectData(t *oToken, pid string, visible bool, need int) string {
	switch {
	case t.ReadOnly:
		return vForbidden
	case !visible:
		return vNotFound
	case o.role(t, pid) < need:
		return vForbidden
	}
	return vOK
}

func (o *oracle) updateProject(t *oToken, pid string) string {
	return o.writeProjectData(t, pid, o.projectVisible(t, pid), rEditor)
}

func (o *oracle) createSurvey(t *oToken, pid string) string {
	return o.writeProjectData(t, pid, o.projectVisible(t, pid), rEditor)
}

func (o *oracle) updateSurvey(t *oToken, sid string) string {
	s := o.w.survey[sid]
	if s == nil {
		return o.writeProjectData(t, "", false, rEditor)
	}
	return o.writeProjectData(t, s.ProjectID, o.surveyVisible(t, s), rEditor)
}

func (o *oracle) moderatePin(t *oToken, pinID string) string {
	p := o.w.pin[pinID]
	if p == nil {
		return o.writeProjectData(t, "", false, rModerator)
	}
	return o.writeProjectData(t, o.pinProject(p), o.pinVisible(t, p), rModerator)
}

func (o *oracle) createPin(t *oToken, mapID string) string {
	m := o.w.mapByID[mapID]
	if m == nil {
		return o.writeProjectData(t, "", false, rEditor)
	}
	return o.writeProjectData(t, m.ProjectID, o.mapVisible(t, m), rEditor)
}

// newContributionStatus is the status a new pin or comment of project pid
// starts in.
func (o *oracle) newContributionStatus(pid string) string {
	if o.w.project[pid].Moderation == "REQUIRES_APPROVAL" {
		return "PENDING"
	}
	return "PUBLISHED"
}

func (o *oracle) createTeam(t *oToken) string {
	if t.ReadOnly || !o.unrestrictedAdmin(t) {
		return vForbidden
	}
	return vOK
}

// createProjectMembership: its parents, the project and the user, must be
// visible (else NOT_FOUND); then only an unrestricted ADMIN may write it.
func (o *oracle) createProjectMembership(t *oToken, pid, uid string) string {
	switch {
	case t.ReadOnly:
		return vForbidden
	case !o.projectVisible(t, pid) || o.w.user[uid] == nil || !o.userVisible(t, o.w.user[uid]):
		return vNotFound
	case !o.unrestrictedAdmin(t):
		return vForbidden
	}
	return vOK
}

// explain tells whether the object with the given ID exists, whether the
// token sees it, and the token's role on its project, for failure messages.
func (o *oracle) explain(t *oToken, id string) string {
	w := o.w
	var visible bool
	var pid, what string
	switch {
	case w.project[id] != nil:
		visible, pid, what = o.projectVisible(t, id), id, "project "+w.project[id].Status
	case w.survey[id] != nil:
		s := w.survey[id]
		visible, pid, what = o.surveyVisible(t, s), s.ProjectID, "survey "+s.Status
	case w.mapByID[id] != nil:
		m := w.mapByID[id]
		visible, pid, what = o.mapVisible(t, m), m.ProjectID, "map"
	case w.pin[id] != nil:
		p := w.pin[id]
		visible, pid, what = o.pinVisible(t, p), o.pinProject(p), "pin "+p.Status
	case w.user[id] != nil:
		return fmt.Sprintf("%s: user, visible=%v", id, o.userVisible(t, w.user[id]))
	default:
		return id + ": missing"
	}
	return fmt.Sprintf("%s: %s, visible=%v, in %s where the token is %s", id, what, visible, pid, roleNames[o.role(t, pid)])
}

// describe tells who a token acts for and how it is limited, with the
// oracle's role of the token on each project, for failure messages.
func (o *oracle) describe(t *oToken) string {
	u := o.w.user[t.OwnerID]
	kind := "STAFF"
	if u.Admin {
		kind = "ADMIN"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "token %s of user %s (%s, apiAccess=%v, active=%v); readOnly=%v expired=%v revoked=%v allowedProjects=%v",
		t.ID, u.ID, kind, u.APIAccess, u.Active, t.ReadOnly, t.Expired, t.Revoked, t.Projects)
	var roles []string
	for _, p := range o.w.Projects {
		team := "no team"
		if p.TeamID != "" {
			team = p.TeamID
			if o.w.team[p.TeamID].Restricted {
				team += " (restricted)"
			}
		}
		roles = append(roles, fmt.Sprintf("%s [%s]: owner %s, token %s", p.ID, team,
			roleNames[o.userRole(u.ID, p.ID)], roleNames[o.role(t, p.ID)]))
	}
	sort.Strings(roles)
	fmt.Fprintf(&b, "\n    roles: %s", strings.Join(roles, "; "))
	var ms []string
	for _, m := range o.w.ProjectMemberships {
		if m.UserID == u.ID {
			ms = append(ms, "project "+m.Group+"="+roleNames[m.Role])
		}
	}
	for _, m := range o.w.TeamMemberships {
		if m.UserID == u.ID {
			ms = append(ms, "team "+m.Group+"="+roleNames[m.Role])
		}
	}
	sort.Strings(ms)
	fmt.Fprintf(&b, "\n    owner's memberships: %v", ms)
	return b.String()
}
