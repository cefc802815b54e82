package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"engage/config"
	"engage/ent"
	"engage/internal/apitest"
	"engage/password"
	"engage/session"
	"engage/testdb"
	"engage/token"
)

// site is the whole handler of the server on a fresh database.
type site struct {
	t       *testing.T
	client  *ent.Client
	handler http.Handler
}

const goodPassword = "correct horse battery staple"

func newSite(t *testing.T, configure func(*config.Config)) *site {
	t.Helper()
	srv := apitest.NewWith(t, apitest.Options{Configure: configure})
	return &site{t: t, client: srv.DB.Ent, handler: srv.Handler}
}

// admin creates an administrator who may sign in with goodPassword, and
// returns their ID and the secret of a token of theirs.
func (s *site) admin(email string) (id, secret string) {
	s.t.Helper()
	hash, err := password.Hash(goodPassword)
	if err != nil {
		s.t.Fatal(err)
	}
	u := s.client.User.Create().SetEmail(email).SetName("Admin").SetRole("ADMIN").SetPasswordHash(hash).SaveX(testdb.System())
	_, secret, err = token.Mint(testdb.System(), s.client, token.Spec{OwnerID: u.ID, Name: "test"}, token.Actor{})
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID, secret
}

// request describes one request to the site; a form is posted.
type request struct {
	method, path string
	form         url.Values
	body         string // a JSON body, when there is no form
	cookie       *http.Cookie
	header       map[string]string
	peer         string // the connection's address, host:port
}

func (s *site) do(req request) *httptest.ResponseRecorder {
	s.t.Helper()
	var body io.Reader
	switch {
	case req.form != nil:
		body = strings.NewReader(req.form.Encode())
	case req.body != "":
		body = strings.NewReader(req.body)
	}
	r := httptest.NewRequest(req.method, req.path, body)
	switch {
	case req.form != nil:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case req.body != "":
		r.Header.Set("Content-Type", "application/json")
	}
	if req.peer != "" {
		r.RemoteAddr = req.peer
	}
	if req.cookie != nil {
		r.AddCookie(req.cookie)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return w
}

// sameOrigin is what a browser sends with a form posted from the site itself.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// login signs email in with goodPassword and returns the session cookie.
func (s *site) login(email string) *http.Cookie {
	s.t.Helper()
	w := s.do(request{method: http.MethodPost, path: "/login", header: sameOrigin,
		form: url.Values{"email": {email}, "password": {goodPassword}}})
	if c := sessionCookie(w); c != nil && w.Code == http.StatusSeeOther {
		return c
	}
	s.t.Fatalf("login as %s: got %d and no session cookie", email, w.Code)
	return nil
}

// sessionCookie returns the session cookie that w sets, or nil.
func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	return nil
}

// whoami returns the ID of the user whom cookie's session signs in, or ""
// when the API refuses the session.
func (s *site) whoami(cookie *http.Cookie) string {
	s.t.Helper()
	w := s.do(request{method: http.MethodGet, path: "/graphql?query=" + url.QueryEscape("{ viewer { user { id } } }"), cookie: cookie})
	var resp struct {
		Data struct {
			Viewer struct{ User struct{ ID string } }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		s.t.Fatalf("GET /graphql: got %d and no JSON: %s", w.Code, w.Body)
	}
	return resp.Data.Viewer.User.ID
}
