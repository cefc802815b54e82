package api_test

// Every error names its class and, for a refused mutation, the argument
// it concerns; browsers get the API's own answers (issue 16, points 4 and
// 8).

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"engage/config"
	"engage/internal/apitest"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// TestMalformedInputIsBadUserInput sends cursors and IDs that cannot be
// decoded, and IDs that are well formed but name nothing, or something
// hidden: the first are BAD_USER_INPUT, the others NOT_FOUND, and both
// name the argument, never telling a hidden object from a missing one.
func TestMalformedInputIsBadUserInput(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	c, ctx := h.DB.Ent, testdb.System()
	team := c.Team.Create().SetName("T").SetRestricted(true).SaveX(ctx)
	hidden := c.Project.Create().SetTitle("Hidden").SetSlug("hidden").SetTeamID(team.ID).SaveX(ctx)
	mine := c.Project.Create().SetTitle("Mine").SetSlug("mine").SaveX(ctx)
	editor := h.Staff("editor@example.test", apitest.Membership{ProjectID: mine.ID, Role: role.Editor})
	editorToken := h.Mint(token.Spec{OwnerID: editor.ID, Name: "editor"})
	const missing = "prj_AAAAAAAAAAAAAAAAAAAAAA"

	for _, tc := range []struct {
		name, secret, query, code, message string
	}{
		{"cursor that does not decode", admin, `{ projects(after: "garbage") { totalCount } }`, "BAD_USER_INPUT", "after: invalid cursor"},
		{"cursor of base64 garbage", admin, `{ projects(first: 1, before: "Z2FyYmFnZQ==") { totalCount } }`, "BAD_USER_INPUT", "before: invalid cursor"},
		{"node ID", admin, `{ node(id: "x") { id } }`, "BAD_USER_INPUT", "invalid ID"},
		{"update ID", admin, `mutation { updateProject(id: "x", input: {title: "T"}) { id } }`, "BAD_USER_INPUT", "id: invalid ID"},
		{"parent ID", editorToken, `mutation { createSurvey(input: {title: "S", projectID: "x"}) { id } }`, "BAD_USER_INPUT", "input.projectID: invalid ID"},
		{"parent ID, administrator", admin, `mutation { createSurvey(input: {title: "S", projectID: "x"}) { id } }`, "BAD_USER_INPUT", "input.projectID: invalid ID"},
		{"project IDs of a token", admin, `mutation { createAPIToken(input: {name: "N", projectIDs: ["` + mine.ID + `", "x"]}) { secret } }`, "BAD_USER_INPUT", "input.projectIDs: invalid ID"},
		{"missing object", editorToken, `mutation { updateProject(id: "` + missing + `", input: {title: "T"}) { id } }`, "NOT_FOUND", "id: not found"},
		{"hidden object", editorToken, `mutation { updateProject(id: "` + hidden.ID + `", input: {title: "T"}) { id } }`, "NOT_FOUND", "id: not found"},
		{"missing parent", editorToken, `mutation { createSurvey(input: {title: "S", projectID: "` + missing + `"}) { id } }`, "NOT_FOUND", "input.projectID: not found"},
		{"hidden parent", editorToken, `mutation { createSurvey(input: {title: "S", projectID: "` + hidden.ID + `"}) { id } }`, "NOT_FOUND", "input.projectID: not found"},
		{"missing parent, administrator", admin, `mutation { createSurvey(input: {title: "S", projectID: "` + missing + `"}) { id } }`, "NOT_FOUND", "input.projectID: not found"},
		{"hidden project of a token", editorToken, `mutation { createAPIToken(input: {name: "N", projectIDs: ["` + hidden.ID + `"]}) { secret } }`, "NOT_FOUND", "input.projectIDs: not found"},
		{"missing token", admin, `mutation { revokeAPIToken(id: "tok_AAAAAAAAAAAAAAAAAAAAAA") { id } }`, "NOT_FOUND", "id: not found"},
		{"hidden user of a membership", editorToken, `mutation { deleteTeamMembership(id: "tmm_AAAAAAAAAAAAAAAAAAAAAA") }`, "NOT_FOUND", "id: not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.Do(tc.secret, tc.query, nil)
			if !reflect.DeepEqual(resp.Codes(), []string{tc.code}) || resp.Errors[0].Message != tc.message {
				t.Errorf("got %+v, want one %s error %q", resp.Errors, tc.code, tc.message)
			}
		})
	}
	if n := c.Survey.Query().CountX(ctx); n != 0 {
		t.Errorf("after refused mutations: got %d surveys, want none", n)
	}
}

// TestBrowsersGetTheAPIsAnswers calls the API as browser code on an
// allowed origin does: without credentials it gets the same 401 JSON as
// any client, not a 403 of the CSRF check, and it may read X-Request-Id.
func TestBrowsersGetTheAPIsAnswers(t *testing.T) {
	const origin = "https://app.example.test"
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.CORSOrigins = []string{origin} }})
	admin := h.Admin()
	for _, tc := range []struct {
		name, secret string
		status       int
	}{
		{"no credentials", "", http.StatusUnauthorized},
		{"a token", admin, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := apitest.GraphQLRequest(`{ viewer { user { id } } }`, nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if tc.secret != "" {
				req.Header.Set("Authorization", "Bearer "+tc.secret)
			}
			resp := h.Serve(req)
			if resp.Status != tc.status {
				t.Fatalf("got %d %s, want %d", resp.Status, resp.Body, tc.status)
			}
			if tc.status == http.StatusUnauthorized {
				checkUnauthenticated(t, resp, "authentication required")
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("Access-Control-Allow-Origin: got %q, want %q", got, origin)
			}
			if resp.Header.Get("X-Request-Id") == "" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
				t.Errorf("X-Request-Id %q, exposed headers %q: want an ID that browser code may read",
					resp.Header.Get("X-Request-Id"), resp.Header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
	// A cross-site login stays refused: it would open a session.
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("email=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site login: got %d, want 403", rec.Code)
	}
}
