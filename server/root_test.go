package server_test

import (
	"net/http"
	"testing"
)

// TestRootLeadsToThePages: / is not a bare 404 but the way to the pages,
// through the login page for a visitor; other unknown paths stay 404s.
func TestRootLeadsToThePages(t *testing.T) {
	s := newSite(t, nil)
	for _, step := range []struct{ path, want string }{
		{"/", "/docs/api"},
		{"/docs/api", "/login?next=/docs/api"},
		{"/favicon.ico", "/static/favicon.svg"},
	} {
		w := s.do(request{method: http.MethodGet, path: step.path})
		if got := w.Header().Get("Location"); w.Code/100 != 3 || got != step.want {
			t.Errorf("GET %s: got %d to %q, want a redirect to %q", step.path, w.Code, got, step.want)
		}
	}
	if w := s.do(request{method: http.MethodGet, path: "/static/favicon.svg"}); w.Code != http.StatusOK {
		t.Errorf("GET /static/favicon.svg: got %d, want 200", w.Code)
	}

	s.admin("ada@example.test")
	cookie := s.login("ada@example.test")
	if w := s.do(request{method: http.MethodGet, path: "/", cookie: cookie}); w.Header().Get("Location") != "/docs/api" {
		t.Errorf("GET / signed in: got %d to %q, want a redirect to /docs/api", w.Code, w.Header().Get("Location"))
	}
	if w := s.do(request{method: http.MethodGet, path: "/no-such-page"}); w.Code != http.StatusNotFound {
		t.Errorf("GET /no-such-page: got %d, want 404", w.Code)
	}
}
