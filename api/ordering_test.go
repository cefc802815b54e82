package api_test

// Ordering by several keys (issue 19, point 3): orderBy takes a list of
// fields, each with its direction; rows equal in every key go by ID
// ascending; nulls are greater than any value on both dialects; and cursors
// walk the ordering forwards and backwards with every row once.

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"engage/ent/answer"
	"engage/ent/comment"
	"engage/ent/pin"
	"engage/ent/project"
	"engage/ent/projectmap"
	"engage/ent/question"
	"engage/ent/response"
	"engage/ent/survey"
	"engage/internal/apitest"
	"engage/testdb"
)

// orderKey is one term of an ordering: an order field and its direction.
type orderKey struct {
	value string // "CATEGORY"
	desc  bool
}

// orderCase is a root connection, with its other arguments, read with an
// ordering of several keys.
type orderCase struct {
	root, args, fields string
	keys               []orderKey
}

func (c orderCase) orderBy() string {
	var terms []string
	for _, k := range c.keys {
		dir := "ASC"
		if k.desc {
			dir = "DESC"
		}
		terms = append(terms, fmt.Sprintf("{field: %s, direction: %s}", k.value, dir))
	}
	return "[" + strings.Join(terms, ", ") + "]"
}

// want sorts nodes as the ordering should (compareByTerms: nulls greater
// than any value, then by ID ascending).
func (c orderCase) want(nodes []map[string]any) []string {
	var f *filterable
	var terms []string
	for _, x := range schemaCatalog().list {
		if x.root == c.root {
			f = x
		}
	}
	for _, k := range c.keys {
		terms = append(terms, map[bool]string{false: k.value + " ASC", true: k.value + " DESC"}[k.desc])
	}
	nodes = slices.Clone(nodes)
	slices.SortFunc(nodes, func(a, b map[string]any) int { return compareByTerms(f, terms, a, b) })
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n["id"].(string))
	}
	return ids
}

// walk reads the whole connection in pages of size, forwards (first,
// after) or backwards (last, before), and returns the IDs in order.
func (c orderCase) walk(t *testing.T, h *apitest.Server, secret string, size int, backwards bool) []string {
	t.Helper()
	query := fmt.Sprintf(`query($first: Int, $after: Cursor, $last: Int, $before: Cursor) {
		c: %s(first: $first, after: $after, last: $last, before: $before, orderBy: %s%s) {
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } }`, c.root, c.orderBy(), c.args)
	var ids []string
	var cursor any
	for pages := 0; pages < 1000; pages++ {
		vars := map[string]any{"first": size, "after": cursor}
		if backwards {
			vars = map[string]any{"last": size, "before": cursor}
		}
		var out struct {
			C struct {
				PageInfo pageInfo
				Edges    []struct{ Node struct{ ID string } }
			}
		}
		h.MustDo(secret, query, vars, &out)
		var page []string
		for _, e := range out.C.Edges {
			page = append(page, e.Node.ID)
		}
		if backwards {
			ids = append(page, ids...)
			if !out.C.PageInfo.HasPreviousPage {
				return ids
			}
			cursor = *out.C.PageInfo.StartCursor
		} else {
			ids = append(ids, page...)
			if !out.C.PageInfo.HasNextPage {
				return ids
			}
			cursor = *out.C.PageInfo.EndCursor
		}
	}
	t.Fatalf("%s: pagination does not end", c.root)
	return nil
}

// TestOrderingBySeveralKeys reads responses, pins, comments, projects and
// answers ordered by two or three keys, whole and in pages of 1 to 3 in both
// directions, as an administrator and as a viewer of some projects, and
// expects the order the keys give, ties by ID, nulls last in ascending
// order and first in descending order, each row once.
func TestOrderingBySeveralKeys(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	ctx := testdb.System()
	survey := orderedSurvey(t, h)
	// Ties in the first keys: half the survey's responses at one instant,
	// pins and comments in few categories and statuses.
	instant := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, id := range h.DB.Ent.Response.Query().Where(response.SurveyID(survey)).IDsX(ctx) {
		if i%2 == 0 {
			h.DB.Ent.Response.UpdateOneID(id).SetSubmittedAt(instant).ExecX(ctx)
		}
	}
	for i, id := range h.DB.Ent.Pin.Query().Order(pin.ByID()).IDsX(ctx) {
		h.DB.Ent.Pin.UpdateOneID(id).SetCategory([]string{"Idea", "Safety"}[i%2]).ExecX(ctx)
	}
	for i, id := range h.DB.Ent.Comment.Query().Order(comment.ByID()).IDsX(ctx) {
		if i%3 == 0 {
			h.DB.Ent.Comment.UpdateOneID(id).SetStatus("PENDING").ExecX(ctx)
		}
	}
	responses := fmt.Sprintf(`, where: {hasSurveyWith: {id: %q}}`, survey)
	answers := fmt.Sprintf(`, where: {hasResponseWith: {hasSurveyWith: {id: %q}}}`, survey)
	onMap := orderedMap(t, h)
	pins := fmt.Sprintf(`, where: {hasMapWith: {id: %q}}`, onMap)
	comments := fmt.Sprintf(`, where: {hasPinWith: {hasMapWith: {id: %q}}}`, onMap)
	cases := []orderCase{
		{"responses", responses, "id submittedAt createdAt", []orderKey{{"SUBMITTED_AT", true}, {"CREATED_AT", false}}},
		{"pins", pins, "id status category createdAt", []orderKey{{"CATEGORY", false}, {"STATUS", true}, {"CREATED_AT", true}}},
		{"comments", comments, "id status createdAt", []orderKey{{"STATUS", false}, {"CREATED_AT", true}}},
		{"projects", "", "id status title", []orderKey{{"STATUS", true}, {"TITLE", false}}},
		// Typed values are null for the other kinds of question.
		{"answers", answers, "id number rating", []orderKey{{"NUMBER", false}, {"RATING", true}}},
		{"answers", answers, "id number rating", []orderKey{{"RATING", false}, {"NUMBER", true}}},
	}
	for _, caller := range []string{"admin", "viewer"} {
		for _, c := range cases {
			label := caller + " reads " + c.root + " by " + c.orderBy()
			var all struct{ C rootConn }
			h.MustDo(tokens[caller], fmt.Sprintf(`{ c: %s(first: 100%s) { totalCount edges { node { %s } } } }`, c.root, c.args, c.fields), nil, &all)
			var nodes []map[string]any
			for _, e := range all.C.Edges {
				nodes = append(nodes, e.Node)
			}
			want := c.want(nodes)
			if len(want) < 4 || all.C.TotalCount > len(want) {
				t.Fatalf("%s: %d of %d rows in a page: the test needs 4 to 100", label, len(want), all.C.TotalCount)
			}
			var whole struct{ C rootConn }
			h.MustDo(tokens[caller], fmt.Sprintf(`{ c: %s(first: 100, orderBy: %s%s) { edges { node { id } } } }`, c.root, c.orderBy(), c.args), nil, &whole)
			if got := connIDs(whole.C); !slices.Equal(got, want) {
				t.Errorf("%s, whole list\n got %v\nwant %v", label, got, want)
				continue
			}
			for size := 1; size <= 3; size++ {
				for _, backwards := range []bool{false, true} {
					if got := c.walk(t, h, tokens[caller], size, backwards); !slices.Equal(got, want) {
						t.Errorf("%s, in pages of %d (backwards %v)\n got %v\nwant %v", label, size, backwards, got, want)
					}
				}
			}
		}
	}
}

// orderedSurvey returns a survey, not a draft, of the viewer's project with
// RATING and NUMBER questions, its responses cut to 12 so that its answers
// fit in a page.
func orderedSurvey(t *testing.T, h *apitest.Server) string {
	ctx := testdb.System()
	for _, s := range h.DB.Ent.Survey.Query().Where(survey.StatusNEQ(survey.StatusDRAFT),
		survey.HasProjectWith(project.Slug("affordable-housing-strategy")),
		survey.HasQuestionsWith(question.KindEQ(question.KindRATING)),
		survey.HasQuestionsWith(question.KindEQ(question.KindNUMBER))).AllX(ctx) {
		ids := h.DB.Ent.Response.Query().Where(response.SurveyID(s.ID)).Order(response.ByID()).IDsX(ctx)
		if len(ids) < 12 {
			continue
		}
		h.DB.Ent.Answer.Delete().Where(answer.ResponseIDIn(ids[12:]...)).ExecX(ctx)
		h.DB.Ent.Response.Delete().Where(response.IDIn(ids[12:]...)).ExecX(ctx)
		return s.ID
	}
	t.Fatal("the demo has no published survey with RATING and NUMBER questions and 12 responses in the viewer's project")
	return ""
}

// orderedMap returns a map of the viewer's project, its pins cut to 20 so
// that they and their comments fit in a page.
func orderedMap(t *testing.T, h *apitest.Server) string {
	ctx := testdb.System()
	m := h.DB.Ent.ProjectMap.Query().Where(projectmap.HasProjectWith(project.Slug("affordable-housing-strategy"))).FirstX(ctx)
	ids := h.DB.Ent.Pin.Query().Where(pin.MapID(m.ID)).Order(pin.ByID()).IDsX(ctx)
	if len(ids) < 8 {
		t.Fatalf("map %s has %d pins", m.ID, len(ids))
	}
	if len(ids) > 20 {
		h.DB.Ent.Comment.Delete().Where(comment.PinIDIn(ids[20:]...)).ExecX(ctx)
		h.DB.Ent.Pin.Delete().Where(pin.IDIn(ids[20:]...)).ExecX(ctx)
	}
	return m.ID
}

// encodeCursor writes c as the API writes cursors.
func encodeCursor(c entgql.Cursor[string]) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// TestOrderingRefusesWhatItCannotKeep: an orderBy that names a field twice,
// and a cursor that does not fit the ordering it is sent with (a cursor of
// one value from before orderings were lists, one of another ordering, or a
// value of another kind), are BAD_USER_INPUT before anything is read.
func TestOrderingRefusesWhatItCannotKeep(t *testing.T) {
	h := apitest.New(t)
	admin := h.Demo()["admin"]
	var page struct {
		Projects struct {
			Edges []struct {
				Cursor string
				Node   struct{ ID string }
			}
		}
	}
	h.MustDo(admin, `{ projects(first: 2, orderBy: [{field: STATUS}, {field: TITLE}]) { edges { cursor node { id } } } }`, nil, &page)
	twoKeys := page.Projects.Edges[0].Cursor
	id := page.Projects.Edges[0].Node.ID
	twice := []any{map[string]any{"field": "TITLE"}, map[string]any{"field": "STATUS"}, map[string]any{"field": "TITLE", "direction": "DESC"}}
	for _, c := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"a field twice", `{ projects(orderBy: [{field: TITLE}, {field: STATUS}, {field: TITLE, direction: DESC}]) { totalCount } }`, nil},
		{"a field twice in a variable", `query($o: [ProjectOrder!]) { projects(orderBy: $o) { totalCount } }`, map[string]any{"o": twice}},
		{"a field twice in a variable of a nested connection", `query($o: [SurveyOrder!]) { projects(first: 1) { edges { node { surveys(orderBy: $o) { totalCount } } } } }`, map[string]any{"o": twice}},
		{"a field twice in a nested connection", `{ projects { edges { node { surveys(orderBy: [{field: TITLE}, {field: TITLE}]) { totalCount } } } } }`, nil},
		{"a cursor of one value, from before orderings were lists", fmt.Sprintf(`{ projects(after: %q, orderBy: [{field: TITLE}]) { edges { node { id } } } }`,
			encodeCursor(entgql.Cursor[string]{ID: id, Value: "Title"})), nil},
		{"a cursor of two keys sent with one", fmt.Sprintf(`{ projects(after: %q, orderBy: [{field: TITLE}]) { edges { node { id } } } }`, twoKeys), nil},
		{"a cursor of two keys sent with none", fmt.Sprintf(`{ projects(after: %q) { edges { node { id } } } }`, twoKeys), nil},
		{"a cursor of another kind of value", fmt.Sprintf(`{ projects(before: %q, orderBy: [{field: CREATED_AT}, {field: TITLE}]) { edges { node { id } } } }`, twoKeys), nil},
		{"a cursor of two keys in a nested connection sent with one", fmt.Sprintf(`{ projects(first: 1) { edges { node { surveys(after: %q, orderBy: {field: TITLE}) { edges { node { id } } } } } } }`, twoKeys), nil},
	} {
		resp := h.Do(admin, c.query, c.vars)
		if codes := resp.Codes(); !slices.Equal(codes, []string{"BAD_USER_INPUT"}) {
			t.Errorf("%s: codes %v, want [BAD_USER_INPUT]; errors %v", c.name, codes, resp.Errors)
		}
	}
}

// TestNestedOrderingIsTheTopLevelOne: a map's pins and a survey's responses
// ordered by several keys, read nested (one eager load for all parents) and
// with the ordering given as one object or as a list, come in the order of
// the root connection with the same ordering and filter.
func TestNestedOrderingIsTheTopLevelOne(t *testing.T) {
	h := apitest.New(t)
	admin := h.Demo()["admin"]
	ctx := testdb.System()
	for i, id := range h.DB.Ent.Pin.Query().Order(pin.ByID()).IDsX(ctx) {
		h.DB.Ent.Pin.UpdateOneID(id).SetCategory([]string{"Idea", "Safety", "Idea"}[i%3]).ExecX(ctx)
	}
	for _, c := range []struct{ parent, parents, children, where, orderBy string }{
		{"map", "maps", "pins", "hasMapWith: {id: $id}", `[{field: CATEGORY, direction: DESC}, {field: CREATED_AT}]`},
		{"map", "maps", "pins", "hasMapWith: {id: $id}", `{field: CATEGORY, direction: DESC}`},
		{"survey", "surveys", "responses", "hasSurveyWith: {id: $id}", `[{field: SUBMITTED_AT, direction: DESC}]`},
		{"survey", "surveys", "responses", "hasSurveyWith: {id: $id}", `{field: SUBMITTED_AT}`},
	} {
		var parents struct {
			P struct {
				Edges []struct {
					Node struct {
						ID string
						C  rootConn
					}
				}
			}
		}
		h.MustDo(admin, fmt.Sprintf(`{ p: %s(first: 100) { edges { node { id c: %s(first: 100, orderBy: %s) { edges { node { id } } } } } } }`, c.parents, c.children, c.orderBy), nil, &parents)
		checked := 0
		for _, e := range parents.P.Edges {
			p := e.Node
			var root struct{ C rootConn }
			h.MustDo(admin, fmt.Sprintf(`query($id: ID!) { c: %s(first: 100, where: {%s}, orderBy: %s) { edges { node { id } } } }`, c.children, c.where, c.orderBy),
				map[string]any{"id": p.ID}, &root)
			if got, want := connIDs(p.C), connIDs(root.C); !slices.Equal(got, want) {
				t.Errorf("%s %s's %s by %s: nested %v, at the root %v", c.parent, p.ID, c.children, c.orderBy, got, want)
			}
			if len(p.C.Edges) > 1 {
				checked++
			}
		}
		if checked == 0 {
			t.Fatalf("no %s with two %s to order", c.parent, c.children)
		}
	}
}

// TestOrderingInAVariable: an orderBy given in a variable, as a list or as
// one object (which input coercion makes a list of one), orders root and
// nested connections as the same ordering written in the query.
func TestOrderingInAVariable(t *testing.T) {
	h := apitest.New(t)
	admin := h.Demo()["admin"]
	ctx := testdb.System()
	for i, id := range h.DB.Ent.Pin.Query().Order(pin.ByID()).IDsX(ctx) {
		h.DB.Ent.Pin.UpdateOneID(id).SetCategory([]string{"Idea", "Safety", "Idea"}[i%3]).ExecX(ctx)
	}
	const shape = `{ pins(first: 50, orderBy: %s) { edges { node { id } } }
		maps(first: 5) { edges { node { pins(first: 50, orderBy: %s) { edges { node { id } } } } } } }`
	read := func(query string, vars map[string]any) string {
		var out map[string]any
		h.MustDo(admin, query, vars, &out)
		return jsonOf(out)
	}
	literal := read(fmt.Sprintf(shape, `{field: CATEGORY, direction: DESC}`, `{field: CATEGORY, direction: DESC}`), nil)
	if byID := read(fmt.Sprintf(shape, `[]`, `[]`), nil); byID == literal {
		t.Fatal("ordered by category and by ID alike: the test cannot tell orderings apart")
	}
	for _, o := range []any{
		map[string]any{"field": "CATEGORY", "direction": "DESC"},
		[]any{map[string]any{"field": "CATEGORY", "direction": "DESC"}},
	} {
		if got := read("query($o: [PinOrder!]) "+fmt.Sprintf(shape, "$o", "$o"), map[string]any{"o": o}); got != literal {
			t.Errorf("orderBy in a variable, %s: got %s, want %s", jsonOf(o), got, literal)
		}
	}
}
