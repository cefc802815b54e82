package server_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestCSRF checks the protection against cross-site forgery in front of
// every route: the pages' forms and /graphql alike.
func TestCSRF(t *testing.T) {
	s := newSite(t, nil)
	id, _ := s.admin("ada@example.org")
	c := s.login("ada@example.org")
	if got := s.whoami(c); got != id {
		t.Fatalf("the session resolves to %q, want %q", got, id)
	}

	const query = `{"query": "mutation { revokeAPIToken(id: \"tok_x\") { id } }"}`
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"foreign Origin, old browser", map[string]string{"Origin": "https://evil.example"}},
		{"cross-site with a bearer token too", map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if w := s.do(request{method: http.MethodPost, path: "/logout", cookie: c, header: tc.header}); w.Code != http.StatusForbidden {
				t.Errorf("POST /logout: got %d, want 403", w.Code)
			}
			if w := s.do(request{method: http.MethodPost, path: "/graphql", body: query, cookie: c, header: tc.header}); w.Code != http.StatusForbidden {
				t.Errorf("POST /graphql with the session: got %d, want 403", w.Code)
			}
			if got := s.whoami(c); got != id {
				t.Errorf("the session resolves to %q after a refused logout, want %q", got, id)
			}
		})
	}

	// Login CSRF: a cross-site form cannot sign the visitor in.
	w := s.do(request{method: http.MethodPost, path: "/login", header: map[string]string{"Sec-Fetch-Site": "cross-site"},
		form: url.Values{"email": {"ada@example.org"}, "password": {goodPassword}}})
	if w.Code != http.StatusForbidden || sessionCookie(w) != nil {
		t.Errorf("cross-site login: got %d, cookie %v; want 403 and none", w.Code, sessionCookie(w))
	}

	// A bearer token without a session cookie cannot be forged, and a
	// request without credentials acts as no one: both reach the API, whose
	// 401 browser code on an allowed origin can read.
	for name, header := range map[string]map[string]string{
		"a bearer token":    {"Authorization": "Bearer x", "Sec-Fetch-Site": "cross-site"},
		"no credentials":    {"Sec-Fetch-Site": "cross-site"},
		"no Sec-Fetch-Site": {"Origin": "https://evil.example"},
	} {
		if w := s.do(request{method: http.MethodPost, path: "/graphql", body: query, header: header}); w.Code != http.StatusUnauthorized {
			t.Errorf("%s, cross-site: got %d, want the API's 401", name, w.Code)
		}
	}
	// Other credentials are checked.
	w = s.do(request{method: http.MethodPost, path: "/graphql", body: query, header: map[string]string{"Authorization": "Basic eDp5", "Sec-Fetch-Site": "cross-site"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("basic-auth cross-site request: got %d, want 403", w.Code)
	}

	// Same-origin requests pass, also from an old browser with a matching Origin.
	w = s.do(request{method: http.MethodPost, path: "/graphql", body: `{"query": "{ viewer { user { id } } }"}`, cookie: c, header: map[string]string{"Origin": "http://example.com"}})
	if w.Code != http.StatusOK {
		t.Errorf("same Origin, no Sec-Fetch-Site: got %d, want 200", w.Code)
	}
	w = s.do(request{method: http.MethodPost, path: "/logout", cookie: c, header: sameOrigin})
	if w.Code != http.StatusSeeOther {
		t.Errorf("same-origin logout: got %d, want 303", w.Code)
	}
	if got := s.whoami(c); got != "" {
		t.Errorf("after a same-origin logout the session resolves to %q", got)
	}
}
