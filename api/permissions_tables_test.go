package api_test

// The expectation tables of TestPermissions (permissions_test.go): who sees
// which object and whose personal data, and the read paths, nested trees
// and filters the reads go through.

import (
	"testing"
)

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
