package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"engage/api"
	"engage/config"
	"engage/internal/apitest"
	"engage/testdb"
)

// TestAnonymousRequestsAreRefused: without a token or a session, every
// GraphQL request is refused before it runs, and nothing is stored.
func TestAnonymousRequestsAreRefused(t *testing.T) {
	h := apitest.New(t)
	for _, q := range []string{
		`{ projects { totalCount } }`,
		`mutation { createTeam(input: {name: "Intruders"}) { id } }`,
	} {
		resp := h.Do("", q, nil)
		if resp.Status != http.StatusUnauthorized || !reflect.DeepEqual(resp.Codes(), []string{"UNAUTHENTICATED"}) || resp.Data != nil {
			t.Errorf("%s: got status %d, data %s, codes %v; want 401, no data, [UNAUTHENTICATED]", q, resp.Status, resp.Data, resp.Codes())
		}
	}
	if n := h.DB.Ent.Team.Query().CountX(testdb.System()); n != 0 {
		t.Errorf("an anonymous mutation stored %d teams", n)
	}
}

// TestBadInputGetsClearErrors checks that invalid values and conflicts are
// refused with a code and a message that names the problem, and that a
// failed mutation leaves nothing behind.
func TestBadInputGetsClearErrors(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	h.MustDo(admin, `mutation { createProject(input: {title: "One", slug: "one"}) { id } }`, nil, nil)
	cases := []struct {
		name, query, code, message string
	}{
		{"invalid slug", `mutation { createProject(input: {title: "Two", slug: "Not A Slug"}) { id } }`, "BAD_USER_INPUT", "slug"},
		{"duplicate slug", `mutation { createProject(input: {title: "Two", slug: "one"}) { id } }`, "CONFLICT", "already in use"},
		{"link to a missing object", `mutation { createSurvey(input: {title: "S", projectID: "prj_AAAAAAAAAAAAAAAAAAAAAA"}) { id } }`, "NOT_FOUND", "input.projectID: not found"},
		{"unknown enum value", `mutation { createProject(input: {title: "Two", slug: "two", status: LIVE}) { id } }`, "GRAPHQL_VALIDATION_FAILED", "LIVE"},
		{"syntax error", `mutation { createProject(input: {title: "Two" slug: }) { id } }`, "GRAPHQL_PARSE_FAILED", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := h.Do(admin, c.query, nil)
			if !reflect.DeepEqual(resp.Codes(), []string{c.code}) || !strings.Contains(resp.Errors[0].Message, c.message) {
				t.Errorf("got %+v, want code %s and a message containing %q", resp.Errors, c.code, c.message)
			}
		})
	}
	if n := h.DB.Ent.Project.Query().CountX(testdb.System()); n != 1 {
		t.Errorf("after the refused mutations there are %d projects, want 1", n)
	}
}

// TestRequestLimits checks the depth limit and the body size limit.
func TestRequestLimits(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.MaxDepth = 4; c.MaxBodyBytes = 4096 }})
	admin := h.Admin()

	shallow := `{ projects { edges { node { id } } } }`
	h.MustDo(admin, shallow, nil, nil)
	deep := `{ projects { edges { node { surveys { edges { node { id } } } } } } }`
	if resp := h.Do(admin, deep, nil); !reflect.DeepEqual(resp.Codes(), []string{"DEPTH_LIMIT"}) {
		t.Errorf("a query 7 levels deep with a limit of 4: got %+v, want [DEPTH_LIMIT]", resp.Errors)
	}
	viaFragment := `{ projects { ...P } } fragment P on ProjectConnection { edges { node { surveys { totalCount } } } }`
	if resp := h.Do(admin, viaFragment, nil); !reflect.DeepEqual(resp.Codes(), []string{"DEPTH_LIMIT"}) {
		t.Errorf("depth through a fragment: got %+v, want [DEPTH_LIMIT]", resp.Errors)
	}

	big := `{"query": "{ projects { totalCount } }", "padding": "` + strings.Repeat("x", 5000) + `"}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(big)))
	req.Header.Set("Content-Type", "application/json")
	resp := h.Send(admin, req)
	if resp.Status != http.StatusRequestEntityTooLarge || !reflect.DeepEqual(resp.Codes(), []string{"BODY_TOO_LARGE"}) {
		t.Errorf("a 5 kB body with a 4 kB limit: got status %d, codes %v; want 413, [BODY_TOO_LARGE]", resp.Status, resp.Codes())
	}
	// A body that hides its length (chunked) is cut off while it is read.
	req = httptest.NewRequest(http.MethodPost, "/graphql", struct{ *bytes.Reader }{bytes.NewReader([]byte(big))})
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	if resp := h.Send(admin, req); resp.Status < 400 || len(resp.Errors) == 0 {
		t.Errorf("a chunked 5 kB body: got status %d, errors %v; want a refusal", resp.Status, resp.Errors)
	}
}

// TestHealthEndpoints checks /healthz and that /readyz follows the database.
func TestHealthEndpoints(t *testing.T) {
	h := apitest.New(t)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if got := get("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz: got %d, want 200", got)
	}
	if got := get("/readyz"); got != http.StatusOK {
		t.Errorf("/readyz with the database up: got %d, want 200", got)
	}
	h.DB.SQL.Close() // the database goes away
	if got := get("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database gone: got %d, want 503", got)
	}
	if got := get("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz with the database gone: got %d, want 200", got)
	}
}

// TestPageSizesAndCost checks that no page is larger than MaxPageSize, that a
// connection without first or last gets a page of MaxPageSize, and that the
// cost of nested pages multiplies.
func TestPageSizesAndCost(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	admin := tokens["admin"]

	for _, q := range []string{`{ projects(first: 101) { totalCount } }`, `{ projects(last: 1000) { totalCount } }`} {
		if resp := h.Do(admin, q, nil); !reflect.DeepEqual(resp.Codes(), []string{"BAD_USER_INPUT"}) {
			t.Errorf("%s: got %+v, want [BAD_USER_INPUT]", q, resp.Errors)
		}
	}
	if resp := h.Do(admin, `query($n: Int) { projects(first: $n) { totalCount } }`, map[string]any{"n": 500}); !reflect.DeepEqual(resp.Codes(), []string{"BAD_USER_INPUT"}) {
		t.Errorf("first: 500 in a variable: got %+v, want [BAD_USER_INPUT]", resp.Errors)
	}

	// The demo's largest survey has more than MaxPageSize responses.
	var out struct {
		Surveys struct {
			Edges []struct {
				Node struct {
					Responses struct {
						TotalCount int
						PageInfo   struct{ HasNextPage bool }
						Edges      []struct{ Node struct{ ID string } }
					}
				}
			}
		}
	}
	h.MustDo(admin, `{ surveys(first: 20) { edges { node { responses { totalCount pageInfo { hasNextPage } edges { node { id } } } } } } }`, nil, &out)
	sawFull := false
	for _, s := range out.Surveys.Edges {
		r := s.Node.Responses
		if want := min(r.TotalCount, api.MaxPageSize); len(r.Edges) != want || r.PageInfo.HasNextPage != (r.TotalCount > api.MaxPageSize) {
			t.Errorf("responses without first: got %d (hasNextPage %v) of %d, want %d", len(r.Edges), r.PageInfo.HasNextPage, r.TotalCount, want)
		}
		sawFull = sawFull || r.TotalCount > api.MaxPageSize
	}
	if !sawFull {
		t.Fatal("the demo data has no survey with more responses than a page")
	}

	expensive := `{ projects(first: 100) { edges { node { surveys(first: 100) { edges { node { responses(first: 100) { edges { node { id } } } } } } } } } }`
	if resp := h.Do(admin, expensive, nil); !reflect.DeepEqual(resp.Codes(), []string{"COMPLEXITY_LIMIT"}) {
		t.Errorf("100 × 100 × 100 nested items: got %+v, want [COMPLEXITY_LIMIT]", resp.Errors)
	}
	h.MustDo(admin, `{ projects(first: 10) { edges { node { surveys(first: 10) { edges { node { responses(first: 10) { edges { node { id } } } } } } } } } }`, nil, nil)
}

// TestAnOperationIsOneTransaction: when one mutation of an operation fails,
// the others of the same operation are undone with it.
func TestAnOperationIsOneTransaction(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	resp := h.Do(admin, `mutation {
		a: createTeam(input: {name: "Kept only if all succeed"}) { id }
		b: createProject(input: {title: "Bad", slug: "Not A Slug"}) { id }
	}`, nil)
	if !reflect.DeepEqual(resp.Codes(), []string{"BAD_USER_INPUT"}) {
		t.Fatalf("got %+v, want one BAD_USER_INPUT", resp.Errors)
	}
	if n := h.DB.Ent.Team.Query().CountX(testdb.System()); n != 0 {
		t.Errorf("the first mutation of a failed operation stored %d teams, want 0", n)
	}
}

// TestPersistedQueriesAndTokenLimit checks automatic persisted queries (a
// client sends a query's hash alone once the server knows it) and that an
// enormous query is refused while it is parsed.
func TestPersistedQueriesAndTokenLimit(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	query := `{ projects { totalCount } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	post := func(body map[string]any) apitest.Response {
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		return h.Send(admin, req)
	}
	if resp := post(map[string]any{"extensions": ext}); !reflect.DeepEqual(resp.Codes(), []string{"PERSISTED_QUERY_NOT_FOUND"}) {
		t.Errorf("an unknown hash alone: got %+v, want PERSISTED_QUERY_NOT_FOUND", resp.Errors)
	}
	if resp := post(map[string]any{"query": query, "extensions": ext}); len(resp.Errors) > 0 {
		t.Errorf("the query with its hash: got %+v", resp.Errors)
	}
	if resp := post(map[string]any{"extensions": ext}); len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), "totalCount") {
		t.Errorf("the known hash alone: got data %s, errors %+v; want the result", resp.Data, resp.Errors)
	}

	huge := "{ " + strings.Repeat("__typename ", 20000) + "}"
	if resp := h.Do(admin, huge, nil); !reflect.DeepEqual(resp.Codes(), []string{"GRAPHQL_PARSE_FAILED"}) {
		t.Errorf("a query of 20,000 tokens: got %d errors, first %+v; want GRAPHQL_PARSE_FAILED", len(resp.Errors), resp.Errors[:min(1, len(resp.Errors))])
	}
}
