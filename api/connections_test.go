package api_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"engage/demo"
	"engage/ent"
	"engage/ent/project"
	"engage/ent/projectmap"
	"engage/ent/response"
	"engage/ent/survey"
	"engage/internal/apitest"
	"engage/testdb"
)

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type titledConnection struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   struct{ ID, Title string }
	}
}

func (c titledConnection) titles() []string {
	var out []string
	for _, e := range c.Edges {
		out = append(out, e.Node.Title)
	}
	return out
}

// TestPaginationWalksEveryRowOnce pages forwards and backwards through the
// projects ordered by title, in pages of every size from 1 to 4, and expects
// exactly the database's order, each project once, with page flags that are
// true exactly when there is more.
func TestPaginationWalksEveryRowOnce(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	admin := tokens["admin"]
	want := h.DB.Ent.Project.Query().Order(project.ByTitle(), project.ByID()).Select(project.FieldTitle).StringsX(testdb.System())

	const page = `query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $dir: OrderDirection!) {
		projects(first: $first, after: $after, last: $last, before: $before, orderBy: {field: TITLE, direction: $dir}) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { id title } }
		}
	}`
	for size := 1; size <= 4; size++ {
		t.Run(fmt.Sprintf("forward by %d", size), func(t *testing.T) {
			var got []string
			var after any
			for pages := 0; ; pages++ {
				if pages > len(want) {
					t.Fatal("pagination does not end")
				}
				var out struct{ Projects titledConnection }
				h.MustDo(admin, page, map[string]any{"first": size, "after": after, "dir": "ASC"}, &out)
				c := out.Projects
				if c.TotalCount != len(want) {
					t.Fatalf("totalCount: got %d, want %d", c.TotalCount, len(want))
				}
				got = append(got, c.titles()...)
				if c.PageInfo.HasNextPage != (len(got) < len(want)) {
					t.Fatalf("after %d rows hasNextPage is %v", len(got), c.PageInfo.HasNextPage)
				}
				if c.PageInfo.HasPreviousPage != (pages > 0) {
					t.Fatalf("on page %d hasPreviousPage is %v", pages, c.PageInfo.HasPreviousPage)
				}
				if !c.PageInfo.HasNextPage {
					break
				}
				after = *c.PageInfo.EndCursor
			}
			if !slices.Equal(got, want) {
				t.Errorf("titles\n got %q\nwant %q", got, want)
			}
		})
		t.Run(fmt.Sprintf("backward by %d", size), func(t *testing.T) {
			var got []string
			var before any
			for pages := 0; ; pages++ {
				if pages > len(want) {
					t.Fatal("pagination does not end")
				}
				var out struct{ Projects titledConnection }
				h.MustDo(admin, page, map[string]any{"last": size, "before": before, "dir": "ASC"}, &out)
				got = append(out.Projects.titles(), got...)
				if !out.Projects.PageInfo.HasPreviousPage {
					break
				}
				before = *out.Projects.PageInfo.StartCursor
			}
			if !slices.Equal(got, want) {
				t.Errorf("titles\n got %q\nwant %q", got, want)
			}
		})
	}
	t.Run("descending", func(t *testing.T) {
		var out struct{ Projects titledConnection }
		h.MustDo(admin, page, map[string]any{"first": 100, "dir": "DESC"}, &out)
		reversed := slices.Clone(want)
		slices.Reverse(reversed)
		if got := out.Projects.titles(); !slices.Equal(got, reversed) {
			t.Errorf("titles\n got %q\nwant %q", got, reversed)
		}
	})
}

// TestWhereFiltersAndNestedCounts compares filtered connections and nested
// totalCounts with the same questions asked of the database directly.
func TestWhereFiltersAndNestedCounts(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	admin := tokens["admin"]
	ctx := testdb.System()

	t.Run("status filter", func(t *testing.T) {
		for _, status := range []project.Status{project.StatusDRAFT, project.StatusPUBLISHED, project.StatusARCHIVED} {
			want := h.DB.Ent.Project.Query().Where(project.StatusEQ(status)).CountX(ctx)
			var out struct{ Projects struct{ TotalCount int } }
			h.MustDo(admin, `query($s: ProjectStatus!) { projects(where: {status: $s}) { totalCount } }`, map[string]any{"s": status}, &out)
			if out.Projects.TotalCount != want {
				t.Errorf("projects with status %s: got %d, want %d", status, out.Projects.TotalCount, want)
			}
		}
	})

	t.Run("edge filter and text filter", func(t *testing.T) {
		want := h.DB.Ent.Project.Query().
			Where(project.HasMapsWith(projectmap.ZoomGTE(12)), project.TitleContainsFold("RI")).
			Order(project.ByTitle()).Select(project.FieldTitle).StringsX(ctx)
		if len(want) < 2 {
			t.Fatalf("the demo data should have several matches, has %q", want)
		}
		var out struct{ Projects titledConnection }
		h.MustDo(admin, `{ projects(where: {hasMapsWith: {zoomGTE: 12}, titleContainsFold: "ri"}, orderBy: {field: TITLE}) {
			totalCount edges { cursor node { id title } } } }`, nil, &out)
		if got := out.Projects.titles(); !slices.Equal(got, want) || out.Projects.TotalCount != len(want) {
			t.Errorf("titles\n got %q (totalCount %d)\nwant %q", got, out.Projects.TotalCount, want)
		}
	})

	t.Run("nested totalCount at every level", func(t *testing.T) {
		var out struct {
			Projects struct {
				Edges []struct {
					Node struct {
						Slug    string
						Surveys struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									ID        string
									Responses struct {
										TotalCount int
										Edges      []struct{ Node struct{ ID string } }
									}
								}
							}
						}
					}
				}
			}
		}
		h.MustDo(admin, `{ projects(first: 100) { edges { node { slug
			surveys(first: 2) { totalCount edges { node { id
				responses(first: 3, orderBy: {field: SUBMITTED_AT, direction: DESC}) { totalCount edges { node { id } } } } } } } } } }`, nil, &out)
		if len(out.Projects.Edges) == 0 {
			t.Fatal("no projects")
		}
		for _, p := range out.Projects.Edges {
			wantSurveys := h.DB.Ent.Survey.Query().Where(survey.HasProjectWith(project.Slug(p.Node.Slug))).CountX(ctx)
			if p.Node.Surveys.TotalCount != wantSurveys {
				t.Errorf("%s: surveys totalCount got %d, want %d", p.Node.Slug, p.Node.Surveys.TotalCount, wantSurveys)
			}
			if got := len(p.Node.Surveys.Edges); got != min(2, wantSurveys) {
				t.Errorf("%s: got %d surveys on the page, want %d", p.Node.Slug, got, min(2, wantSurveys))
			}
			for _, s := range p.Node.Surveys.Edges {
				want := h.DB.Ent.Response.Query().Where(response.SurveyID(s.Node.ID)).
					Order(response.BySubmittedAt(entsql.OrderDesc()), response.ByID(entsql.OrderDesc())).Limit(3).IDsX(ctx)
				var got []string
				for _, r := range s.Node.Responses.Edges {
					got = append(got, r.Node.ID)
				}
				total := h.DB.Ent.Response.Query().Where(response.SurveyID(s.Node.ID)).CountX(ctx)
				if s.Node.Responses.TotalCount != total || !slices.Equal(got, want) {
					t.Errorf("survey %s: responses got %v (totalCount %d), want %v (totalCount %d)", s.Node.ID, got, s.Node.Responses.TotalCount, want, total)
				}
			}
		}
	})
}

// TestNodeLookups resolves IDs of every kind and checks that missing and
// malformed IDs get clear, distinct errors.
func TestNodeLookups(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	admin := tokens["admin"]
	ctx := testdb.System()
	ids := map[string]string{
		"Project": h.DB.Ent.Project.Query().FirstIDX(ctx),
		"Survey":  h.DB.Ent.Survey.Query().FirstIDX(ctx),
		"Map":     h.DB.Ent.ProjectMap.Query().FirstIDX(ctx),
		"Pin":     h.DB.Ent.Pin.Query().FirstIDX(ctx),
		"User":    h.DB.Ent.User.Query().FirstIDX(ctx),
		"Team":    h.DB.Ent.Team.Query().FirstIDX(ctx),
	}
	for typ, id := range ids {
		var out struct{ Node struct{ Typename, ID string } }
		h.MustDo(admin, `query($id: ID!) { node(id: $id) { typename: __typename id } }`, map[string]any{"id": id}, &out)
		if out.Node.Typename != typ || out.Node.ID != id {
			t.Errorf("node(%s): got %s %s, want %s", id, out.Node.Typename, out.Node.ID, typ)
		}
	}

	missing := "prj_" + strings.Repeat("A", 22)
	cases := []struct {
		name, id, code string
	}{
		{"well-formed but missing", missing, "NOT_FOUND"},
		{"unknown prefix", "xyz_" + strings.Repeat("A", 22), "BAD_USER_INPUT"},
		{"too short", "prj_abc", "BAD_USER_INPUT"},
		{"not base62", "prj_" + strings.Repeat("-", 22), "BAD_USER_INPUT"},
		{"sequential number", "42", "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := h.Do(admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": c.id})
			if string(resp.Data) != `{"node":null}` || !reflect.DeepEqual(resp.Codes(), []string{c.code}) {
				t.Errorf("node(%q): got data %s, codes %v; want node null and [%s]", c.id, resp.Data, resp.Codes(), c.code)
			}
		})
	}

	t.Run("nodes keeps order", func(t *testing.T) {
		keys := []string{"Team", "Project", "Pin", "User"}
		var want []string
		for _, k := range keys {
			want = append(want, ids[k])
		}
		var out struct{ Nodes []struct{ ID string } }
		h.MustDo(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": want}, &out)
		var got []string
		for _, n := range out.Nodes {
			got = append(got, n.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("nodes: got %v, want %v", got, want)
		}
	})
}

// TestOrderingByEveryProjectField checks each orderBy field of projects
// against the database's own ordering.
func TestOrderingByEveryProjectField(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	admin := tokens["admin"]
	for _, field := range []string{"TITLE", "SLUG", "STATUS", "CREATED_AT", "UPDATED_AT"} {
		var out struct {
			Projects struct {
				Edges []struct{ Node map[string]any }
			}
		}
		h.MustDo(admin, `query($f: ProjectOrderField!) { projects(first: 100, orderBy: {field: $f}) { edges { node { title slug status createdAt updatedAt } } } }`,
			map[string]any{"f": field}, &out)
		key := map[string]string{"TITLE": "title", "SLUG": "slug", "STATUS": "status", "CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt"}[field]
		var got []string
		for _, e := range out.Projects.Edges {
			got = append(got, fmt.Sprint(e.Node[key]))
		}
		if !sort.StringsAreSorted(got) { // RFC 3339 UTC timestamps sort as strings
			t.Errorf("ordered by %s: %q is not sorted", field, got)
		}
		if len(got) != h.DB.Ent.Project.Query().CountX(testdb.System()) {
			t.Errorf("ordered by %s: got %d projects", field, len(got))
		}
	}
}

// TestPagesCountOnlyForTotalCount checks that a page counts the whole list
// only when totalCount is asked for: pageInfo comes from the extra row of
// LIMIT first+1, so paging a million rows deep costs what the first page
// costs. Only a page that loads no edge counts for pageInfo.
func TestPagesCountOnlyForTotalCount(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	if _, err := demo.Load(testdb.System(), h.DB.Ent); err != nil {
		t.Fatalf("loading demo data: %v", err)
	}
	admin := h.Admin()
	total := h.DB.Ent.Project.Query().CountX(testdb.System())
	// counts runs query and returns its result and how many of its SQL
	// statements were counts.
	counts := func(query string, vars map[string]any) (struct{ Projects titledConnection }, int) {
		t.Helper()
		before := len(h.Logs.String())
		var out struct{ Projects titledConnection }
		h.MustDo(admin, query, vars, &out)
		return out, strings.Count(strings.ToUpper(h.Logs.String()[before:]), "COUNT(")
	}

	const page = `query($after: Cursor) { projects(first: 1, after: $after) {
		pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id title } } } }`
	var after any
	for seen := 1; ; seen++ {
		out, n := counts(page, map[string]any{"after": after})
		if n != 0 {
			t.Fatalf("page %d without totalCount ran %d counts", seen, n)
		}
		if got := len(out.Projects.Edges); got != 1 {
			t.Fatalf("page %d has %d edges", seen, got)
		}
		if out.Projects.PageInfo.HasNextPage != (seen < total) || out.Projects.PageInfo.HasPreviousPage != (seen > 1) {
			t.Fatalf("page %d of %d: pageInfo %+v", seen, total, out.Projects.PageInfo)
		}
		if !out.Projects.PageInfo.HasNextPage {
			break
		}
		after = *out.Projects.PageInfo.EndCursor
	}

	out, n := counts(`{ projects(first: 1) { totalCount edges { node { id } } } }`, nil)
	if n != 1 || out.Projects.TotalCount != total {
		t.Errorf("with totalCount: %d counts, totalCount %d; want 1 count and %d", n, out.Projects.TotalCount, total)
	}
	out, n = counts(`{ projects(first: 0) { pageInfo { hasNextPage } } }`, nil)
	if n != 1 || !out.Projects.PageInfo.HasNextPage {
		t.Errorf("first: 0 with pageInfo: %d counts, hasNextPage %v; want 1 count and true", n, out.Projects.PageInfo.HasNextPage)
	}

	// Nested pages: pageInfo comes from each parent's extra row too.
	before := len(h.Logs.String())
	var nested struct {
		Projects struct {
			Edges []struct {
				Node struct {
					ID      string
					Surveys titledConnection
				}
			}
		}
	}
	h.MustDo(admin, `{ projects(first: 100) { edges { node { id
		surveys(first: 1) { pageInfo { hasNextPage endCursor } edges { node { id title } } } } } } }`, nil, &nested)
	if n := strings.Count(strings.ToUpper(h.Logs.String()[before:]), "COUNT("); n != 0 {
		t.Errorf("nested pages without totalCount ran %d counts", n)
	}
	for _, p := range nested.Projects.Edges {
		surveys := h.DB.Ent.Survey.Query().Where(survey.ProjectID(p.Node.ID)).CountX(testdb.System())
		if got := p.Node.Surveys.PageInfo.HasNextPage; got != (surveys > 1) {
			t.Errorf("project %s with %d surveys: hasNextPage %v", p.Node.ID, surveys, got)
		}
	}
}

// TestDeferredFragmentsAnswerInline checks that @defer, which the generated
// code handles with gqlexec.NewDeferredGroup, still answers
// the deferred fields in the one response that POST gives, at every level.
func TestDeferredFragmentsAnswerInline(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	var out struct {
		Projects struct {
			Edges []struct {
				Node struct {
					ID, Title string
					Surveys   struct {
						Edges []struct{ Node struct{ ID, Title string } }
					}
				}
			}
		}
	}
	h.MustDo(tokens["admin"], `{ projects(first: 3) { edges { node { id ... @defer(label: "p") { title
		surveys(first: 3) { edges { node { id ... @defer { title } } } } } } } } }`, nil, &out)
	if len(out.Projects.Edges) == 0 {
		t.Fatal("no projects")
	}
	for _, p := range out.Projects.Edges {
		if p.Node.Title == "" || len(p.Node.Surveys.Edges) == 0 {
			t.Errorf("project %s: deferred title %q and %d surveys", p.Node.ID, p.Node.Title, len(p.Node.Surveys.Edges))
		}
		for _, s := range p.Node.Surveys.Edges {
			if s.Node.Title == "" {
				t.Errorf("survey %s: no deferred title", s.Node.ID)
			}
		}
	}
}

// TestPagesReadTheExtraRowOnlyForPageInfo checks that a page, top-level or
// nested, reads first+1 rows (the extra one tells hasNextPage) only when
// pageInfo is selected: without it, first rows per parent, and no
// connection of a node it does not show is loaded.
func TestPagesReadTheExtraRowOnlyForPageInfo(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	// rows counts the nodes each entity's queries return, loads included.
	var mu sync.Mutex
	rows := map[string]int{}
	h.DB.Ent.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			if nodes := reflect.ValueOf(v); err == nil && nodes.Kind() == reflect.Slice {
				mu.Lock()
				rows[strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", q), "*ent."), "Query")] += nodes.Len()
				mu.Unlock()
			}
			return v, err
		})
	}))
	read := func(query string) (map[string]int, []string) {
		t.Helper()
		mu.Lock()
		clear(rows)
		mu.Unlock()
		var out struct {
			Projects struct {
				Edges []struct {
					Node struct {
						Surveys struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		h.MustDo(tokens["admin"], query, nil, &out)
		var shown []string
		for _, p := range out.Projects.Edges {
			for _, s := range p.Node.Surveys.Edges {
				shown = append(shown, s.Node.ID)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		// The pages' entities alone: the token's first use reads its own.
		return map[string]int{"Project": rows["Project"], "Survey": rows["Survey"], "Response": rows["Response"]}, shown
	}

	// The demo's third project by title has two surveys: only the extra
	// row shows it, and only pageInfo reads its surveys.
	const pages = `{ projects(first: 2, orderBy: {field: TITLE},
		where: {slugIn: ["affordable-housing-strategy", "budget-priorities-2027", "downtown-bike-network"]}) {
		%[1]s edges { node { surveys(first: 1) { %[1]s edges { node { id
		responses(first: 1) { %[1]s edges { node { id } } } } } } } } } }`
	without, shown := read(fmt.Sprintf(pages, ""))
	with, shownWith := read(fmt.Sprintf(pages, "pageInfo { hasNextPage }"))
	if !slices.Equal(shown, shownWith) || len(shown) != 2 {
		t.Fatalf("surveys shown: %v without pageInfo, %v with; want the same 2", shown, shownWith)
	}
	want := map[string]int{"Project": 2, "Survey": 2, "Response": 2}
	if !maps.Equal(without, want) {
		t.Errorf("rows read without pageInfo: %v, want %v (the rows shown)", without, want)
	}
	// With pageInfo, first+1 per parent at each level.
	want = map[string]int{}
	three := h.DB.Ent.Project.Query().Where(project.SlugIn("affordable-housing-strategy", "budget-priorities-2027", "downtown-bike-network"))
	for _, p := range three.Order(ent.Asc(project.FieldTitle)).AllX(testdb.System()) {
		want["Project"]++
		for _, s := range p.QuerySurveys().Order(ent.Asc(survey.FieldID)).Limit(2).AllX(testdb.System()) {
			want["Survey"]++
			want["Response"] += min(2, s.QueryResponses().CountX(testdb.System()))
		}
	}
	if !maps.Equal(with, want) || want["Survey"] != 4 {
		t.Errorf("rows read with pageInfo: %v, want %v (first+1 per parent: 1, 1 and 2 surveys)", with, want)
	}
}
