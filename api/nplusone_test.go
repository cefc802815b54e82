package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"

	"engage/ent"
	"engage/ent/response"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// grow fills a database with n projects, each with n surveys of two
// questions and n responses that answer both, and n maps of n pins of n
// comments. It returns
// the IDs of an ADMIN and of a STAFF user who is EDITOR in the team of every
// project.
func grow(t *testing.T, h *apitest.Server, n int) (adminID, editorID string) {
	t.Helper()
	c, ctx := h.DB.Ent, testdb.System()
	admin := h.NewUser("admin@grow.test", user.RoleADMIN, false, true)
	team := c.Team.Create().SetName("T").SetRestricted(true).SaveX(ctx)
	editor := h.Staff("editor@grow.test", apitest.Membership{TeamID: team.ID, Role: role.Editor})
	bulk := func(label string, err error) {
		if err != nil {
			t.Fatalf("creating %s: %v", label, err)
		}
	}
	for p := range n {
		prj := c.Project.Create().SetTitle(fmt.Sprint("P", p)).SetSlug(fmt.Sprint("p-", p)).SetTeamID(team.ID).SaveX(ctx)
		for s := range n {
			sv := c.Survey.Create().SetTitle("S").SetStatus("OPEN").SetProjectID(prj.ID).SaveX(ctx)
			qs := c.Question.CreateBulk(
				c.Question.Create().SetSurveyID(sv.ID).SetProjectID(prj.ID).SetPosition(0).SetKind("SHORT_TEXT").SetPrompt("?"),
				c.Question.Create().SetSurveyID(sv.ID).SetProjectID(prj.ID).SetPosition(1).SetKind("SHORT_TEXT").SetPrompt("?"),
			).SaveX(ctx)
			rs := make([]*ent.ResponseCreate, n)
			for r := range rs {
				rs[r] = c.Response.Create().SetSurveyID(sv.ID).SetProjectID(prj.ID).SetRespondentEmail("r@x.test")
			}
			responses, err := c.Response.CreateBulk(rs...).Save(ctx)
			bulk("responses", err)
			var as []*ent.AnswerCreate
			for _, r := range responses {
				for _, q := range qs {
					as = append(as, c.Answer.Create().SetResponseID(r.ID).SetQuestionID(q.ID).SetProjectID(prj.ID).SetValue("a"))
				}
			}
			bulk("answers", c.Answer.CreateBulk(as...).Exec(ctx))
			m := c.ProjectMap.Create().SetTitle(fmt.Sprint("M", s)).SetProjectID(prj.ID).SetCenterLatitude(0).SetCenterLongitude(0).SaveX(ctx)
			ps := make([]*ent.PinCreate, n)
			for i := range ps {
				ps[i] = c.Pin.Create().SetMapID(m.ID).SetProjectID(prj.ID).SetLatitude(0).SetLongitude(0).SetBody("b").SetStatus(moderation.Published).SetAuthorEmail("a@x.test")
			}
			pins, err := c.Pin.CreateBulk(ps...).Save(ctx)
			bulk("pins", err)
			var cs []*ent.CommentCreate
			for _, pin := range pins {
				for range n {
					cs = append(cs, c.Comment.Create().SetPinID(pin.ID).SetProjectID(prj.ID).SetBody("c").SetStatus(moderation.Published))
				}
			}
			bulk("comments", c.Comment.CreateBulk(cs...).Exec(ctx))
		}
	}
	return admin.ID, editor.ID
}

// TestStatementsDependOnTheQueryShapeOnly runs a battery of nested queries,
// as an administrator and as a STAFF editor whose every read is filtered,
// on a small and a large database: each query must run the same number of
// SQL statements on both, and at most two per connection level plus a small
// constant. Field collection loads each level of a page in one statement,
// and totalCount in one more.
func TestStatementsDependOnTheQueryShapeOnly(t *testing.T) {
	battery := []struct {
		name   string
		query  string
		levels int
	}{
		{"analyst: projects > surveys > responses > answers", `{ projects(first: 10) { totalCount edges { node { title
			surveys(first: 10) { totalCount edges { node { title
				responses(first: 10) { totalCount edges { node { submittedAt respondentEmail
					answers(first: 10) { totalCount edges { node { value } } } } } } } } } } } } }`, 4},
		{"maps > pins > comments", `{ maps(first: 10) { totalCount edges { node { title
			pins(first: 10) { totalCount edges { node { body authorEmail
				comments(first: 10) { totalCount edges { node { body authorEmail } } } } } } } } } }`, 3},
		{"backwards pages", `{ surveys(last: 5) { totalCount edges { node { responses(last: 5) { totalCount edges { node { id } } } } } } }`, 2},
		{"parents of a page", `{ responses(first: 10) { edges { node { survey { title project { title team { name } } } } } } }`, 4},
		{"memberships", `{ projects(first: 10) { edges { node { memberships(first: 10) { totalCount edges { node { role } } } team { memberships(first: 10) { totalCount edges { node { role } } } } } } } }`, 4},
	}
	counts := map[string]map[string]int64{} // query/viewer -> size -> statements
	for _, n := range []int{2, 10} {
		h := apitest.New(t)
		adminID, editorID := grow(t, h, n)
		viewers := map[string]string{
			"admin":  h.Mint(token.Spec{OwnerID: adminID, Name: "n"}),
			"editor": h.Mint(token.Spec{OwnerID: editorID, Name: "n"}),
		}
		for who, secret := range viewers {
			h.MustDo(secret, `{ __typename }`, nil, nil) // first use: authentication is cached from now on
			for _, b := range battery {
				before := h.Statements.Count()
				h.MustDo(secret, b.query, nil, nil)
				got := h.Statements.Count() - before
				key := b.name + " as " + who
				if counts[key] == nil {
					counts[key] = map[string]int64{}
				}
				counts[key][fmt.Sprint(n)] = got
				if limit := int64(2*b.levels + 3); got > limit {
					t.Errorf("%s with %d rows per level: %d statements, want at most %d", key, n, got, limit)
				}
			}
		}
	}
	for key, bySize := range counts {
		if bySize["2"] != bySize["10"] {
			t.Errorf("%s: %d statements with 2 rows per level but %d with 10: the count depends on the data", key, bySize["2"], bySize["10"])
		}
	}
	t.Logf("statements per query: %v", counts)
}

// TestNestedPagesReadEachParentsRows checks the pages of nested connections
// against the database, forwards and backwards, and that on PostgreSQL
// each is read per parent through a LATERAL join (pageload)
// rather than by numbering every child of the parents with a window.
func TestNestedPagesReadEachParentsRows(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	_, editorID := grow(t, h, 6)
	editor := h.Mint(token.Spec{OwnerID: editorID, Name: "n"})
	byID, latestFirst := map[string][]string{}, map[string][]string{} // survey -> response IDs
	for _, r := range h.DB.Ent.Response.Query().Order(response.ByID()).AllX(testdb.System()) {
		byID[r.SurveyID] = append(byID[r.SurveyID], r.ID)
	}
	for _, r := range h.DB.Ent.Response.Query().Order(response.BySubmittedAt(entsql.OrderDesc()), response.ByID()).AllX(testdb.System()) {
		latestFirst[r.SurveyID] = append(latestFirst[r.SurveyID], r.ID)
	}
	type page struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
	for _, c := range []struct {
		args string
		want map[string][]string
		pick func(ids []string) []string
	}{
		{"first: 4", byID, func(ids []string) []string { return ids[:4] }},
		{"last: 2", byID, func(ids []string) []string { return ids[len(ids)-2:] }},
		{"first: 100", byID, func(ids []string) []string { return ids }},
		{"first: 3, orderBy: {field: SUBMITTED_AT, direction: DESC}", latestFirst, func(ids []string) []string { return ids[:3] }},
		{"last: 3, orderBy: {field: SUBMITTED_AT, direction: DESC}", latestFirst, func(ids []string) []string { return ids[len(ids)-3:] }},
	} {
		before := len(h.Logs.String())
		var out struct {
			Surveys struct {
				Edges []struct {
					Node struct {
						ID        string
						Responses page
					}
				}
			}
		}
		h.MustDo(editor, `{ surveys(first: 100) { edges { node { id responses(`+c.args+`) { totalCount edges { node { id } } } } } } }`, nil, &out)
		if len(out.Surveys.Edges) != len(c.want) {
			t.Fatalf("%s: %d surveys, want %d", c.args, len(out.Surveys.Edges), len(c.want))
		}
		for _, e := range out.Surveys.Edges {
			var got []string
			for _, r := range e.Node.Responses.Edges {
				got = append(got, r.Node.ID)
			}
			if exp := c.pick(c.want[e.Node.ID]); !slices.Equal(got, exp) {
				t.Errorf("%s, survey %s: responses %v, want %v", c.args, e.Node.ID, got, exp)
			}
			if e.Node.Responses.TotalCount != len(c.want[e.Node.ID]) {
				t.Errorf("%s, survey %s: totalCount %d, want %d", c.args, e.Node.ID, e.Node.Responses.TotalCount, len(c.want[e.Node.ID]))
			}
		}
		statements := h.Logs.String()[before:]
		if testdb.Dialect() == dialect.Postgres && (!strings.Contains(statements, "CROSS JOIN LATERAL") || strings.Contains(statements, "ROW_NUMBER")) {
			t.Errorf("%s: on PostgreSQL the nested page is not read per parent:\n%s", c.args, statements)
		}
	}
}

// TestConnectionsOfReadParentsAreNotFilteredAgain checks the statements of
// nested connections whose entities are visible exactly when their parent
// is: loaded for parents the request has read, their pages and counts carry
// no visibility filter of their own (the parents' was applied once), while
// the same entities read any other way are filtered. TestDifferential
// checks that the results stay those of the oracle.
func TestConnectionsOfReadParentsAreNotFilteredAgain(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	_, editorID := grow(t, h, 3)
	editor := h.Mint(token.Spec{OwnerID: editorID, Name: "n"})
	h.MustDo(editor, `{ __typename }`, nil, nil) // authentication is cached from now on
	// statementsOf returns the statements a query sends that read table,
	// without quotes around names (they differ by dialect).
	statementsOf := func(query, table string) []string {
		before := len(h.Logs.String())
		h.MustDo(editor, query, nil, nil)
		var found []string
		unquoted := strings.NewReplacer(`"`, "", "`", "").Replace(h.Logs.String()[before:])
		for _, line := range strings.Split(unquoted, "\n") {
			if strings.Contains(line, "query=") && strings.Contains(line, "FROM "+table+" ") {
				found = append(found, line)
			}
		}
		return found
	}
	// filtered reports whether a statement decides visibility in SQL: every
	// filter of these entities goes through the project's team.
	filtered := func(statement string) bool { return strings.Contains(statement, "projects.team_id") }

	nested := statementsOf(`{ surveys(first: 10) { edges { node { responses(first: 2) { totalCount edges { node { id
		answers(first: 1) { totalCount edges { node { id } } } } } } } } } }`, "responses")
	nested = append(nested, statementsOf(`{ surveys(first: 10) { edges { node { questions(first: 2) { totalCount edges { node { id } } } } } } }`, "questions")...)
	nested = append(nested, statementsOf(`{ projects(first: 10) { edges { node { maps(first: 2) { totalCount edges { node { id } } } } } } }`, "maps")...)
	// Pages and counts of responses, questions and maps: two each.
	if len(nested) != 6 {
		t.Fatalf("%d statements read the nested connections, want 6:\n%s", len(nested), strings.Join(nested, "\n"))
	}
	for _, s := range nested {
		if filtered(s) {
			t.Errorf("a connection of read parents is filtered again:\n%s", s)
		}
	}
	answers := statementsOf(`{ responses(first: 2) { edges { node { answers(first: 1) { totalCount edges { node { id } } } } } } }`, "answers")
	if len(answers) != 2 || filtered(answers[0]) || filtered(answers[1]) {
		t.Errorf("answers of read responses: want a page and a count, unfiltered:\n%s", strings.Join(answers, "\n"))
	}

	// The same entities read otherwise are filtered: at the top level, and
	// as the parent of a loaded child (a pin's comments skip nothing, as
	// their moderation is their own).
	for _, c := range []struct{ query, table string }{
		{`{ responses(first: 2) { totalCount edges { node { id } } } }`, "responses"},
		{`{ answers(first: 2) { edges { node { response { id } question { id } } } } }`, "responses"},
		{`{ answers(first: 2) { edges { node { question { id } } } } }`, "questions"},
		{`{ pins(first: 2) { edges { node { comments(first: 2) { totalCount edges { node { id } } } } } } }`, "comments"},
	} {
		statements := statementsOf(c.query, c.table)
		if len(statements) == 0 {
			t.Errorf("%s: no statement reads %s", c.query, c.table)
		}
		for _, s := range statements {
			if !filtered(s) {
				t.Errorf("%s: %s read without a filter:\n%s", c.query, c.table, s)
			}
		}
	}
}
