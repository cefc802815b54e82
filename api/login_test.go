package api_test

// Login sessions: the cookie of POST /login acts for its user on /graphql
// from the same site only, until POST /logout.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"engage/internal/apitest"
	"engage/testdb"
)

// TestLoginSessions: a session from POST /login acts with the user's full
// rights, only from the same site, until POST /logout.
func TestLoginSessions(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	ctx := testdb.System()
	const pw = "correct horse battery staple"
	adminID := userID(h, "admin@demo.engage.test")
	h.SetPassword(adminID, pw)
	cookie := h.Login("admin@demo.engage.test", pw)

	t.Run("the session acts with the admin's full rights", func(t *testing.T) {
		var out struct {
			Viewer struct {
				User  struct{ ID string }
				Token *struct{ ID string }
			}
			Projects, Surveys, Users struct{ TotalCount int }
		}
		resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", `{ viewer { user { id } token { id } } projects { totalCount } surveys { totalCount } users { totalCount } }`, nil))
		g := resp.GraphQL(t)
		if resp.Status != http.StatusOK || len(g.Errors) > 0 || json.Unmarshal(g.Data, &out) != nil {
			t.Fatalf("got status %d, body %s", resp.Status, resp.Body)
		}
		if out.Viewer.User.ID != adminID || out.Viewer.Token != nil {
			t.Errorf("viewer: got %+v, want user %s and no token", out.Viewer, adminID)
		}
		want := []int{h.DB.Ent.Project.Query().CountX(ctx), h.DB.Ent.Survey.Query().CountX(ctx), h.DB.Ent.User.Query().CountX(ctx)}
		if got := []int{out.Projects.TotalCount, out.Surveys.TotalCount, out.Users.TotalCount}; !slices.Equal(got, want) {
			t.Errorf("projects, surveys, users: got %v, want all of them, %v", got, want)
		}
		if resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", `mutation { createTeam(input: {name: "By session"}) { id } }`, nil)); len(resp.GraphQL(t).Errors) > 0 {
			t.Errorf("a mutation through the session: %s", resp.Body)
		}
	})

	t.Run("a cross-site request with the cookie is refused", func(t *testing.T) {
		teams := h.DB.Ent.Team.Query().CountX(ctx)
		resp := h.Serve(apitest.SessionRequest(cookie, "cross-site", `mutation { createTeam(input: {name: "Forged"}) { id } }`, nil))
		if resp.Status != http.StatusForbidden {
			t.Errorf("status: got %d, want 403; body %s", resp.Status, resp.Body)
		}
		if n := h.DB.Ent.Team.Query().CountX(ctx); n != teams {
			t.Errorf("the forged request created %d teams", n-teams)
		}
	})

	t.Run("a STAFF session has the user's rights, while the user is active", func(t *testing.T) {
		editorID := userID(h, "editor@demo.engage.test")
		h.SetPassword(editorID, pw)
		staffCookie := h.Login("editor@demo.engage.test", pw)
		const slugs = `{ projects(first: 100) { edges { node { slug } } } }`
		resp := h.Serve(apitest.SessionRequest(staffCookie, "same-origin", slugs, nil))
		var out struct {
			Projects struct {
				Edges []struct{ Node struct{ Slug string } }
			}
		}
		if g := resp.GraphQL(t); len(g.Errors) > 0 || json.Unmarshal(g.Data, &out) != nil {
			t.Fatalf("got status %d, body %s", resp.Status, resp.Body)
		}
		var got []string
		for _, e := range out.Projects.Edges {
			got = append(got, e.Node.Slug)
		}
		slices.Sort(got)
		if want := projectSlugs(t, h, tokens["editor"]); !slices.Equal(got, want) {
			t.Errorf("the editor's session sees %q, their token %q", got, want)
		}
		h.MustDo(tokens["admin"], `mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }`, map[string]any{"id": editorID}, nil)
		checkUnauthenticated(t, h.Serve(apitest.SessionRequest(staffCookie, "same-origin", slugs, nil)), "authentication required")
	})

	t.Run("after logout the cookie no longer authenticates", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/logout", nil)
		req.AddCookie(cookie)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if resp := h.Serve(req); resp.Status != http.StatusSeeOther {
			t.Fatalf("POST /logout: status %d, want 303", resp.Status)
		}
		checkUnauthenticated(t, h.Serve(apitest.SessionRequest(cookie, "same-origin", `{ viewer { user { id } } }`, nil)), "authentication required")
	})
}
