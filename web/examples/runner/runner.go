// Package runner runs the example library of package examples against an
// Engage API handler on freshly loaded demo data, as the demo administrator
// signed in with a login session, as the /docs/api page runs queries by
// default. The examples' test and the record command share it.
package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"engage/demo"
	"engage/ent"
	"engage/password"
	"engage/rule"
	"engage/session"
	"engage/web/examples"
)

// fixtureToken is the token that "Setup: token" mints before an example.
const fixtureToken = `mutation Setup {
  createAPIToken(input: {name: "Nightly export", readOnly: true}) { token { id } }
}`

// Env is an API handler with the demo data loaded and the demo
// administrator signed in.
type Env struct {
	handler http.Handler
	client  *ent.Client
	cookie  *http.Cookie
}

// Setup loads the demo data set through client into the empty database that
// handler serves, gives the demo administrator a random password and signs
// them in through POST /login.
func Setup(ctx context.Context, handler http.Handler, client *ent.Client) (*Env, error) {
	personas, err := demo.Load(ctx, client)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(personas, func(p demo.Persona) bool { return p.Key == "admin" })
	if i < 0 {
		return nil, errors.New("the demo data has no admin persona")
	}
	admin := personas[i]
	pw := rand.Text()
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, err
	}
	if err := client.User.UpdateOneID(admin.UserID).SetPasswordHash(hash).Exec(rule.System(ctx)); err != nil {
		return nil, fmt.Errorf("setting the admin's password: %w", err)
	}
	form := url.Values{"email": {admin.Email}, "password": {pw}, "next": {"/docs/api"}}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName && c.Value != "" {
			return &Env{handler: handler, client: client, cookie: c}, nil
		}
	}
	return nil, fmt.Errorf("signing in as %s: got status %d and no session cookie", admin.Email, rec.Code)
}

// Order returns exs with every query before every mutation, each group in
// area and name order. Queries then see the demo data as loaded, and each
// mutation only changes an object that no other example shows.
func Order(exs []examples.Example) []examples.Example {
	out := slices.Clone(exs)
	slices.SortStableFunc(out, func(a, b examples.Example) int {
		switch {
		case a.Mutation == b.Mutation:
			return strings.Compare(a.Key(), b.Key())
		case a.Mutation:
			return 1
		default:
			return -1
		}
	})
	return out
}

// Run runs ex and returns its response. Every API token and audit event is
// deleted first, so that token examples see only what they make; a "Setup:
// token" example then gets its token. It fails when the request fails or
// the response has errors.
func (e *Env) Run(ctx context.Context, ex examples.Example) ([]byte, error) {
	if err := e.reset(ctx); err != nil {
		return nil, err
	}
	vars := ex.Variables
	if ex.Setup == examples.SetupToken {
		out, err := e.do(ctx, fixtureToken, nil)
		if err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		var setup struct {
			Data struct {
				CreateAPIToken struct{ Token struct{ ID string } }
			}
		}
		if err := json.Unmarshal(out, &setup); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		id := setup.Data.CreateAPIToken.Token.ID
		vars = bytes.ReplaceAll(vars, []byte(`"`+examples.TokenPlaceholder+`"`), []byte(strconv.Quote(id)))
	}
	return e.do(ctx, ex.Operation, vars)
}

// reset deletes every API token and audit event.
func (e *Env) reset(ctx context.Context) error {
	sys := rule.System(ctx)
	if _, err := e.client.AuditEvent.Delete().Exec(sys); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if _, err := e.client.APIToken.Delete().Exec(sys); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

// do posts an operation to /graphql with the admin's session.
func (e *Env) do(ctx context.Context, query string, vars json.RawMessage) ([]byte, error) {
	body, err := json.Marshal(struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables,omitempty"`
	}{query, vars})
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(e.cookie)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	out := rec.Body.Bytes()
	var resp struct {
		Errors []json.RawMessage `json:"errors"`
	}
	switch err := json.Unmarshal(out, &resp); {
	case rec.Code != http.StatusOK:
		return out, fmt.Errorf("got HTTP %d: %s", rec.Code, out)
	case err != nil:
		return out, fmt.Errorf("the response is not JSON: %w", err)
	case len(resp.Errors) > 0:
		return out, fmt.Errorf("got errors: %s", out)
	}
	return out, nil
}
