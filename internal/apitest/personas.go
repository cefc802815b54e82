package apitest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"engage/demo"
	"engage/ent"
	"engage/ent/user"
	"engage/password"
	"engage/role"
	"engage/session"
	"engage/testdb"
	"engage/token"
)

// The personas are made behind the API's back, with the system context:
// users with their roles and memberships, their tokens (read-only or
// limited to projects through token.Spec), and login sessions.

// AdminEmail is the email of the administrator Admin creates.
const AdminEmail = "root@example.test"

// Admin creates an administrator and returns the secret of a token of
// theirs. Call it once per Server.
func (s *Server) Admin() string {
	s.t.Helper()
	u := s.NewUser(AdminEmail, user.RoleADMIN, false, true)
	return s.Mint(token.Spec{OwnerID: u.ID, Name: "test"})
}

// NewUser creates a user named as their email.
func (s *Server) NewUser(email string, r user.Role, apiAccess, active bool) *ent.User {
	s.t.Helper()
	return s.DB.Ent.User.Create().SetEmail(email).SetName(email).SetRole(r).
		SetAPIAccess(apiAccess).SetActive(active).SaveX(testdb.System())
}

// Membership is a role in a team or in a project: set TeamID or ProjectID.
type Membership struct {
	TeamID, ProjectID string
	Role              role.Role
}

// Staff creates an active STAFF user with API access and the given
// memberships.
func (s *Server) Staff(email string, memberships ...Membership) *ent.User {
	s.t.Helper()
	u := s.NewUser(email, user.RoleSTAFF, true, true)
	ctx, c := testdb.System(), s.DB.Ent
	for _, m := range memberships {
		if m.TeamID != "" {
			c.TeamMembership.Create().SetTeamID(m.TeamID).SetUserID(u.ID).SetRole(m.Role).SaveX(ctx)
		}
		if m.ProjectID != "" {
			c.ProjectMembership.Create().SetProjectID(m.ProjectID).SetUserID(u.ID).SetRole(m.Role).SaveX(ctx)
		}
	}
	return u
}

// Mint creates a token as token.Mint does and returns its secret.
func (s *Server) Mint(spec token.Spec) string {
	s.t.Helper()
	_, secret := s.MintToken(spec)
	return secret
}

// MintToken is Mint that also returns the token.
func (s *Server) MintToken(spec token.Spec) (*ent.APIToken, string) {
	s.t.Helper()
	tok, secret, err := token.Mint(testdb.System(), s.DB.Ent, spec, token.Actor{})
	if err != nil {
		s.t.Fatalf("minting a token: %v", err)
	}
	return tok, secret
}

// Demo loads the demo data set and returns a token secret of each of its
// personas by key (admin, editor, viewer, moderator).
func (s *Server) Demo() map[string]string {
	s.t.Helper()
	personas, err := demo.Load(testdb.System(), s.DB.Ent)
	if err != nil {
		s.t.Fatalf("loading demo data: %v", err)
	}
	tokens := map[string]string{}
	for _, p := range personas {
		tokens[p.Key] = s.Mint(token.Spec{OwnerID: p.UserID, Name: "test"})
	}
	return tokens
}

// SetPassword gives a user a password to log in with.
func (s *Server) SetPassword(userID, pw string) {
	s.t.Helper()
	hash, err := password.Hash(pw)
	if err != nil {
		s.t.Fatalf("hashing a password: %v", err)
	}
	s.DB.Ent.User.UpdateOneID(userID).SetPasswordHash(hash).ExecX(testdb.System())
}

// Login logs in through POST /login, as a browser on the same site does,
// and returns the session cookie. It fails the test unless the login
// redirects to the page it was asked for with an HttpOnly cookie.
func (s *Server) Login(email, pw string) *http.Cookie {
	s.t.Helper()
	form := url.Values{"email": {email}, "password": {pw}, "next": {"/docs/api"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp := s.Serve(req)
	if resp.Status != http.StatusSeeOther {
		s.t.Fatalf("POST /login as %s: got status %d, want 303\n%s", email, resp.Status, resp.Body)
	}
	if got := resp.Header.Get("Location"); got != "/docs/api" {
		s.t.Errorf("POST /login redirects to %q, want the next path /docs/api", got)
	}
	for _, c := range resp.Cookies {
		if c.Name == session.CookieName && c.Value != "" {
			if !c.HttpOnly {
				s.t.Errorf("the session cookie is not HttpOnly")
			}
			return c
		}
	}
	s.t.Fatalf("POST /login set no %s cookie; cookies: %v", session.CookieName, resp.Cookies)
	return nil
}

// SessionRequest is a POST /graphql with a session cookie, as a browser
// sends it from a page of the given site ("same-origin", "cross-site").
func SessionRequest(cookie *http.Cookie, site, query string, vars map[string]any) *http.Request {
	req := GraphQLRequest(query, vars)
	req.AddCookie(cookie)
	req.Header.Set("Sec-Fetch-Site", site)
	return req
}
