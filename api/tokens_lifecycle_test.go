package api_test

// The lifecycle of API tokens (PRODUCT.md section 3): the mutations that
// create, rotate, revoke and rename them, their owner's changes, and who
// may mint what.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"engage/config"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/projectmembership"
	"engage/ent/survey"
	"engage/ent/team"
	"engage/ent/teammembership"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/rule"
	"engage/testdb"
	"engage/token"
)

// nodeVisible reports whether node(id) returns the object to secret, and
// checks that a hidden object looks like a missing one: node null and
// NOT_FOUND.
func nodeVisible(t *testing.T, h *apitest.Server, secret, id string) bool {
	t.Helper()
	resp := h.Do(secret, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	if len(resp.Errors) == 0 {
		var out struct{ Node struct{ ID string } }
		if err := json.Unmarshal(resp.Data, &out); err != nil || out.Node.ID != id {
			t.Errorf("node(%s): got %s, want the object", id, resp.Data)
		}
		return true
	}
	if string(resp.Data) != `{"node":null}` || !reflect.DeepEqual(resp.Codes(), []string{"NOT_FOUND"}) {
		t.Errorf("node(%s) of a hidden object: got data %s, errors %+v; want node null and [NOT_FOUND]", id, resp.Data, resp.Errors)
	}
	return false
}

// projectSlugs lists the slugs of the projects secret sees, sorted, and
// checks totalCount against the list.
func projectSlugs(t *testing.T, h *apitest.Server, secret string) []string {
	t.Helper()
	var out struct {
		Projects struct {
			TotalCount int
			Edges      []struct{ Node struct{ Slug string } }
		}
	}
	h.MustDo(secret, `{ projects(first: 100) { totalCount edges { node { slug } } } }`, nil, &out)
	var slugs []string
	for _, e := range out.Projects.Edges {
		slugs = append(slugs, e.Node.Slug)
	}
	if out.Projects.TotalCount != len(slugs) {
		t.Errorf("projects totalCount %d, but %d projects listed", out.Projects.TotalCount, len(slugs))
	}
	slices.Sort(slugs)
	return slugs
}

// openSlugs lists, sorted, the slugs of the projects every STAFF user sees
// as VIEWER: those without a team or in an open team.
func openSlugs(h *apitest.Server) []string {
	slugs := h.DB.Ent.Project.Query().
		Where(project.Or(project.TeamIDIsNil(), project.HasTeamWith(team.Restricted(false)))).
		Select(project.FieldSlug).StringsX(testdb.System())
	slices.Sort(slugs)
	return slugs
}

// TestTokenLifecycle creates, uses, rotates, revokes and renames tokens
// through the GraphQL mutations, on the demo data.
func TestTokenLifecycle(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	editor := tokens["editor"]
	editorID := userID(h, "editor@demo.engage.test")

	t.Run("create returns the token and a secret that works at once", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "  Power BI export  "})
		if err := token.Check(c.Secret); err != nil {
			t.Errorf("secret %q: %v", c.Secret, err)
		}
		if c.Token.Prefix != token.Display(c.Secret) || !strings.HasPrefix(c.Secret, c.Token.Prefix) {
			t.Errorf("prefix: got %q, want %q", c.Token.Prefix, token.Display(c.Secret))
		}
		if c.Token.Name != "Power BI export" || c.Token.ReadOnly || c.Token.ExpiresAt != nil || c.Token.Owner.ID != editorID {
			t.Errorf("token: got %+v, want name %q, not read-only, no expiry, owner %s", c.Token, "Power BI export", editorID)
		}
		var who struct {
			Viewer struct {
				User  struct{ ID string }
				Token *struct{ ID string }
			}
		}
		h.MustDo(c.Secret, `{ viewer { user { id } token { id } } }`, nil, &who)
		if who.Viewer.User.ID != editorID || who.Viewer.Token == nil || who.Viewer.Token.ID != c.Token.ID {
			t.Errorf("viewer: got %+v, want user %s and token %s", who.Viewer, editorID, c.Token.ID)
		}
	})

	t.Run("a read-only token runs no mutation", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Read only", "readOnly": true})
		if !c.Token.ReadOnly {
			t.Fatalf("readOnly: got false, want true")
		}
		h.MustDo(c.Secret, `{ projects { totalCount } }`, nil, nil)
		for name, m := range map[string]string{
			"renaming itself":  `mutation($id: ID!) { renameAPIToken(id: $id, name: "Renamed") { id } }`,
			"revoking itself":  `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`,
			"editing a survey": `mutation($id: ID!) { updateSurvey(id: $id, input: {title: "Changed"}) { id } }`,
		} {
			id := c.Token.ID
			if name == "editing a survey" {
				id = h.DB.Ent.Survey.Query().Where(survey.HasProjectWith(project.Slug("downtown-bike-network"))).FirstIDX(testdb.System())
			}
			t.Run(name, func(t *testing.T) {
				checkRefused(t, h.Do(c.Secret, m, map[string]any{"id": id}), "FORBIDDEN", "read-only")
			})
		}
		if tok := h.DB.Ent.APIToken.GetX(testdb.System(), c.Token.ID); tok.Name != "Read only" || tok.RevokedAt != nil {
			t.Errorf("after the refused mutations the token is %q, revoked at %v", tok.Name, tok.RevokedAt)
		}
	})

	t.Run("a token with projectIDs sees only those projects", func(t *testing.T) {
		want := []string{"budget-priorities-2027", "downtown-bike-network"}
		c := createToken(h, editor, map[string]any{"name": "Two projects", "projectIDs": []string{projectID(h, want[0]), projectID(h, want[1])}})
		if got := projectSlugs(t, h, c.Secret); !slices.Equal(got, want) {
			t.Errorf("projects: got %q, want %q", got, want)
		}
		if !nodeVisible(t, h, editor, projectID(h, "main-street-plan")) {
			t.Fatalf("the editor's unlimited token does not see main-street-plan")
		}
		if nodeVisible(t, h, c.Secret, projectID(h, "main-street-plan")) {
			t.Errorf("the limited token sees main-street-plan through node")
		}
	})

	t.Run("rotation", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "To rotate"})
		r := rotateToken(h, editor, c.Token.ID)
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "not valid")
		var who struct {
			Viewer struct{ Token struct{ ID, Prefix string } }
		}
		h.MustDo(r.Secret, `{ viewer { token { id prefix } } }`, nil, &who)
		if who.Viewer.Token.ID != c.Token.ID {
			t.Errorf("the new secret authenticates token %s, want the same token %s", who.Viewer.Token.ID, c.Token.ID)
		}
		if r.Token.Prefix == c.Token.Prefix || r.Token.Prefix != token.Display(r.Secret) || who.Viewer.Token.Prefix != r.Token.Prefix {
			t.Errorf("prefix: before %q, after %q (queried %q), want a new one, %q", c.Token.Prefix, r.Token.Prefix, who.Viewer.Token.Prefix, token.Display(r.Secret))
		}
		if r.Token.Name != "To rotate" {
			t.Errorf("rotation changed the name to %q", r.Token.Name)
		}
	})

	t.Run("revocation is immediate and idempotent", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "To revoke"})
		h.MustDo(c.Secret, `{ viewer { user { id } } }`, nil, nil)
		const revoke = `mutation($id: ID!) { revokeAPIToken(id: $id) { id revokedAt } }`
		var first, again struct {
			RevokeAPIToken struct{ RevokedAt *time.Time }
		}
		h.MustDo(editor, revoke, map[string]any{"id": c.Token.ID}, &first)
		if first.RevokeAPIToken.RevokedAt == nil {
			t.Fatalf("revokedAt is null after revokeAPIToken")
		}
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "revoked")
		h.MustDo(editor, revoke, map[string]any{"id": c.Token.ID}, &again)
		if again.RevokeAPIToken.RevokedAt == nil || !again.RevokeAPIToken.RevokedAt.Equal(*first.RevokeAPIToken.RevokedAt) {
			t.Errorf("revoking again: revokedAt %v, want unchanged %v", again.RevokeAPIToken.RevokedAt, first.RevokeAPIToken.RevokedAt)
		}
		n := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(c.Token.ID), auditevent.ActionEQ(auditevent.ActionTOKEN_REVOKED)).CountX(testdb.System())
		if n != 1 {
			t.Errorf("TOKEN_REVOKED events: got %d, want 1", n)
		}
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "revoked")
	})

	t.Run("a revoked token cannot be rotated back to life", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Revoked, then rotated"})
		h.MustDo(editor, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": c.Token.ID}, nil)
		resp := h.Do(editor, rotateMutation, map[string]any{"id": c.Token.ID})
		checkRefused(t, resp, "BAD_USER_INPUT", "revoked")
		if tok := h.DB.Ent.APIToken.GetX(testdb.System(), c.Token.ID); tok.Prefix != c.Token.Prefix {
			t.Errorf("the refused rotation changed the prefix from %q to %q", c.Token.Prefix, tok.Prefix)
		}
	})

	t.Run("rename", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Old name"})
		var out struct{ RenameAPIToken struct{ Name string } }
		h.MustDo(editor, `mutation($id: ID!) { renameAPIToken(id: $id, name: " New name ") { name } }`, map[string]any{"id": c.Token.ID}, &out)
		var read struct{ Node struct{ Name string } }
		h.MustDo(editor, `query($id: ID!) { node(id: $id) { ... on APIToken { name } } }`, map[string]any{"id": c.Token.ID}, &read)
		if out.RenameAPIToken.Name != "New name" || read.Node.Name != "New name" {
			t.Errorf("name: mutation returned %q, node reads %q; want %q", out.RenameAPIToken.Name, read.Node.Name, "New name")
		}
		h.MustDo(c.Secret, `{ viewer { user { id } } }`, nil, nil) // renaming does not stop it
		resp := h.Do(editor, `mutation($id: ID!) { renameAPIToken(id: $id, name: "  ") { name } }`, map[string]any{"id": c.Token.ID})
		checkRefused(t, resp, "BAD_USER_INPUT", "name")
	})
}

// TestOwnerChangesTakeEffectOnNextRequest: a token acts with its owner's
// rights as they are at each request.
func TestOwnerChangesTakeEffectOnNextRequest(t *testing.T) {
	t.Run("deactivation and API access", func(t *testing.T) {
		h := apitest.New(t)
		admin := h.Admin()
		staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
		secret := h.Mint(token.Spec{OwnerID: staff.ID, Name: "export"})
		const who = `{ viewer { user { id } } }`
		update := func(input map[string]any) {
			t.Helper()
			h.MustDo(admin, `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }`,
				map[string]any{"id": staff.ID, "input": input}, nil)
		}
		h.MustDo(secret, who, nil, nil)
		update(map[string]any{"active": false})
		checkUnauthenticated(t, h.DoRaw(secret, who, nil), "deactivated")
		update(map[string]any{"active": true})
		h.MustDo(secret, who, nil, nil)
		update(map[string]any{"apiAccess": false})
		checkUnauthenticated(t, h.DoRaw(secret, who, nil), "API access")
		update(map[string]any{"apiAccess": true})
		h.MustDo(secret, who, nil, nil)
		// Promoted to ADMIN, API access no longer matters.
		update(map[string]any{"apiAccess": false, "role": "ADMIN"})
		h.MustDo(secret, who, nil, nil)
	})

	h := apitest.New(t)
	tokens := h.Demo()
	admin, editor, viewer := tokens["admin"], tokens["editor"], tokens["viewer"]
	ctx := testdb.System()

	t.Run("demotion and removal from a team", func(t *testing.T) {
		editorID := userID(h, "editor@demo.engage.test")
		membership := h.DB.Ent.TeamMembership.Query().Where(teammembership.UserID(editorID)).OnlyX(ctx)
		planning := h.DB.Ent.Team.GetX(ctx, membership.TeamID)
		if planning.Name != "Planning" || planning.Restricted || membership.Role != "EDITOR" {
			t.Fatalf("the editor persona should be EDITOR of the open Planning team, is %s of %s", membership.Role, planning.Name)
		}
		draft := h.DB.Ent.Survey.Query().Where(survey.StatusEQ(survey.StatusDRAFT), survey.HasProjectWith(project.TeamID(planning.ID))).FirstX(ctx)
		slug := h.DB.Ent.Project.GetX(ctx, draft.ProjectID).Slug
		all := h.DB.Ent.Survey.Query().Where(survey.ProjectID(draft.ProjectID)).CountX(ctx)
		published := h.DB.Ent.Survey.Query().Where(survey.ProjectID(draft.ProjectID), survey.StatusNEQ(survey.StatusDRAFT)).CountX(ctx)
		surveyCount := func() int {
			var out struct {
				Projects struct {
					Edges []struct {
						Node struct{ Surveys struct{ TotalCount int } }
					}
				}
			}
			h.MustDo(editor, `query($slug: String!) { projects(where: {slug: $slug}) { edges { node { surveys { totalCount } } } } }`, map[string]any{"slug": slug}, &out)
			if len(out.Projects.Edges) != 1 {
				t.Fatalf("project %s: got %d, want 1", slug, len(out.Projects.Edges))
			}
			return out.Projects.Edges[0].Node.Surveys.TotalCount
		}
		open := openSlugs(h)

		if !nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("as EDITOR of %s, the editor does not see its draft survey %q", planning.Name, draft.Title)
		}
		if got := surveyCount(); got != all {
			t.Errorf("as EDITOR, surveys of %s: got %d, want %d", slug, got, all)
		}

		h.MustDo(admin, `mutation($id: ID!) { updateTeamMembership(id: $id, input: {role: VIEWER}) { role } }`, map[string]any{"id": membership.ID}, nil)
		if nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("demoted to VIEWER, the editor still sees the draft survey %q", draft.Title)
		}
		if got := surveyCount(); got != published {
			t.Errorf("demoted to VIEWER, surveys of %s: got %d, want %d", slug, got, published)
		}

		h.MustDo(admin, `mutation($id: ID!) { deleteTeamMembership(id: $id) }`, map[string]any{"id": membership.ID}, nil)
		if got := projectSlugs(t, h, editor); !slices.Equal(got, open) {
			t.Errorf("out of the team, the editor sees projects %q, want the open-team and teamless ones %q", got, open)
		}
		if nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("out of the team, the editor still sees the draft survey %q", draft.Title)
		}
	})

	t.Run("removal from a project of a restricted team", func(t *testing.T) {
		viewerID := userID(h, "viewer@demo.engage.test")
		membership := h.DB.Ent.ProjectMembership.Query().Where(projectmembership.UserID(viewerID)).OnlyX(ctx)
		p := h.DB.Ent.Project.GetX(ctx, membership.ProjectID)
		if p.TeamID == nil || !h.DB.Ent.Team.GetX(ctx, *p.TeamID).Restricted {
			t.Fatalf("the viewer persona's project %s should belong to a restricted team", p.Slug)
		}
		open := openSlugs(h)
		if got := projectSlugs(t, h, viewer); !slices.Contains(got, p.Slug) {
			t.Fatalf("as a member, the viewer does not see %s: %q", p.Slug, got)
		}
		if !nodeVisible(t, h, viewer, p.ID) {
			t.Fatalf("as a member, the viewer does not see %s through node", p.Slug)
		}
		h.MustDo(admin, `mutation($id: ID!) { deleteProjectMembership(id: $id) }`, map[string]any{"id": membership.ID}, nil)
		if got := projectSlugs(t, h, viewer); !slices.Equal(got, open) {
			t.Errorf("no longer a member, the viewer sees projects %q, want %q", got, open)
		}
		if nodeVisible(t, h, viewer, p.ID) {
			t.Errorf("no longer a member, the viewer still sees %s through node", p.Slug)
		}
	})
}

// TestWhoMayMint: only ADMINs and STAFF with API access mint, and a token
// minted or rotated through a token never exceeds it.
func TestWhoMayMint(t *testing.T) {
	w := newMintWorld(t)
	t.Run("STAFF without API access", w.checkStaffWithoutAPIAccess)
	t.Run("a project-limited token", w.checkProjectLimitedToken)
	t.Run("a token with an expiry", w.checkExpiringToken)
	t.Run("a read-only token mints nothing", w.checkReadOnlyToken)
	t.Run("rotating a wider token through a narrower one", w.checkRotationThroughNarrowerToken)
	t.Run("100 live tokens per user", w.checkLiveTokenLimit)
	t.Run("maximum lifetime", checkMaximumLifetime)
}

// mintWorld is TestWhoMayMint's: an administrator, a STAFF user with API
// access, and the published projects alpha, bravo and charlie.
type mintWorld struct {
	h       *apitest.Server
	adminID string
	staff   *ent.User
	a, b, c string // the projects' IDs
}

func newMintWorld(t *testing.T) *mintWorld {
	h := apitest.New(t)
	h.Admin()
	w := &mintWorld{h: h, adminID: userID(h, apitest.AdminEmail)}
	var projects []string
	for _, slug := range []string{"alpha", "bravo", "charlie"} {
		projects = append(projects, h.DB.Ent.Project.Create().SetTitle(slug).SetSlug(slug).SetStatus(project.StatusPUBLISHED).SaveX(testdb.System()).ID)
	}
	w.a, w.b, w.c = projects[0], projects[1], projects[2]
	w.staff = h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	return w
}

// staffTokens counts the tokens of the STAFF user.
func (w *mintWorld) staffTokens() int {
	return w.h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(w.staff.ID)).CountX(testdb.System())
}

// checkStaffWithoutAPIAccess: a STAFF user without API access mints no
// token through a login session, until given API access.
func (w *mintWorld) checkStaffWithoutAPIAccess(t *testing.T) {
	h, ctx := w.h, testdb.System()
	const pw = "correct horse battery staple"
	plain := h.NewUser("plain@example.test", user.RoleSTAFF, false, true)
	h.SetPassword(plain.ID, pw)
	cookie := h.Login("plain@example.test", pw)
	resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", createMutation, map[string]any{"input": map[string]any{"name": "Mine"}}))
	checkRefused(t, resp.GraphQL(t), "FORBIDDEN", "API access")
	if n := h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(plain.ID)).CountX(ctx); n != 0 {
		t.Errorf("the refused user has %d tokens", n)
	}
	// Once given API access, the same session mints.
	plain.Update().SetAPIAccess(true).ExecX(ctx)
	resp = h.Serve(apitest.SessionRequest(cookie, "same-origin", createMutation, map[string]any{"input": map[string]any{"name": "Mine"}}))
	if g := resp.GraphQL(t); resp.Status != http.StatusOK || len(g.Errors) > 0 {
		t.Errorf("with API access: got status %d, errors %+v; want a token", resp.Status, g.Errors)
	}
}

// checkProjectLimitedToken: a project-limited token mints only tokens
// limited to some of its projects, and answers a project outside its list
// exactly as one that does not exist.
func (w *mintWorld) checkProjectLimitedToken(t *testing.T) {
	h, ctx, staff := w.h, testdb.System(), w.staff
	a, b, c := w.a, w.b, w.c
	limited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "A and B", ProjectIDs: []string{a, b}})
	missing := "prj_" + strings.Repeat("A", 22)
	// A project outside the token's list is hidden from the token, so it
	// may be answered as hidden (NOT_FOUND) or as refused (FORBIDDEN),
	// but exactly as a project that does not exist: no hint that it does.
	outside := h.Do(limited, createMutation, map[string]any{"input": map[string]any{"name": "missing", "projectIDs": []string{missing}}})
	if codes := outside.Codes(); !reflect.DeepEqual(codes, []string{"FORBIDDEN"}) && !reflect.DeepEqual(codes, []string{"NOT_FOUND"}) {
		t.Fatalf("minting for a project that does not exist: got %+v, want FORBIDDEN or NOT_FOUND", outside.Errors)
	}
	cases := []struct {
		name     string
		projects []string
		want     string // "ok", "FORBIDDEN", or "as missing": the answer for a project that does not exist
	}{
		{"no projectIDs", nil, "FORBIDDEN"},
		{"a project outside its list", []string{c}, "as missing"},
		{"one project inside, one outside", []string{a, c}, "as missing"},
		{"a subset", []string{a}, "ok"},
		{"the same projects", []string{a, b}, "ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := map[string]any{"name": tc.name}
			if tc.projects != nil {
				input["projectIDs"] = tc.projects
			}
			before := w.staffTokens()
			resp := h.Do(limited, createMutation, map[string]any{"input": input})
			if tc.want != "ok" {
				switch tc.want {
				case "FORBIDDEN":
					checkRefused(t, resp, "FORBIDDEN", "project")
				default:
					got, want := resp.Errors, outside.Errors
					if len(got) != 1 || len(want) != 1 || got[0].Message != want[0].Message || !reflect.DeepEqual(got[0].Extensions, want[0].Extensions) {
						t.Errorf("got %+v, want the same answer as for a project that does not exist: %+v", got, want)
					}
				}
				if n := w.staffTokens(); n != before {
					t.Errorf("the refused mint stored a token: %d tokens, were %d", n, before)
				}
				return
			}
			if len(resp.Errors) > 0 {
				t.Fatalf("got errors %+v, want a token", resp.Errors)
			}
			var out struct{ CreateAPIToken tokenWithSecret }
			_ = json.Unmarshal(resp.Data, &out)
			want := make([]string, 0, len(tc.projects))
			for _, id := range tc.projects {
				want = append(want, h.DB.Ent.Project.GetX(ctx, id).Slug)
			}
			slices.Sort(want)
			if got := projectSlugs(t, h, out.CreateAPIToken.Secret); !slices.Equal(got, want) {
				t.Errorf("the new token sees %q, want %q", got, want)
			}
		})
	}
	// The limit is the token's, not the owner's: without it, C is fine.
	unlimited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "every project"})
	createToken(h, unlimited, map[string]any{"name": "C", "projectIDs": []string{c}})
}

// checkExpiringToken: a token with an expiry mints only tokens that
// expire no later.
func (w *mintWorld) checkExpiringToken(t *testing.T) {
	h := w.h
	for _, owner := range []struct{ name, id string }{{"STAFF", w.staff.ID}, {"ADMIN", w.adminID}} {
		t.Run(owner.name, func(t *testing.T) {
			expires := time.Now().Add(2 * time.Hour).Truncate(time.Second)
			parent := h.Mint(token.Spec{OwnerID: owner.id, Name: "expiring", ExpiresAt: &expires})
			cases := []struct {
				name    string
				expires *time.Time
				ok      bool
			}{
				{"without expiresAt", nil, false},
				{"with a later expiresAt", ptr(expires.Add(time.Hour)), false},
				{"with an earlier expiresAt", ptr(expires.Add(-time.Hour)), true},
				{"with the same expiresAt", &expires, true},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					input := map[string]any{"name": tc.name}
					if tc.expires != nil {
						input["expiresAt"] = tc.expires.UTC().Format(time.RFC3339)
					}
					resp := h.Do(parent, createMutation, map[string]any{"input": input})
					if !tc.ok {
						checkRefused(t, resp, "FORBIDDEN", "expire")
						return
					}
					var out struct{ CreateAPIToken tokenWithSecret }
					if len(resp.Errors) > 0 || json.Unmarshal(resp.Data, &out) != nil {
						t.Fatalf("got errors %+v, want a token", resp.Errors)
					}
					if got := out.CreateAPIToken.Token.ExpiresAt; got == nil || !got.Equal(*tc.expires) {
						t.Errorf("expiresAt: got %v, want %v", got, *tc.expires)
					}
				})
			}
		})
	}
}

// checkReadOnlyToken: a read-only token mints nothing.
func (w *mintWorld) checkReadOnlyToken(t *testing.T) {
	h, staff := w.h, w.staff
	readOnly := h.Mint(token.Spec{OwnerID: staff.ID, Name: "read only", ReadOnly: true})
	for _, input := range []map[string]any{{"name": "writer"}, {"name": "reader", "readOnly": true}} {
		checkRefused(t, h.Do(readOnly, createMutation, map[string]any{"input": input}), "FORBIDDEN", "read-only")
	}
}

// checkRotationThroughNarrowerToken: a token rotates only tokens within
// its own limits.
func (w *mintWorld) checkRotationThroughNarrowerToken(t *testing.T) {
	h, staff := w.h, w.staff
	a, b := w.a, w.b
	unlimitedTok, unlimited := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "every project"})
	limited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "A and B", ProjectIDs: []string{a, b}})
	checkRefused(t, h.Do(limited, rotateMutation, map[string]any{"id": unlimitedTok.ID}), "FORBIDDEN", "project")
	expires := time.Now().Add(time.Hour)
	expiring := h.Mint(token.Spec{OwnerID: staff.ID, Name: "expiring", ExpiresAt: &expires})
	checkRefused(t, h.Do(expiring, rotateMutation, map[string]any{"id": unlimitedTok.ID}), "FORBIDDEN", "expire")
	h.MustDo(unlimited, `{ viewer { user { id } } }`, nil, nil) // not rotated
	// A token within the limits may be rotated.
	narrowTok, _ := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "A", ProjectIDs: []string{a}})
	rotateToken(h, limited, narrowTok.ID)
}

// checkLiveTokenLimit: a user has at most 100 live tokens; revoked and
// expired ones do not count.
func (w *mintWorld) checkLiveTokenLimit(t *testing.T) {
	h, ctx := w.h, testdb.System()
	for _, owner := range []struct{ name, email string }{{"STAFF", "hundred@example.test"}, {"ADMIN", "hundred-admin@example.test"}} {
		t.Run(owner.name, func(t *testing.T) {
			role := user.RoleSTAFF
			if owner.name == "ADMIN" {
				role = user.RoleADMIN
			}
			u := h.NewUser(owner.email, role, true, true)
			caller := h.Mint(token.Spec{OwnerID: u.ID, Name: "caller"})
			var others []string
			for i := range rule.MaxActiveTokens - 1 {
				tok, _ := storeToken(h, u.ID, fmt.Sprintf("token %d", i), nil)
				others = append(others, tok.ID)
			}
			// Revoked and expired tokens do not count.
			for i := range 3 {
				tok, _ := storeToken(h, u.ID, fmt.Sprintf("revoked %d", i), nil)
				tok.Update().SetRevokedAt(time.Now()).ExecX(ctx)
				storeToken(h, u.ID, fmt.Sprintf("expired %d", i), ptr(time.Now().Add(-time.Minute)))
			}
			live := func() int {
				return h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(u.ID), rule.Live(time.Now())).CountX(ctx)
			}
			if n := live(); n != 100 {
				t.Fatalf("set-up: %d live tokens, want 100", n)
			}
			checkRefused(t, h.Do(caller, createMutation, map[string]any{"input": map[string]any{"name": "one too many"}}), "FORBIDDEN", "100")
			if n := live(); n != 100 {
				t.Errorf("after the refusal: %d live tokens, want 100", n)
			}
			h.MustDo(caller, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": others[0]}, nil)
			createToken(h, caller, map[string]any{"name": "in place of the revoked one"})
			checkRefused(t, h.Do(caller, createMutation, map[string]any{"input": map[string]any{"name": "one too many"}}), "FORBIDDEN", "100")
			if n := live(); n != 100 {
				t.Errorf("at the end: %d live tokens, want 100", n)
			}
		})
	}
}

// checkMaximumLifetime: with a maximum token lifetime, tokens minted
// without an expiry get it, and longer ones are refused.
func checkMaximumLifetime(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.TokenMaxLifetime = 24 * time.Hour }})
	admin := h.Admin()
	adminID := userID(h, apitest.AdminEmail)
	count := func() int { return h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(adminID)).CountX(testdb.System()) }

	before := time.Now()
	c := createToken(h, admin, map[string]any{"name": "default lifetime"})
	after := time.Now()
	if got := c.Token.ExpiresAt; got == nil || got.Before(before.Truncate(time.Second)) || got.After(after.Add(24*time.Hour+time.Minute)) {
		t.Errorf("expiresAt without one asked: got %v, want between %v and %v", got, before, after.Add(24*time.Hour+time.Minute))
	}
	within := time.Now().Add(12 * time.Hour).Truncate(time.Second)
	if got := createToken(h, admin, map[string]any{"name": "12 hours", "expiresAt": within.Format(time.RFC3339)}).Token.ExpiresAt; got == nil || !got.Equal(within) {
		t.Errorf("expiresAt within the limit: got %v, want %v", got, within)
	}
	n := count()
	for _, tc := range []struct {
		name    string
		expires time.Time
		message string
	}{
		{"beyond the limit", time.Now().Add(48 * time.Hour), "lifetime"},
		{"in the past", time.Now().Add(-time.Hour), "future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.Do(admin, createMutation, map[string]any{"input": map[string]any{"name": tc.name, "expiresAt": tc.expires.Format(time.RFC3339)}})
			checkRefused(t, resp, "BAD_USER_INPUT", tc.message)
		})
	}
	if got := count(); got != n {
		t.Errorf("the refused requests stored %d tokens", got-n)
	}
}
