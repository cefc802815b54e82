package api_test

// TestPermissions is the permission model as a table: every caller (a role,
// through its token) × every entity × every access path, through the real
// HTTP handler, on a small fixed world built with the system context.
//
// The expectations are explicit tables of named objects (who sees what, who
// sees whose personal data, what each mutation answers), written from
// PRODUCT.md section 2 and the decisions that complete it; they are not
// computed by a copy of the rules. Subtests are named role/path/object.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/gid"
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

// permRow is one row of an expectation table: for each caller (column
// "AMEDVPORL"), its letter when the caller sees the object, "." when not.
type permRow struct{ sees, name string }

// permVisibility: who sees which object, on every read path.
var permVisibility = []permRow{
	// Users: self, ADMIN, and users sharing a team or a project through
	// memberships. The R team members share pR with projOnly.
	//AMEDVPORL
	{"A.......L", "u.admin"},
	{"AMEDVP.RL", "u.mgrR"},
	{"AMEDVP.RL", "u.edR"},
	{"AMEDVP.RL", "u.modR"},
	{"AMEDVP.RL", "u.viewR"},
	{"AMEDVP.RL", "u.projOnly"},
	{"A.....O.L", "u.outsider"},
	{"AMEDVP.RL", "u.inactive"},
	{"A.......L", "u.memberO"},

	// Teams and their memberships: ADMIN, members, or an open team.
	//AMEDVPORL
	{"AMEDV..RL", "R"},
	{"AMEDVPORL", "O"},
	{"AMEDV..RL", "tm.mgrR@R"},
	{"AMEDV..RL", "tm.edR@R"},
	{"AMEDV..RL", "tm.modR@R"},
	{"AMEDV..RL", "tm.viewR@R"},
	{"AMEDV..RL", "tm.inactive@R"},
	{"AMEDVPORL", "tm.memberO@O"},

	// Projects and project memberships: role ≥ VIEWER.
	//AMEDVPORL
	{"AMEDVP.R.", "pR"},
	{"AMEDVPORL", "pO"},
	{"AMEDVPOR.", "pN"},
	{"AMEDVP.R.", "pm.projOnly@pR"},
	{"AMEDVPOR.", "pm.memberO@pN"},

	// pR (team R, restricted, REQUIRES_APPROVAL).
	//AMEDVPORL
	{"AME....R.", "pR.draft"},
	{"AME....R.", "pR.draft.q"},
	{"AME....R.", "pR.draft.r"},
	{"AME....R.", "pR.draft.a"},
	{"AMEDVP.R.", "pR.open"},
	{"AMEDVP.R.", "pR.open.q"},
	{"AMEDVP.R.", "pR.open.unanswered"},
	{"AMEDVP.R.", "pR.open.r"},
	{"AMEDVP.R.", "pR.open.a"},
	{"AMEDVP.R.", "pR.map"},
	{"AMEDVP.R.", "pR.pin.PUBLISHED"},
	{"AMED...R.", "pR.pin.PENDING"},
	{"AMED...R.", "pR.pin.REJECTED"},
	{"AMED...R.", "pR.pin.HIDDEN"},
	{"AMEDVP.R.", "pR.cmt.PUBLISHED"},
	{"AMED...R.", "pR.cmt.PENDING"},
	{"AMED...R.", "pR.cmt.REJECTED"},
	{"AMED...R.", "pR.cmt.HIDDEN"},
	{"AMED...R.", "pR.cmt.onPENDING"}, // published, on the pending pin

	// pO (team O, open): everyone VIEWER, the limited admin token MANAGER.
	//AMEDVPORL
	{"A.......L", "pO.draft"},
	{"A.......L", "pO.draft.q"},
	{"A.......L", "pO.draft.r"},
	{"A.......L", "pO.draft.a"},
	{"AMEDVPORL", "pO.open"},
	{"AMEDVPORL", "pO.open.q"},
	{"AMEDVPORL", "pO.open.r"},
	{"AMEDVPORL", "pO.open.a"},
	{"AMEDVPORL", "pO.map"},
	{"AMEDVPORL", "pO.pin.PUBLISHED"},
	{"A.......L", "pO.pin.PENDING"},
	{"A.......L", "pO.pin.REJECTED"},
	{"A.......L", "pO.pin.HIDDEN"},
	{"AMEDVPORL", "pO.cmt.PUBLISHED"},
	{"A.......L", "pO.cmt.PENDING"},
	{"A.......L", "pO.cmt.REJECTED"},
	{"A.......L", "pO.cmt.HIDDEN"},
	{"A.......L", "pO.cmt.onPENDING"},

	// pN (no team): everyone VIEWER but the pO-only token.
	//AMEDVPORL
	{"A........", "pN.draft"},
	{"A........", "pN.draft.q"},
	{"A........", "pN.draft.r"},
	{"A........", "pN.draft.a"},
	{"AMEDVPOR.", "pN.open"},
	{"AMEDVPOR.", "pN.open.q"},
	{"AMEDVPOR.", "pN.open.r"},
	{"AMEDVPOR.", "pN.open.a"},
	{"AMEDVPOR.", "pN.map"},
	{"AMEDVPOR.", "pN.pin.PUBLISHED"},
	{"A........", "pN.pin.PENDING"},
	{"A........", "pN.pin.REJECTED"},
	{"A........", "pN.pin.HIDDEN"},
	{"AMEDVPOR.", "pN.cmt.PUBLISHED"},
	{"A........", "pN.cmt.PENDING"},
	{"A........", "pN.cmt.REJECTED"},
	{"A........", "pN.cmt.HIDDEN"},
	{"A........", "pN.cmt.onPENDING"},

	// API tokens and the audit events about them: owner, ADMIN.
	//AMEDVPORL
	{"A.......L", "t.admin"},
	{"A.......L", "t.admin-pO"},
	{"AM......L", "t.mgrR"},
	{"A.E....RL", "t.edR"},
	{"A..D....L", "t.modR"},
	{"A...V...L", "t.viewR"},
	{"A....P..L", "t.projOnly"},
	{"A.....O.L", "t.outsider"},
	{"A.......L", "t.inactive"},
	{"A.E....RL", "t.edR-ro"},
	{"A.E....RL", "t.revoked"},
	{"A.......L", "ev.created.t.admin"},
	{"A.......L", "ev.created.t.admin-pO"},
	{"AM......L", "ev.created.t.mgrR"},
	{"A.E....RL", "ev.created.t.edR"},
	{"A..D....L", "ev.created.t.modR"},
	{"A...V...L", "ev.created.t.viewR"},
	{"A....P..L", "ev.created.t.projOnly"},
	{"A.....O.L", "ev.created.t.outsider"},
	{"A.......L", "ev.created.t.inactive"},
	{"A.E....RL", "ev.created.t.edR-ro"},
	{"A.E....RL", "ev.created.t.revoked"},
	{"A.E....RL", "ev.revoked.t.revoked"},
}

// permPersonal: who sees the personal data of which object (respondentName
// and respondentEmail of responses, authorEmail of pins and comments: role
// MANAGER; a user's email: self and ADMIN). Elsewhere the fields are null.
var permPersonal = []permRow{
	//AMEDVPORL
	{"A.......L", "u.admin"},
	{"AM......L", "u.mgrR"},
	{"A.E....RL", "u.edR"},
	{"A..D....L", "u.modR"},
	{"A...V...L", "u.viewR"},
	{"A....P..L", "u.projOnly"},
	{"A.....O.L", "u.outsider"},
	{"A.......L", "u.inactive"},
	{"A.......L", "u.memberO"},

	// pR: ADMIN and the R MANAGER.
	//AMEDVPORL
	{"AM.......", "pR.draft.r"},
	{"AM.......", "pR.open.r"},
	{"AM.......", "pR.pin.PUBLISHED"},
	{"AM.......", "pR.pin.PENDING"},
	{"AM.......", "pR.pin.REJECTED"},
	{"AM.......", "pR.pin.HIDDEN"},
	{"AM.......", "pR.cmt.PUBLISHED"},
	{"AM.......", "pR.cmt.PENDING"},
	{"AM.......", "pR.cmt.REJECTED"},
	{"AM.......", "pR.cmt.HIDDEN"},
	{"AM.......", "pR.cmt.onPENDING"},

	// pO: ADMIN, also through its pO-only token.
	//AMEDVPORL
	{"A.......L", "pO.draft.r"},
	{"A.......L", "pO.open.r"},
	{"A.......L", "pO.pin.PUBLISHED"},
	{"A.......L", "pO.pin.PENDING"},
	{"A.......L", "pO.pin.REJECTED"},
	{"A.......L", "pO.pin.HIDDEN"},
	{"A.......L", "pO.cmt.PUBLISHED"},
	{"A.......L", "pO.cmt.PENDING"},
	{"A.......L", "pO.cmt.REJECTED"},
	{"A.......L", "pO.cmt.HIDDEN"},
	{"A.......L", "pO.cmt.onPENDING"},

	// pN: ADMIN only.
	//AMEDVPORL
	{"A........", "pN.draft.r"},
	{"A........", "pN.open.r"},
	{"A........", "pN.pin.PUBLISHED"},
	{"A........", "pN.pin.PENDING"},
	{"A........", "pN.pin.REJECTED"},
	{"A........", "pN.pin.HIDDEN"},
	{"A........", "pN.cmt.PUBLISHED"},
	{"A........", "pN.cmt.PENDING"},
	{"A........", "pN.cmt.REJECTED"},
	{"A........", "pN.cmt.HIDDEN"},
	{"A........", "pN.cmt.onPENDING"},
}

// permProjectsByTitle: the projects each caller sees, by title ascending
// (pO "Alder Street", pN "Birch Lane", pR "Cedar Park").
var permProjectsByTitle = map[string][]string{
	"admin":         {"pO", "pN", "pR"},
	"mgrR":          {"pO", "pN", "pR"},
	"edR":           {"pO", "pN", "pR"},
	"modR":          {"pO", "pN", "pR"},
	"viewR":         {"pO", "pN", "pR"},
	"projOnly":      {"pO", "pN", "pR"},
	"outsider":      {"pO", "pN"},
	"edR-readonly":  {"pO", "pN", "pR"},
	"admin-pO-only": {"pO"},
}

// permOwnTokens: what viewer.apiTokens lists for each caller: the tokens of
// the caller's user, also for an administrator.
var permOwnTokens = map[string][]string{
	"admin":         {"t.admin", "t.admin-pO"},
	"mgrR":          {"t.mgrR"},
	"edR":           {"t.edR", "t.edR-ro", "t.revoked"},
	"modR":          {"t.modR"},
	"viewR":         {"t.viewR"},
	"projOnly":      {"t.projOnly"},
	"outsider":      {"t.outsider"},
	"edR-readonly":  {"t.edR", "t.edR-ro", "t.revoked"},
	"admin-pO-only": {"t.admin", "t.admin-pO"},
}

// permRootConnections are the root connections and the type they list.
var permRootConnections = []struct{ field, kind string }{
	{"projects", "Project"}, {"surveys", "Survey"}, {"questions", "Question"}, {"responses", "Response"},
	{"answers", "Answer"}, {"maps", "Map"}, {"pins", "Pin"}, {"comments", "Comment"}, {"teams", "Team"},
	{"teamMemberships", "TeamMembership"}, {"projectMemberships", "ProjectMembership"}, {"users", "User"},
	{"apiTokens", "APIToken"}, {"auditEvents", "AuditEvent"},
}

// permEdge is a connection in a nested query: its field, the type it lists,
// the page size asked (larger than any expected list) and nested edges.
type permEdge struct {
	field string
	kind  string
	first int
	sub   []permEdge
}

// permTrees are the nested queries; every level is checked: exact objects
// and totalCount, under each visible parent.
var permTrees = []struct {
	name string
	root permEdge
}{
	{"projects→surveys→questions,responses→answers", permEdge{"projects", "Project", 10, []permEdge{
		{"surveys", "Survey", 5, []permEdge{
			{"questions", "Question", 5, []permEdge{{"answers", "Answer", 5, nil}}},
			{"responses", "Response", 5, []permEdge{{"answers", "Answer", 5, nil}}},
		}},
	}}},
	{"projects→maps→pins→comments,memberships", permEdge{"projects", "Project", 10, []permEdge{
		{"maps", "Map", 5, []permEdge{{"pins", "Pin", 10, []permEdge{{"comments", "Comment", 10, nil}}}}},
		{"memberships", "ProjectMembership", 10, nil},
	}}},
	{"teams→memberships,projects", permEdge{"teams", "Team", 10, []permEdge{
		{"memberships", "TeamMembership", 10, nil},
		{"projects", "Project", 10, nil},
	}}},
	{"users→teamMemberships,projectMemberships,apiTokens→auditEvents", permEdge{"users", "User", 10, []permEdge{
		{"teamMemberships", "TeamMembership", 5, nil},
		{"projectMemberships", "ProjectMembership", 5, nil},
		{"apiTokens", "APIToken", 5, []permEdge{{"auditEvents", "AuditEvent", 5, nil}}},
	}}},
	{"apiTokens→allowedProjects,auditEvents", permEdge{"apiTokens", "APIToken", 20, []permEdge{
		{"allowedProjects", "Project", 5, nil},
		{"auditEvents", "AuditEvent", 5, nil},
	}}},
}

// permPersonalFields are the personal-data fields of each type.
var permPersonalFields = map[string][]string{
	"Response": {"respondentName", "respondentEmail"},
	"Pin":      {"authorEmail"},
	"Comment":  {"authorEmail"},
	"User":     {"email"},
}

// permWheres are where-filters, each with the objects it matches before
// visibility: a caller must get exactly those of them it sees.
var permWheres = []struct {
	name, query string // query returns the connection as c
	matches     []string
}{
	{"surveys hasResponsesWith{hasAnswers}", `{ c: surveys(first: 100, where: {hasResponsesWith: {hasAnswers: true}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.draft", "pR.open", "pO.draft", "pO.open", "pN.draft", "pN.open"}},
	{"surveys status DRAFT", `{ c: surveys(first: 100, where: {status: DRAFT}) { totalCount edges { node { id } } } }`,
		[]string{"pR.draft", "pO.draft", "pN.draft"}},
	{"surveys hasQuestionsWith{kind}", `{ c: surveys(first: 100, where: {hasQuestionsWith: {kind: SHORT_TEXT}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.draft", "pR.open", "pO.draft", "pO.open", "pN.draft", "pN.open"}},
	{"responses hasSurveyWith{DRAFT}", `{ c: responses(first: 100, where: {hasSurveyWith: {status: DRAFT}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.draft.r", "pO.draft.r", "pN.draft.r"}},
	{"answers hasQuestionWith{hasSurveyWith{OPEN}}", `{ c: answers(first: 100, where: {hasQuestionWith: {hasSurveyWith: {status: OPEN}}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.open.a", "pO.open.a", "pN.open.a"}},
	{"questions hasAnswersWith{value}", `{ c: questions(first: 100, where: {hasAnswersWith: {value: "yes"}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.draft.q", "pR.open.q", "pO.draft.q", "pO.open.q", "pN.draft.q", "pN.open.q"}},
	{"projects hasMapsWith{zoom}", `{ c: projects(first: 100, where: {hasMapsWith: {zoomGTE: 0}}) { totalCount edges { node { id } } } }`,
		[]string{"pR", "pO", "pN"}},
	{"projects hasMembershipsWith{VIEWER}", `{ c: projects(first: 100, where: {hasMembershipsWith: {role: VIEWER}}) { totalCount edges { node { id } } } }`,
		[]string{"pR", "pN"}},
	{"maps hasProjectWith{REQUIRES_APPROVAL}", `{ c: maps(first: 100, where: {hasProjectWith: {moderation: REQUIRES_APPROVAL}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.map"}},
	{"pins status PENDING", `{ c: pins(first: 100, where: {status: PENDING}) { totalCount edges { node { id } } } }`,
		[]string{"pR.pin.PENDING", "pO.pin.PENDING", "pN.pin.PENDING"}},
	{"pins hasMapWith{hasProjectWith{slug}}", `{ c: pins(first: 100, where: {hasMapWith: {hasProjectWith: {slug: "birch-lane"}}}) { totalCount edges { node { id } } } }`,
		[]string{"pN.pin.PUBLISHED", "pN.pin.PENDING", "pN.pin.REJECTED", "pN.pin.HIDDEN"}},
	{"comments hasPinWith{PENDING}", `{ c: comments(first: 100, where: {hasPinWith: {status: PENDING}}) { totalCount edges { node { id } } } }`,
		[]string{"pR.cmt.onPENDING", "pO.cmt.onPENDING", "pN.cmt.onPENDING"}},
	{"comments status PUBLISHED", `{ c: comments(first: 100, where: {status: PUBLISHED}) { totalCount edges { node { id } } } }`,
		[]string{"pR.cmt.PUBLISHED", "pR.cmt.onPENDING", "pO.cmt.PUBLISHED", "pO.cmt.onPENDING", "pN.cmt.PUBLISHED", "pN.cmt.onPENDING"}},
	{"teams hasMembershipsWith{MANAGER}", `{ c: teams(first: 100, where: {hasMembershipsWith: {role: MANAGER}}) { totalCount edges { node { id } } } }`,
		[]string{"R"}},
	{"teamMemberships hasTeamWith{restricted}", `{ c: teamMemberships(first: 100, where: {hasTeamWith: {restricted: true}}) { totalCount edges { node { id } } } }`,
		[]string{"tm.mgrR@R", "tm.edR@R", "tm.modR@R", "tm.viewR@R", "tm.inactive@R"}},
	{"projectMemberships hasProjectWith{title}", `{ c: projectMemberships(first: 100, where: {hasProjectWith: {title: "Cedar Park"}}) { totalCount edges { node { id } } } }`,
		[]string{"pm.projOnly@pR"}},
	{"users active false", `{ c: users(first: 100, where: {active: false}) { totalCount edges { node { id } } } }`,
		[]string{"u.inactive"}},
	{"apiTokens hasOwnerWith{ADMIN}", `{ c: apiTokens(first: 100, where: {hasOwnerWith: {role: ADMIN}}) { totalCount edges { node { id } } } }`,
		[]string{"t.admin", "t.admin-pO"}},
	{"apiTokens revokedAtNotNil", `{ c: apiTokens(first: 100, where: {revokedAtNotNil: true}) { totalCount edges { node { id } } } }`,
		[]string{"t.revoked"}},
	{"auditEvents hasTokenWith{readOnly}", `{ c: auditEvents(first: 100, where: {hasTokenWith: {readOnly: true}}) { totalCount edges { node { id } } } }`,
		[]string{"ev.created.t.edR-ro"}},
	{"auditEvents action TOKEN_REVOKED", `{ c: auditEvents(first: 100, where: {action: TOKEN_REVOKED}) { totalCount edges { node { id } } } }`,
		[]string{"ev.revoked.t.revoked"}},
}

// permAbsentFilters are where-filters that must not exist: through edges to
// objects with their own visibility, and on personal data. Each is checked
// twice: the input type exists without the field, and a query using it
// fails validation.
var permAbsentFilters = []struct{ input, field, query string }{
	{"ProjectWhereInput", "hasSurveysWith", `{ projects(where: {hasSurveysWith: {status: DRAFT}}) { totalCount } }`},
	{"ProjectWhereInput", "hasSurveys", `{ projects(where: {hasSurveys: true}) { totalCount } }`},
	{"ProjectWhereInput", "hasTeamWith", `{ projects(where: {hasTeamWith: {restricted: true}}) { totalCount } }`},
	{"ProjectWhereInput", "hasTeam", `{ projects(where: {hasTeam: true}) { totalCount } }`},
	{"ProjectWhereInput", "hasAllowedTokensWith", `{ projects(where: {hasAllowedTokensWith: {readOnly: true}}) { totalCount } }`},
	{"MapWhereInput", "hasPinsWith", `{ maps(where: {hasPinsWith: {status: PENDING}}) { totalCount } }`},
	{"MapWhereInput", "hasPins", `{ maps(where: {hasPins: true}) { totalCount } }`},
	{"PinWhereInput", "hasCommentsWith", `{ pins(where: {hasCommentsWith: {status: PENDING}}) { totalCount } }`},
	{"PinWhereInput", "hasComments", `{ pins(where: {hasComments: true}) { totalCount } }`},
	{"PinWhereInput", "authorEmailContains", `{ pins(where: {authorEmailContains: "@"}) { totalCount } }`},
	{"CommentWhereInput", "authorEmailContains", `{ comments(where: {authorEmailContains: "@"}) { totalCount } }`},
	{"ResponseWhereInput", "respondentEmailContains", `{ responses(where: {respondentEmailContains: "@"}) { totalCount } }`},
	{"ResponseWhereInput", "respondentNameContains", `{ responses(where: {respondentNameContains: "a"}) { totalCount } }`},
	{"TeamWhereInput", "hasProjectsWith", `{ teams(where: {hasProjectsWith: {title: "Cedar Park"}}) { totalCount } }`},
	{"TeamMembershipWhereInput", "hasUserWith", `{ teamMemberships(where: {hasUserWith: {active: false}}) { totalCount } }`},
	{"ProjectMembershipWhereInput", "hasUserWith", `{ projectMemberships(where: {hasUserWith: {role: ADMIN}}) { totalCount } }`},
	{"UserWhereInput", "hasTeamMembershipsWith", `{ users(where: {hasTeamMembershipsWith: {role: MANAGER}}) { totalCount } }`},
	{"UserWhereInput", "hasProjectMembershipsWith", `{ users(where: {hasProjectMembershipsWith: {role: VIEWER}}) { totalCount } }`},
	{"UserWhereInput", "hasAPITokensWith", `{ users(where: {hasAPITokensWith: {readOnly: true}}) { totalCount } }`},
	{"UserWhereInput", "emailContains", `{ users(where: {emailContains: "@"}) { totalCount } }`},
	{"AuditEventWhereInput", "hasActorWith", `{ auditEvents(where: {hasActorWith: {role: ADMIN}}) { totalCount } }`},
	{"APITokenWhereInput", "hasAllowedProjectsWith", `{ apiTokens(where: {hasAllowedProjectsWith: {title: "Cedar Park"}}) { totalCount } }`},
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
	ctx, c := testdb.System(), h.DB.Ent
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

	for _, p := range []string{"pR", "pO", "pN"} {
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

	// The tables must name exactly the objects of the world.
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
	return w
}

// permCheckTables checks the shape of the expectation tables: a column per
// caller holding its letter or ".", and personal data only where the object
// is visible.
func permCheckTables(t *testing.T) {
	t.Helper()
	check := func(table, name, row string) {
		if len(row) != len(permCallers) {
			t.Fatalf("%s row %s: %q has %d columns, want %d", table, name, row, len(row), len(permCallers))
		}
		for i, c := range permCallers {
			if row[i] != '.' && row[i] != c.letter {
				t.Fatalf("%s row %s: column %d is %q, want %q or '.'", table, name, i, row[i], c.letter)
			}
		}
	}
	vis := map[string]string{}
	for _, r := range permVisibility {
		check("visibility", r.name, r.sees)
		vis[r.name] = r.sees
	}
	for _, r := range permPersonal {
		check("personal", r.name, r.sees)
		for i := range r.sees {
			if r.sees[i] != '.' && vis[r.name][i] == '.' {
				t.Fatalf("personal row %s: column %c sees personal data of an object it does not see", r.name, r.sees[i])
			}
		}
	}
}

// permConn is a decoded connection.
type permConn struct {
	TotalCount int
	Edges      []struct {
		Node map[string]any
	}
}

func (w *permWorld) labels(c permConn) []string {
	var out []string
	for _, e := range c.Edges {
		id, _ := e.Node["id"].(string)
		out = append(out, w.label(id))
	}
	sort.Strings(out)
	return out
}

// permUnauthorized checks a 401 answer.
func permUnauthorized(t *testing.T, resp apitest.Response) {
	t.Helper()
	if resp.Status != http.StatusUnauthorized || !reflect.DeepEqual(resp.Codes(), []string{"UNAUTHENTICATED"}) ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) || (len(resp.Data) > 0 && string(resp.Data) != "null") {
		t.Errorf("want 401 UNAUTHENTICATED with a Bearer challenge and no data; got status %d, codes %v, data %s, WWW-Authenticate %q",
			resp.Status, resp.Codes(), resp.Data, resp.Header.Get("WWW-Authenticate"))
	}
}

// permOK decodes the data of a response that must have no error.
func permOK(t *testing.T, resp apitest.Response, out any) bool {
	t.Helper()
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		t.Errorf("status %d, errors %+v", resp.Status, resp.Errors)
		return false
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Errorf("decoding %s: %v", resp.Data, err)
		return false
	}
	return true
}

// permMissing is a well-formed ID of the same type as id that names nothing.
func permMissing(id string) string {
	prefix, _, _ := strings.Cut(id, "_")
	return gid.New(prefix)
}

// permErrors renders errors for comparison, with the given IDs replaced by
// a placeholder, so that a hidden object's errors can be compared with a
// missing one's. Paths are left out: nodes(ids) reports each error at its
// own index.
func permErrors(errs []apitest.Error, ids ...string) string {
	var plain []apitest.Error
	for _, e := range errs {
		e.Path = nil
		plain = append(plain, e)
	}
	b, _ := json.Marshal(plain)
	s := string(b)
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "<id>")
	}
	return s
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

// checkReads runs every read path for one caller.
func (w *permWorld) checkReads(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	run := func(path, object string, f func(t *testing.T)) {
		t.Run(c.role+"/"+path+"/"+object, f)
	}

	// Root connections: the exact set of IDs, and totalCount.
	for _, rc := range permRootConnections {
		run("connection", rc.field, func(t *testing.T) {
			var out struct{ C permConn }
			if !permOK(t, h.Do(secret, `{ c: `+rc.field+`(first: 100) { totalCount edges { node { id } } } }`, nil), &out) {
				return
			}
			want := w.expected(c, rc.kind, "")
			if got := w.labels(out.C); !slices.Equal(got, want) || out.C.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d)\nwant %v (totalCount %d)", got, out.C.TotalCount, want, len(want))
			}
		})
	}

	// node(id) for every object: visible → the object; hidden → null and
	// NOT_FOUND, exactly as for a missing ID of the same type.
	const nodeQuery = `query($id: ID!) { node(id: $id) { typename: __typename id } }`
	for _, n := range w.order {
		run("node", n, func(t *testing.T) {
			id := w.id[n]
			resp := h.Do(secret, nodeQuery, map[string]any{"id": id})
			if w.visibleTo(n, c) {
				var out struct {
					Node *struct{ Typename, ID string }
				}
				if permOK(t, resp, &out) && (out.Node == nil || out.Node.Typename != w.kind[n] || out.Node.ID != id) {
					t.Errorf("got %s, want the %s", resp.Data, w.kind[n])
				}
				return
			}
			missing := permMissing(id)
			gone := h.Do(secret, nodeQuery, map[string]any{"id": missing})
			if string(resp.Data) != `{"node":null}` || !reflect.DeepEqual(resp.Codes(), []string{"NOT_FOUND"}) {
				t.Errorf("hidden: got data %s, codes %v; want node null and [NOT_FOUND]", resp.Data, resp.Codes())
			}
			if string(resp.Data) != string(gone.Data) || permErrors(resp.Errors, id) != permErrors(gone.Errors, missing) {
				t.Errorf("hidden and missing differ:\nhidden  %s %s\nmissing %s %s", resp.Data, permErrors(resp.Errors, id), gone.Data, permErrors(gone.Errors, missing))
			}
		})
	}

	// nodes(ids) for every object at once, and a missing ID: visible ones
	// in place, hidden ones null with the same error as the missing one.
	run("nodes", "every object", func(t *testing.T) {
		var ids []string
		for _, n := range w.order {
			ids = append(ids, w.id[n])
		}
		missing := permMissing(w.id["pR"])
		ids = append(ids, missing)
		resp := h.Do(secret, `query($ids: [ID!]!) { nodes(ids: $ids) { typename: __typename id } }`, map[string]any{"ids": ids})
		var out struct {
			Nodes []*struct{ Typename, ID string }
		}
		if err := json.Unmarshal(resp.Data, &out); err != nil || len(out.Nodes) != len(ids) {
			t.Fatalf("got data %s (%v), want %d entries", resp.Data, err, len(ids))
		}
		errsAt := map[int][]apitest.Error{}
		for _, e := range resp.Errors {
			if len(e.Path) == 2 && e.Path[0] == "nodes" {
				if i, ok := e.Path[1].(float64); ok {
					errsAt[int(i)] = append(errsAt[int(i)], e)
					continue
				}
			}
			t.Errorf("unexpected error %+v", e)
		}
		missingErr := permErrors(errsAt[len(ids)-1], missing)
		if out.Nodes[len(ids)-1] != nil || !strings.Contains(missingErr, "NOT_FOUND") {
			t.Errorf("missing ID: got %v with errors %s, want null and NOT_FOUND", out.Nodes[len(ids)-1], missingErr)
		}
		for i, n := range w.order {
			got := out.Nodes[i]
			if w.visibleTo(n, c) {
				if got == nil || got.ID != ids[i] || got.Typename != w.kind[n] || len(errsAt[i]) > 0 {
					t.Errorf("%s: got %v with errors %+v, want the %s", n, got, errsAt[i], w.kind[n])
				}
				continue
			}
			if got != nil || permErrors(errsAt[i], ids[i]) != missingErr {
				t.Errorf("%s is hidden: got %v with errors %s, want null with the errors of a missing ID %s", n, got, permErrors(errsAt[i], ids[i]), missingErr)
			}
		}
	})

	// Nested edges, with totalCount and personal data at every level.
	for _, tree := range permTrees {
		run("nested", tree.name, func(t *testing.T) {
			resp := h.Do(secret, "{ "+permSelect(tree.root)+" }", nil)
			var out map[string]any
			if permOK(t, resp, &out) {
				w.checkConnection(t, c, tree.root.field, "", tree.root, out[tree.root.field])
			}
		})
	}

	// Edges to a single object: a project's team is null when the team is
	// hidden.
	run("edge", "project.team", func(t *testing.T) {
		var out struct {
			Projects struct {
				Edges []struct {
					Node struct {
						ID   string
						Team *struct{ ID string }
					}
				}
			}
		}
		if !permOK(t, h.Do(secret, `{ projects(first: 10) { edges { node { id team { id } } } } }`, nil), &out) {
			return
		}
		for _, e := range out.Projects.Edges {
			p := w.label(e.Node.ID)
			want := ""
			if ps := w.parents[p]; len(ps) > 0 && w.kind[ps[0]] == "Team" && w.visibleTo(ps[0], c) {
				want = w.id[ps[0]]
			}
			got := ""
			if e.Node.Team != nil {
				got = e.Node.Team.ID
			}
			if got != want {
				t.Errorf("%s.team: got %q, want %q", p, w.label(got), w.label(want))
			}
		}
	})

	// Ordering and paging: only visible projects, in title order.
	wantOrder := permProjectsByTitle[c.role]
	for _, dir := range []string{"ASC", "DESC"} {
		run("order", "projects by TITLE "+dir, func(t *testing.T) {
			var out struct{ Projects permConn }
			if !permOK(t, h.Do(secret, `query($d: OrderDirection!) { projects(first: 100, orderBy: {field: TITLE, direction: $d}) { totalCount edges { node { id } } } }`,
				map[string]any{"d": dir}), &out) {
				return
			}
			var got []string
			for _, e := range out.Projects.Edges {
				got = append(got, w.label(e.Node["id"].(string)))
			}
			want := slices.Clone(wantOrder)
			if dir == "DESC" {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) || out.Projects.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d), want %v", got, out.Projects.TotalCount, want)
			}
		})
	}
	run("order", "projects by TITLE one per page", func(t *testing.T) {
		var got []string
		var after any
		for page := 0; page <= len(wantOrder); page++ {
			var out struct {
				Projects struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   *string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if !permOK(t, h.Do(secret, `query($after: Cursor) { projects(first: 1, after: $after, orderBy: {field: TITLE}) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
				map[string]any{"after": after}), &out) {
				return
			}
			for _, e := range out.Projects.Edges {
				got = append(got, w.label(e.Node.ID))
			}
			if out.Projects.TotalCount != len(wantOrder) {
				t.Errorf("page %d: totalCount %d, want %d", page, out.Projects.TotalCount, len(wantOrder))
			}
			if out.Projects.PageInfo.HasNextPage != (len(got) < len(wantOrder)) {
				t.Errorf("page %d: hasNextPage %v after %v", page, out.Projects.PageInfo.HasNextPage, got)
			}
			if !out.Projects.PageInfo.HasNextPage || out.Projects.PageInfo.EndCursor == nil {
				break
			}
			after = *out.Projects.PageInfo.EndCursor
		}
		if !slices.Equal(got, wantOrder) {
			t.Errorf("got %v, want %v", got, wantOrder)
		}
	})

	// Where-filters count only visible objects.
	for _, wh := range permWheres {
		run("where", wh.name, func(t *testing.T) {
			var out struct{ C permConn }
			if !permOK(t, h.Do(secret, wh.query, nil), &out) {
				return
			}
			var want []string
			for _, n := range wh.matches {
				if w.visibleTo(n, c) {
					want = append(want, n)
				}
			}
			sort.Strings(want)
			if got := w.labels(out.C); !slices.Equal(got, want) || out.C.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d)\nwant %v (totalCount %d)", got, out.C.TotalCount, want, len(want))
			}
		})
	}

	// Filters that must not exist.
	for _, f := range permAbsentFilters {
		run("absent filter", f.input+"."+f.field, func(t *testing.T) {
			resp := h.Do(secret, `query($t: String!) { __type(name: $t) { inputFields { name } } }`, map[string]any{"t": f.input})
			var out struct {
				Type *struct{ InputFields []struct{ Name string } } `json:"__type"`
			}
			if permOK(t, resp, &out) {
				if out.Type == nil {
					t.Fatalf("input type %s does not exist", f.input)
				}
				for _, fl := range out.Type.InputFields {
					if fl.Name == f.field {
						t.Errorf("%s has the field %s", f.input, f.field)
					}
				}
			}
			resp = h.Do(secret, f.query, nil)
			if !reflect.DeepEqual(resp.Codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) || (len(resp.Data) > 0 && string(resp.Data) != "null") {
				t.Errorf("got status %d, data %s, codes %v; want GRAPHQL_VALIDATION_FAILED", resp.Status, resp.Data, resp.Codes())
			}
		})
	}

	// Personal data through root connections and node(id); nested edges
	// are checked above.
	run("personal", "root connections", func(t *testing.T) {
		var out map[string]any
		if !permOK(t, h.Do(secret, `{
			responses(first: 100) { totalCount edges { node { id respondentName respondentEmail } } }
			pins(first: 100) { totalCount edges { node { id authorEmail } } }
			comments(first: 100) { totalCount edges { node { id authorEmail } } }
			users(first: 100) { totalCount edges { node { id email } } } }`, nil), &out) {
			return
		}
		for _, e := range []permEdge{{"responses", "Response", 100, nil}, {"pins", "Pin", 100, nil}, {"comments", "Comment", 100, nil}, {"users", "User", 100, nil}} {
			w.checkConnection(t, c, e.field, "", e, out[e.field])
		}
	})
	for _, n := range w.order {
		if _, ok := w.pii[n]; !ok || !w.visibleTo(n, c) {
			continue
		}
		run("personal", n, func(t *testing.T) {
			var out struct{ Node map[string]any }
			if permOK(t, h.Do(secret, `query($id: ID!) { node(id: $id) { id
				... on Response { respondentName respondentEmail } ... on Pin { authorEmail }
				... on Comment { authorEmail } ... on User { email } } }`, map[string]any{"id": w.id[n]}), &out) {
				w.checkPersonal(t, c, n, "node", out.Node)
			}
		})
	}

	// The caller's own tokens.
	run("viewer", "apiTokens", func(t *testing.T) {
		var out struct {
			Viewer struct {
				User      struct{ ID string }
				Token     *struct{ ID string }
				APITokens permConn
			}
		}
		if !permOK(t, h.Do(secret, `{ viewer { user { id } token { id } apiTokens(first: 100) { totalCount edges { node { id } } } } }`, nil), &out) {
			return
		}
		want := slices.Clone(permOwnTokens[c.role])
		sort.Strings(want)
		if got := w.labels(out.Viewer.APITokens); !slices.Equal(got, want) || out.Viewer.APITokens.TotalCount != len(want) {
			t.Errorf("apiTokens: got %v (totalCount %d), want %v", got, out.Viewer.APITokens.TotalCount, want)
		}
		if out.Viewer.User.ID != w.id[c.user] || out.Viewer.Token == nil || out.Viewer.Token.ID != w.id[c.token] {
			t.Errorf("viewer: user %s, token %v; want %s and %s", w.label(out.Viewer.User.ID), out.Viewer.Token, c.user, c.token)
		}
	})
}

// permSelect writes the selection of a connection and its nested edges.
func permSelect(e permEdge) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(first: %d) { totalCount edges { node { id", e.field, e.first)
	for _, f := range permPersonalFields[e.kind] {
		b.WriteString(" " + f)
	}
	for _, s := range e.sub {
		b.WriteString(" " + permSelect(s))
	}
	b.WriteString(" } } }")
	return b.String()
}

// checkConnection compares a decoded connection (under parent, "" at the
// root) with the expected objects, then checks personal data and nested
// edges of each node.
func (w *permWorld) checkConnection(t *testing.T, c permCaller, path, parent string, e permEdge, raw any) {
	t.Helper()
	b, _ := json.Marshal(raw)
	var conn permConn
	if err := json.Unmarshal(b, &conn); err != nil || raw == nil {
		t.Errorf("%s: not a connection: %s", path, b)
		return
	}
	want := w.expected(c, e.kind, parent)
	if got := w.labels(conn); !slices.Equal(got, want) || conn.TotalCount != len(want) {
		t.Errorf("%s: got %v (totalCount %d)\nwant %v (totalCount %d)", path, got, conn.TotalCount, want, len(want))
	}
	for _, edge := range conn.Edges {
		id, _ := edge.Node["id"].(string)
		n := w.label(id)
		if _, ok := w.pii[n]; ok {
			w.checkPersonal(t, c, n, path, edge.Node)
		}
		for _, s := range e.sub {
			w.checkConnection(t, c, path+"["+n+"]."+s.field, n, s, edge.Node[s.field])
		}
	}
}

// checkPersonal checks the personal-data fields of a node of the named
// object: their stored values where the table says the caller sees them,
// null elsewhere.
func (w *permWorld) checkPersonal(t *testing.T, c permCaller, n, path string, node map[string]any) {
	t.Helper()
	shown := strings.IndexByte(w.sensed[n], c.letter) >= 0
	for _, f := range permPersonalFields[w.kind[n]] {
		got, present := node[f]
		if !present {
			t.Errorf("%s: %s.%s was not returned", path, n, f)
			continue
		}
		if shown && got != w.pii[n][f] {
			t.Errorf("%s: %s.%s = %v, want %q", path, n, f, got, w.pii[n][f])
		}
		if !shown && got != nil {
			t.Errorf("%s: %s.%s = %v, want null (personal data)", path, n, f, got)
		}
	}
}

// checkLockedReads: every read path answers 401 to a locked caller.
func (w *permWorld) checkLockedReads(t *testing.T, who, secret string) {
	h := w.h
	queries := map[string]string{}
	for _, rc := range permRootConnections {
		queries["connection/"+rc.field] = `{ c: ` + rc.field + `(first: 100) { totalCount edges { node { id } } } }`
	}
	for _, tree := range permTrees {
		queries["nested/"+tree.name] = "{ " + permSelect(tree.root) + " }"
	}
	for _, wh := range permWheres {
		queries["where/"+wh.name] = wh.query
	}
	queries["viewer/apiTokens"] = `{ viewer { user { id } apiTokens { totalCount } } }`
	var names []string
	for k := range queries {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Run(who+"/"+k, func(t *testing.T) { permUnauthorized(t, h.Do(secret, queries[k], nil)) })
	}
	for _, n := range w.order {
		t.Run(who+"/node/"+n, func(t *testing.T) {
			permUnauthorized(t, h.Do(secret, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.id[n]}))
		})
	}
}

// permMutation is one row of the write table.
type permMutation struct {
	name  string // the mutation and its target, for subtest names
	query string // returns the written object as m
	// target is the object given by ID whose visibility decides between
	// FORBIDDEN and NOT_FOUND; "" for none. A NOT_FOUND outcome is compared
	// with the same mutation on a missing ID in its place.
	target string
	vars   func(target, self string) map[string]any
	// want is the outcome per caller (columns "AMEDVPORL"): + success,
	// F FORBIDDEN, N NOT_FOUND. Locked callers always get 401.
	want string
	// done checks, with the system context, what a successful mutation
	// changed, and undoes it so that the next row starts from the world.
	done func(t *testing.T, target, self string, m map[string]any)
}

// permWant checks the shape of an outcome string.
func permWant(s string) string {
	if len(s) != len(permCallers) || strings.Trim(s, "+FN") != "" {
		panic(fmt.Sprintf("mutation outcomes %q: want one of + F N per caller", s))
	}
	return s
}

// permMutations is the write table.
func (w *permWorld) permMutations() []permMutation {
	ctx, c := testdb.System(), w.h.DB.Ent
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	byID := func(target string) map[string]any { return map[string]any{"id": target} }

	updateProject := func(want, p string) permMutation {
		return permMutation{"updateProject " + p, `mutation($id: ID!) { m: updateProject(id: $id, input: {title: "Renamed"}) { id title } }`,
			p, func(target, _ string) map[string]any { return byID(target) }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				pr := c.Project.GetX(ctx, target)
				if pr.Title != "Renamed" {
					t.Errorf("title is %q", pr.Title)
				}
				title := map[string]string{"pR": "Cedar Park", "pO": "Alder Street", "pN": "Birch Lane"}[p]
				c.Project.UpdateOneID(target).SetTitle(title).ExecX(ctx)
			}}
	}
	createSurvey := func(want, p string) permMutation {
		return permMutation{"createSurvey in " + p, `mutation($pid: ID!) { m: createSurvey(input: {title: "New survey", projectID: $pid}) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"pid": target} }, permWant(want),
			func(t *testing.T, target, _ string, m map[string]any) {
				if s := c.Survey.GetX(ctx, id(m)); s.ProjectID != target || s.Title != "New survey" {
					t.Errorf("created %+v", s)
				}
				c.Survey.DeleteOneID(id(m)).ExecX(ctx)
			}}
	}
	updateSurvey := func(want, s string) permMutation {
		return permMutation{"updateSurvey " + s, `mutation($id: ID!) { m: updateSurvey(id: $id, input: {title: "Renamed"}) { id title } }`,
			s, func(target, _ string) map[string]any { return byID(target) }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Survey.GetX(ctx, target).Title; got != "Renamed" {
					t.Errorf("title is %q", got)
				}
				c.Survey.UpdateOneID(target).SetTitle("Survey " + s).ExecX(ctx)
			}}
	}
	createPin := func(want, m, status string) permMutation {
		return permMutation{"createPin on " + m, `mutation($mid: ID!) { m: createPin(input: {latitude: 1, longitude: 2, body: "New pin", authorEmail: "new@example.test", mapID: $mid}) { id status } }`,
			m, func(target, _ string) map[string]any { return map[string]any{"mid": target} }, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				p := c.Pin.GetX(ctx, id(out))
				if p.MapID != target || string(p.Status) != status || out["status"] != status {
					t.Errorf("created pin on %s with status %s (returned %v), want %s", w.label(p.MapID), p.Status, out["status"], status)
				}
				c.Pin.DeleteOneID(p.ID).ExecX(ctx)
			}}
	}
	moderatePin := func(want, p string, to moderation.Status) permMutation {
		from := moderation.Status(strings.TrimPrefix(p[strings.LastIndex(p, "."):], "."))
		return permMutation{"moderatePin " + p + " to " + string(to), `mutation($id: ID!, $s: ModerationStatus!) { m: moderatePin(id: $id, status: $s) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"id": target, "s": to} }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Pin.GetX(ctx, target).Status; got != to {
					t.Errorf("status is %s", got)
				}
				c.Pin.UpdateOneID(target).SetStatus(from).ExecX(ctx)
			}}
	}
	moderateComment := func(want, n string, to moderation.Status) permMutation {
		from := moderation.Status(strings.TrimPrefix(n[strings.LastIndex(n, "."):], "."))
		return permMutation{"moderateComment " + n + " to " + string(to), `mutation($id: ID!, $s: ModerationStatus!) { m: moderateComment(id: $id, status: $s) { id status } }`,
			n, func(target, _ string) map[string]any { return map[string]any{"id": target, "s": to} }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Comment.GetX(ctx, target).Status; got != to {
					t.Errorf("status is %s", got)
				}
				c.Comment.UpdateOneID(target).SetStatus(from).ExecX(ctx)
			}}
	}
	createComment := func(want, p, status string) permMutation {
		return permMutation{"createComment on " + p, `mutation($pid: ID!) { m: createComment(input: {body: "New comment", authorEmail: "new@example.test", pinID: $pid}) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"pid": target} }, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				cm := c.Comment.GetX(ctx, id(out))
				if cm.PinID != target || string(cm.Status) != status {
					t.Errorf("created comment on %s with status %s, want %s", w.label(cm.PinID), cm.Status, status)
				}
				c.Comment.DeleteOneID(cm.ID).ExecX(ctx)
			}}
	}
	createProject := func(want, team string) permMutation {
		name := "createProject in team " + team
		if team == "" {
			name = "createProject without team"
		}
		return permMutation{name, `mutation($tid: ID) { m: createProject(input: {title: "New project", slug: "new-project", teamID: $tid}) { id } }`,
			team, func(target, _ string) map[string]any {
				if target == "" {
					return map[string]any{"tid": nil}
				}
				return map[string]any{"tid": target}
			}, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				p := c.Project.GetX(ctx, id(out))
				if (p.TeamID == nil) != (target == "") || (p.TeamID != nil && *p.TeamID != target) {
					t.Errorf("created project in team %v", p.TeamID)
				}
				c.Project.DeleteOneID(p.ID).ExecX(ctx)
			}}
	}
	createMembership := func(want, p string) permMutation {
		return permMutation{"createProjectMembership self on " + p, `mutation($pid: ID!, $uid: ID!) { m: createProjectMembership(input: {role: VIEWER, projectID: $pid, userID: $uid}) { id } }`,
			p, func(target, self string) map[string]any { return map[string]any{"pid": target, "uid": self} }, permWant(want),
			func(t *testing.T, target, self string, out map[string]any) {
				pm := c.ProjectMembership.GetX(ctx, id(out))
				if pm.ProjectID != target || pm.UserID != self {
					t.Errorf("created %+v", pm)
				}
				c.ProjectMembership.DeleteOneID(pm.ID).ExecX(ctx)
			}}
	}
	createToken := func(want string, projects ...string) permMutation {
		name, target := "createAPIToken", ""
		if len(projects) > 0 {
			name, target = "createAPIToken limited to "+projects[0], projects[0]
		}
		return permMutation{name, `mutation($p: [ID!]) { m: createAPIToken(input: {name: "New token", projectIDs: $p}) { token { id } secret } }`,
			target, func(target, _ string) map[string]any {
				if target == "" {
					return map[string]any{"p": nil}
				}
				return map[string]any{"p": []string{target}}
			}, permWant(want),
			func(t *testing.T, target, self string, out map[string]any) {
				tokID, _ := out["token"].(map[string]any)["id"].(string)
				tok := c.APIToken.Query().Where().WithAllowedProjects().AllX(ctx)
				for _, k := range tok {
					if k.ID != tokID {
						continue
					}
					var got []string
					for _, p := range k.Edges.AllowedProjects {
						got = append(got, p.ID)
					}
					if k.OwnerID != self || (target == "" && len(got) > 0) || (target != "" && !slices.Equal(got, []string{target})) {
						t.Errorf("created token of %s for projects %v", w.label(k.OwnerID), got)
					}
				}
				c.AuditEvent.Delete().Where(auditevent.TokenID(tokID)).ExecX(ctx)
				c.APIToken.UpdateOneID(tokID).ClearAllowedProjects().ExecX(ctx)
				c.APIToken.DeleteOneID(tokID).ExecX(ctx)
			}}
	}
	deleteCreated := func(t *testing.T, _, _ string, m map[string]any) {
		// Created objects of these kinds have no children yet.
		switch prefix, _, _ := strings.Cut(id(m), "_"); prefix {
		case gid.Question:
			c.Question.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Response:
			c.Response.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Answer:
			c.Answer.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Map:
			c.ProjectMap.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Team:
			c.Team.DeleteOneID(id(m)).ExecX(ctx)
		case gid.TeamMembership:
			c.TeamMembership.DeleteOneID(id(m)).ExecX(ctx)
		case gid.User:
			c.User.DeleteOneID(id(m)).ExecX(ctx)
		default:
			t.Fatalf("cannot undo the creation of %v", m)
		}
	}

	other := func(want, name, query, target string, vars func(target, self string) map[string]any, done func(*testing.T, string, string, map[string]any)) permMutation {
		return permMutation{name, query, target, vars, permWant(want), done}
	}

	return []permMutation{
		//AMEDVPORL
		updateProject("+++FFFNFN", "pR"),
		updateProject("+FFFFFFF+", "pO"),
		updateProject("+FFFFFFFN", "pN"),
		createSurvey("+++FFFNFN", "pR"),
		createSurvey("+FFFFFFF+", "pO"),
		createSurvey("+FFFFFFFN", "pN"),
		updateSurvey("+++NNNNFN", "pR.draft"),
		updateSurvey("+NNNNNNF+", "pO.draft"),
		updateSurvey("+NNNNNNFN", "pN.draft"),
		other("+++NNNNFN", "createQuestion in pR.draft",
			`mutation($sid: ID!) { m: createQuestion(input: {position: 1, kind: SHORT_TEXT, prompt: "New?", surveyID: $sid}) { id } }`,
			"pR.draft", func(target, _ string) map[string]any { return map[string]any{"sid": target} }, deleteCreated),
		other("+++FFFNFN", "createResponse to pR.open",
			`mutation($sid: ID!) { m: createResponse(input: {respondentName: "Paper", surveyID: $sid}) { id } }`,
			"pR.open", func(target, _ string) map[string]any { return map[string]any{"sid": target} }, deleteCreated),
		other("+++FFFNFN", "createAnswer in pR.open.r",
			`mutation($rid: ID!, $qid: ID!) { m: createAnswer(input: {value: "no", responseID: $rid, questionID: $qid}) { id } }`,
			"pR.open.r", func(target, _ string) map[string]any {
				return map[string]any{"rid": target, "qid": w.id["pR.open.unanswered"]}
			}, deleteCreated),
		other("+++FFFNFN", "createMap in pR",
			`mutation($pid: ID!) { m: createMap(input: {title: "New map", centerLatitude: 1, centerLongitude: 2, projectID: $pid}) { id } }`,
			"pR", func(target, _ string) map[string]any { return map[string]any{"pid": target} }, deleteCreated),
		//AMEDVPORL
		createPin("+++FFFNFN", "pR.map", "PENDING"), // pR requires approval
		createPin("+FFFFFFF+", "pO.map", "PUBLISHED"),
		createPin("+FFFFFFFN", "pN.map", "PUBLISHED"),
		other("+++FFFNFN", "updatePin pR.pin.PUBLISHED body",
			`mutation($id: ID!) { m: updatePin(id: $id, input: {body: "Edited"}) { id } }`,
			"pR.pin.PUBLISHED", func(target, _ string) map[string]any { return byID(target) },
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Pin.GetX(ctx, target).Body; got != "Edited" {
					t.Errorf("body is %q", got)
				}
				c.Pin.UpdateOneID(target).SetBody("Body of pR.pin.PUBLISHED").ExecX(ctx)
			}),
		moderatePin("++++FFNFN", "pR.pin.PUBLISHED", moderation.Hidden),
		moderatePin("++++NNNFN", "pR.pin.PENDING", moderation.Published),
		moderatePin("+FFFFFFF+", "pO.pin.PUBLISHED", moderation.Hidden),
		moderatePin("+NNNNNNF+", "pO.pin.PENDING", moderation.Published),
		moderatePin("+FFFFFFFN", "pN.pin.PUBLISHED", moderation.Hidden),
		moderatePin("+NNNNNNFN", "pN.pin.PENDING", moderation.Published),
		createComment("+++FFFNFN", "pR.pin.PUBLISHED", "PENDING"),
		createComment("+++FNNNFN", "pR.pin.PENDING", "PENDING"),
		createComment("+FFFFFFF+", "pO.pin.PUBLISHED", "PUBLISHED"),
		moderateComment("++++FFNFN", "pR.cmt.PUBLISHED", moderation.Hidden),
		moderateComment("++++NNNFN", "pR.cmt.PENDING", moderation.Published),
		//AMEDVPORL
		createProject("++FFFNNFF", "R"),
		createProject("+FFFFFFFF", "O"),
		createProject("+FFFFFFFF", ""),
		other("+FFFFFFFF", "createTeam", `mutation { m: createTeam(input: {name: "New team"}) { id } }`,
			"", func(string, string) map[string]any { return nil }, deleteCreated),
		other("+FFFFNNFF", "updateTeam R", `mutation($id: ID!) { m: updateTeam(id: $id, input: {name: "Renamed"}) { id } }`,
			"R", func(target, _ string) map[string]any { return byID(target) },
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Team.GetX(ctx, target).Name; got != "Renamed" {
					t.Errorf("name is %q", got)
				}
				c.Team.UpdateOneID(target).SetName("Restricted team").ExecX(ctx)
			}),
		other("+FFFFFFFF", "createTeamMembership self in O",
			`mutation($tid: ID!, $uid: ID!) { m: createTeamMembership(input: {role: MANAGER, teamID: $tid, userID: $uid}) { id } }`,
			"O", func(target, self string) map[string]any { return map[string]any{"tid": target, "uid": self} }, deleteCreated),
		other("+FFFFFFFF", "createUser", `mutation { m: createUser(input: {email: "new@example.test", name: "New", role: ADMIN}) { id } }`,
			"", func(string, string) map[string]any { return nil }, deleteCreated),
		createMembership("+FFFFFNFN", "pR"),
		createMembership("+FFFFFFFN", "pN"),
		//AMEDVPORL
		createToken("+++++++FF"),
		createToken("+++++++F+", "pO"),
		createToken("++++++NFN", "pR"),
	}
}

// permOutcome names the outcome of a mutation: + for success, else its
// first error code.
func permOutcome(resp apitest.Response) string {
	if resp.Status == http.StatusOK && len(resp.Errors) == 0 {
		return "+"
	}
	if codes := resp.Codes(); len(codes) > 0 {
		switch codes[0] {
		case "FORBIDDEN":
			return "F"
		case "NOT_FOUND":
			return "N"
		}
		return codes[0]
	}
	return fmt.Sprintf("status %d", resp.Status)
}

// permSecrets matches token secrets, kept out of failure messages.
var permSecrets = regexp.MustCompile(`eng_[0-9A-Za-z]+`)

// permOutcomeName spells an outcome out.
func permOutcomeName(o string) string {
	if name, ok := map[string]string{"+": "success", "F": "FORBIDDEN", "N": "NOT_FOUND"}[o]; ok {
		return name
	}
	return o
}

// checkWrites runs every mutation for every caller.
func (w *permWorld) checkWrites(t *testing.T) {
	h := w.h
	for _, m := range w.permMutations() {
		for i, c := range permCallers {
			t.Run(c.role+"/mutation/"+m.name, func(t *testing.T) {
				target, self := "", w.id[c.user]
				if m.target != "" {
					target = w.id[m.target]
				}
				before := permSnapshot(t, h)
				resp := h.Do(w.secret[c.token], m.query, m.vars(target, self))
				got, want := permOutcome(resp), string(m.want[i])
				var out struct{ M map[string]any }
				_ = json.Unmarshal(resp.Data, &out)
				if got != want {
					msg := ""
					if len(resp.Errors) > 0 {
						msg = resp.Errors[0].Message
					}
					t.Errorf("got %s %q, want %s", permOutcomeName(got), msg, permOutcomeName(want))
				}
				if got == "+" {
					if out.M == nil {
						t.Fatalf("success without data: %s", resp.Data)
					}
					m.done(t, target, self, out.M)
				} else {
					if string(resp.Data) != "null" && len(resp.Data) > 0 {
						t.Errorf("a refused mutation returned data %s", resp.Data)
					}
					if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
						t.Errorf("the refused mutation changed the database:\n%s", diff)
					}
				}
				// A hidden target must look exactly like a missing one.
				if (got == "N" || want == "N") && m.target != "" {
					missing := permMissing(target)
					before := permSnapshot(t, h)
					gone := h.Do(w.secret[c.token], m.query, m.vars(missing, self))
					if permErrors(resp.Errors, target) != permErrors(gone.Errors, missing) || string(resp.Data) != string(gone.Data) {
						t.Errorf("hidden and missing %s differ:\nhidden  %s %s\nmissing %s %s", m.target,
							permSecrets.ReplaceAll(resp.Data, []byte("eng_…")), permErrors(resp.Errors, target), gone.Data, permErrors(gone.Errors, missing))
					}
					if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
						t.Errorf("the mutation on a missing %s changed the database:\n%s", m.target, diff)
					}
				}
			})
		}
		for _, l := range permLocked {
			t.Run(l.role+"/mutation/"+m.name, func(t *testing.T) {
				target := ""
				if m.target != "" {
					target = w.id[m.target]
				}
				before := permSnapshot(t, h)
				permUnauthorized(t, h.Do(w.secret[l.token], m.query, m.vars(target, w.id["u.edR"])))
				if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
					t.Errorf("the refused mutation changed the database:\n%s", diff)
				}
			})
		}
	}
}

// permTables are the tables a snapshot reads.
var permTables = []string{
	"users", "teams", "team_memberships", "projects", "project_memberships", "surveys", "questions",
	"responses", "answers", "maps", "pins", "comments", "api_tokens", "api_token_allowed_projects", "audit_events",
}

// permSnapshot reads every row of every table, leaving out what requests
// change by design: token usage counters and audit events of refused tokens.
func permSnapshot(t *testing.T, h *apitest.Server) map[string][]string {
	t.Helper()
	snap := map[string][]string{}
	for _, table := range permTables {
		rows, err := h.DB.SQL.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("reading %s: %v", table, err)
			}
			var fields []string
			skip := false
			for i, col := range cols {
				v := values[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if table == "api_tokens" && (col == "last_used_at" || col == "last_used_ip" || col == "use_count") {
					continue
				}
				if table == "audit_events" && col == "action" && v == "TOKEN_REFUSED" {
					skip = true
				}
				fields = append(fields, fmt.Sprintf("%s=%v", col, v))
			}
			if !skip {
				snap[table] = append(snap[table], strings.Join(fields, " "))
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		rows.Close()
		sort.Strings(snap[table])
	}
	return snap
}

// permDiff lists the rows added and removed between two snapshots.
func permDiff(before, after map[string][]string) string {
	var b strings.Builder
	for _, table := range permTables {
		for _, r := range before[table] {
			if !slices.Contains(after[table], r) {
				fmt.Fprintf(&b, "  %s - %s\n", table, r)
			}
		}
		for _, r := range after[table] {
			if !slices.Contains(before[table], r) {
				fmt.Fprintf(&b, "  %s + %s\n", table, r)
			}
		}
	}
	return b.String()
}

// TestMembershipsOfHiddenUsers: a membership the caller sees stays visible
// when its user is hidden from the caller; its user is then null, with no
// error (u.memberO is seen by administrators only, its memberships of the
// open team O and project pN by everyone who sees those).
func TestMembershipsOfHiddenUsers(t *testing.T) {
	h := apitest.New(t)
	w := permBuild(t, h)
	hiddenUserSeen := false
	for _, c := range permCallers {
		for _, conn := range []string{"projectMemberships", "teamMemberships"} {
			t.Run(c.role+"/"+conn, func(t *testing.T) {
				var out struct {
					C struct {
						Edges []struct {
							Node struct {
								ID   string
								User *struct{ ID string }
							}
						}
					}
				}
				if !permOK(t, h.Do(w.secret[c.token], `{ c: `+conn+`(first: 100) { edges { node { id user { id } } } } }`, nil), &out) {
					return
				}
				got := map[string]string{}
				for _, e := range out.C.Edges {
					got[w.name[e.Node.ID]] = "null"
					if e.Node.User != nil {
						got[w.name[e.Node.ID]] = w.name[e.Node.User.ID]
					}
				}
				want := map[string]string{}
				for _, n := range w.order {
					if w.kind[n] != strings.TrimSuffix(strings.ToUpper(conn[:1])+conn[1:], "s") || !w.visibleTo(n, c) {
						continue
					}
					want[n] = "null"
					if u := w.parents[n][1]; w.visibleTo(u, c) {
						want[n] = u
					} else {
						hiddenUserSeen = true
					}
				}
				if !maps.Equal(got, want) {
					t.Errorf("memberships and their users: got %v, want %v", got, want)
				}
			})
		}
	}
	if !hiddenUserSeen {
		t.Error("no caller sees a membership of a user hidden from it: the test checks nothing")
	}
}
