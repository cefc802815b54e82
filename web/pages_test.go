package web_test

import (
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"engage/config"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/user"
	"engage/password"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/usage"
)

// The pages query the API through its /graphql handler, so these tests run
// them behind the whole handler, built as in production.

type site struct {
	t       *testing.T
	client  *ent.Client
	handler http.Handler
}

const pw = "correct horse battery staple"

func newSite(t *testing.T) *site {
	t.Helper()
	db := testdb.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.New(server.Deps{
		DB: db, Config: config.Default(), Logger: logger,
		Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger),
	})
	return &site{t: t, client: db.Ent, handler: h}
}

// user creates a user with the login password pw and returns its ID.
func (s *site) user(email, name, role string, apiAccess bool) string {
	s.t.Helper()
	hash, err := password.Hash(pw)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.client.User.Create().SetEmail(email).SetName(name).SetRole(user.Role(role)).SetAPIAccess(apiAccess).
		SetPasswordHash(hash).SaveX(testdb.System()).ID
}

// login signs email in and returns the session cookie.
func (s *site) login(email string) *http.Cookie {
	s.t.Helper()
	rec := s.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {pw}}, nil)
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	s.t.Fatalf("login as %s: got status %d and no session cookie", email, rec.Code)
	return nil
}

// do sends a request as a browser on this site would: forms are posted
// same-origin.
func (s *site) do(method, path string, form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// graphql posts a query with a bearer token and returns the status.
func (s *site) graphql(secret, query string) (int, string) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

var noncePattern = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// formNonce opens page as cookie's user and returns the one-time nonce of
// its form.
func (s *site) formNonce(page string, cookie *http.Cookie) string {
	s.t.Helper()
	rec := s.do(http.MethodGet, page, nil, cookie)
	m := noncePattern.FindStringSubmatch(rec.Body.String())
	if m == nil {
		s.t.Fatalf("GET %s: got %d and no form nonce: %s", page, rec.Code, rec.Body)
	}
	return m[1]
}

// createToken posts the New token form, as typed in a fresh token page,
// and returns the answer; the expiry is 30 days unless form says.
func (s *site) createToken(cookie *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	form.Set("nonce", s.formNonce("/settings/api", cookie))
	if form.Get("expiry") == "" && !form.Has("expiry") {
		form.Set("expiry", "30")
	}
	return s.do(http.MethodPost, "/settings/api/tokens", form, cookie)
}

// newTestNonce is a nonce no page has issued, as good as any: a nonce only
// stops a form from acting twice.
func newTestNonce() string { return rand.Text() }

func TestPagesRedirectToLoginWhenSignedOut(t *testing.T) {
	s := newSite(t)
	for path, want := range map[string]string{
		"/docs/api":                           "/login?next=/docs/api",
		"/settings/api":                       "/login?next=/settings/api",
		"/settings/api?from=bookmark":         "/login?next=/settings/api%3Ffrom%3Dbookmark",
		"/settings/api/tokens/tok_abc/revoke": "/login?next=/settings/api/tokens/tok_abc/revoke",
	} {
		rec := s.do(http.MethodGet, path, nil, nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
			t.Errorf("GET %s signed out: got %d to %q, want 303 to %q", path, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	rec := s.do(http.MethodPost, "/settings/api/tokens", url.Values{"name": {"x"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=/settings/api" {
		t.Errorf("POST /settings/api/tokens signed out: got %d to %q, want 303 to the login page, then the token page", rec.Code, rec.Header().Get("Location"))
	}

	// A deactivated user's session counts as signed out.
	id := s.user("gone@example.test", "Gone", "ADMIN", true)
	cookie := s.login("gone@example.test")
	s.client.User.UpdateOneID(id).SetActive(false).ExecX(testdb.System())
	if rec := s.do(http.MethodGet, "/docs/api", nil, cookie); rec.Code != http.StatusSeeOther {
		t.Errorf("GET /docs/api as a deactivated user: got %d, want 303 to the login page", rec.Code)
	}
}

var (
	srcAttr    = regexp.MustCompile(`<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]*)"`)
	scriptTags = regexp.MustCompile(`<script\b([^>]*)>([\s\S]*?)</script>`)
)

func TestDocsPage(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	cookie := s.login("ada@example.test")
	rec := s.do(http.MethodGet, "/docs/api", nil, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /docs/api: got %d, want 200: %s", rec.Code, rec.Body)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	// data: images for the editor's error underline, and no more.
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "worker-src 'self'", "connect-src 'self'", "font-src 'self'",
		"img-src 'self' data:;", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q: want %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy %q allows eval or another host", csp)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	page := rec.Body.String()

	// Every asset is local, and served with its type.
	refs := srcAttr.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Errorf("the page references %d assets, want its script and stylesheets", len(refs))
	}
	for _, m := range refs {
		ref := html.UnescapeString(m[1])
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("the page references %q, want a path on this server", ref)
			continue
		}
		if a := s.do(http.MethodGet, ref, nil, nil); a.Code != http.StatusOK {
			t.Errorf("GET %s: got %d, want 200", ref, a.Code)
		}
	}
	// No inline script: only the JSON configuration.
	var config struct {
		Endpoint string            `json:"endpoint"`
		Workers  map[string]string `json:"workers"`
		Areas    []struct {
			Key, Name string
			Queries   []struct{ Name string }
			Examples  []struct {
				Name, Title, Query, Response string
			}
		} `json:"areas"`
	}
	for _, m := range scriptTags.FindAllStringSubmatch(page, -1) {
		attrs, body := m[1], m[2]
		switch {
		case strings.Contains(attrs, `type="application/json"`):
			if err := json.Unmarshal([]byte(body), &config); err != nil {
				t.Errorf("the JSON configuration does not parse: %v", err)
			}
		case strings.TrimSpace(body) != "":
			t.Errorf("inline script %q: the CSP forbids it", body[:min(60, len(body))])
		}
	}
	if config.Endpoint != "/graphql" || len(config.Workers) != 3 {
		t.Errorf("configuration: got endpoint %q and %d workers, want /graphql and 3", config.Endpoint, len(config.Workers))
	}
	for _, url := range config.Workers {
		if a := s.do(http.MethodGet, url, nil, nil); a.Code != http.StatusOK || a.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("worker %s: got %d %q, want 200 text/javascript", url, a.Code, a.Header().Get("Content-Type"))
		}
	}
	var names []string
	for _, a := range config.Areas {
		names = append(names, a.Name)
		if a.Key != "common" && len(a.Examples) < 3 {
			t.Errorf("area %s: got %d examples, want at least 3", a.Name, len(a.Examples))
		}
		for _, e := range a.Examples {
			if e.Title == "" || e.Query == "" || e.Response == "" {
				t.Errorf("example %s/%s: want a title, an operation and a response", a.Key, e.Name)
			}
		}
	}
	if got := strings.Join(names, ", "); got != "Projects, Surveys, Maps, Tokens, Users & Teams, Common to every area" {
		t.Errorf("areas: got %s", got)
	}

	// The header's account menu says who is signed in, leads to the token
	// page, and signs out.
	for _, want := range []string{"Signed in as <strong>Ada Admin</strong>", `<a href="/settings/api">API</a>`,
		`<form method="post" action="/logout"><button type="submit">Sign out</button>`, `aria-current="page">API documentation`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

var secretPattern = regexp.MustCompile(`value="(eng_[0-9A-Za-z]+)"`)

func TestTokenPageLifecycle(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	admin := s.login("ada@example.test")
	prj := s.client.Project.Create().SetTitle("Riverside Park").SetSlug("riverside").SetSummary("s").SaveX(testdb.System())

	rec := s.do(http.MethodGet, "/settings/api", nil, admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /settings/api: got %d: %s", rec.Code, rec.Body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy: got %q, want script-src 'self' and nothing unsafe", csp)
	}
	page := rec.Body.String()
	for _, want := range []string{`<label for="name">Name</label>`, `<label for="description">`, `<label for="expires_on"`,
		`<label for="read_only">Read only</label>`, `value="` + prj.ID + `"`, "Riverside Park"} {
		if !strings.Contains(page, want) {
			t.Errorf("the token page lacks %q", want)
		}
	}

	// Create: the secret is shown once, on the page after the form.
	rec = s.createToken(admin, url.Values{
		"name": {"Power BI"}, "expiry": {"date"}, "expires_on": {"2099-06-30"}, "read_only": {"1"}, "project": {prj.ID},
	})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/api" {
		t.Fatalf("POST /settings/api/tokens: got %d to %q, want 303 to the token page: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	page = s.do(http.MethodGet, "/settings/api", nil, admin).Body.String()
	m := secretPattern.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "it will not be shown again") {
		t.Fatalf("the page after the form shows no secret and warning: %s", page)
	}
	secret := m[1]
	tok := s.client.APIToken.Query().Where(apitoken.Name("Power BI")).WithAllowedProjects().OnlyX(testdb.System())
	if !tok.ReadOnly || tok.ExpiresAt == nil || tok.ExpiresAt.UTC().Format("2006-01-02 15:04:05") != "2099-06-30 23:59:59" ||
		len(tok.Edges.AllowedProjects) != 1 {
		t.Errorf("the token: got read-only %v, expiry %v, %d projects; want read-only, the end of 2099-06-30, 1 project",
			tok.ReadOnly, tok.ExpiresAt, len(tok.Edges.AllowedProjects))
	}
	if code, body := s.graphql(secret, `{ viewer { token { name } } }`); code != http.StatusOK || !strings.Contains(body, "Power BI") {
		t.Errorf("the new secret: got %d %s, want it to work", code, body)
	}
	page = s.do(http.MethodGet, "/settings/api", nil, admin).Body.String()
	if strings.Contains(page, secret) {
		t.Error("the secret is shown again")
	}
	if !strings.Contains(page, tok.Prefix+"…") || !strings.Contains(page, "Read only") || !strings.Contains(page, "status-live") {
		t.Errorf("the list lacks the token's prefix, rights or status")
	}

	// Revoke, after a confirmation page.
	confirm := s.do(http.MethodGet, "/settings/api/tokens/"+tok.ID+"/revoke", nil, admin)
	if confirm.Code != http.StatusOK || !strings.Contains(confirm.Body.String(), `action="/settings/api/tokens/`+tok.ID+`/revoke"`) {
		t.Fatalf("GET the confirmation: got %d: %s", confirm.Code, confirm.Body)
	}
	if s.client.APIToken.GetX(testdb.System(), tok.ID).RevokedAt != nil {
		t.Fatal("the confirmation page revoked the token")
	}
	rec = s.do(http.MethodPost, "/settings/api/tokens/"+tok.ID+"/revoke", url.Values{}, admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/api" {
		t.Fatalf("POST revoke: got %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	page = s.do(http.MethodGet, rec.Header().Get("Location"), nil, admin).Body.String()
	if !strings.Contains(page, "The token “Power BI” is revoked") || !strings.Contains(page, "status-revoked") {
		t.Error("the page does not say that the token is revoked")
	}
	if code, _ := s.graphql(secret, `{ viewer { user { name } } }`); code != http.StatusUnauthorized {
		t.Errorf("the revoked secret: got %d, want 401", code)
	}
}

func TestTokenPageRules(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	s.user("sam@example.test", "Sam Staff", "STAFF", true)
	s.user("nia@example.test", "Nia NoAPI", "STAFF", false)
	admin, sam, nia := s.login("ada@example.test"), s.login("sam@example.test"), s.login("nia@example.test")

	create := s.createToken
	if rec := create(admin, url.Values{"name": {"Admin's"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("admin creates: got %d", rec.Code)
	}
	if rec := create(sam, url.Values{"name": {"Sam's"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("staff with API access creates: got %d", rec.Code)
	}
	adminTok := s.client.APIToken.Query().Where(apitoken.Name("Admin's")).OnlyX(testdb.System())
	samTok := s.client.APIToken.Query().Where(apitoken.Name("Sam's")).OnlyX(testdb.System())

	// Staff see their own tokens only, and cannot reach the admin's.
	page := s.do(http.MethodGet, "/settings/api", nil, sam).Body.String()
	if !strings.Contains(page, "Sam&#39;s") || strings.Contains(page, "Admin&#39;s") || strings.Contains(page, "Other users’ tokens") {
		t.Error("staff: want their own token only, and no list of everyone's")
	}
	if rec := s.do(http.MethodGet, "/settings/api/tokens/"+adminTok.ID+"/revoke", nil, sam); rec.Code != http.StatusNotFound {
		t.Errorf("staff opens the admin's revoke page: got %d, want 404", rec.Code)
	}
	if rec := s.do(http.MethodPost, "/settings/api/tokens/"+adminTok.ID+"/revoke", url.Values{}, sam); rec.Code != http.StatusNotFound {
		t.Errorf("staff revokes the admin's token: got %d, want 404", rec.Code)
	}
	if s.client.APIToken.GetX(testdb.System(), adminTok.ID).RevokedAt != nil {
		t.Fatal("staff revoked the admin's token")
	}

	// The admin sees everyone's tokens, with their owner, and revokes Sam's.
	page = s.do(http.MethodGet, "/settings/api", nil, admin).Body.String()
	if !strings.Contains(page, "Sam Staff (sam@example.test)") {
		t.Error("admin: want the other users' tokens with their owner")
	}
	if rec := s.do(http.MethodPost, "/settings/api/tokens/"+samTok.ID+"/revoke", url.Values{}, admin); rec.Code != http.StatusSeeOther {
		t.Errorf("admin revokes Sam's token: got %d, want 303", rec.Code)
	}
	if s.client.APIToken.GetX(testdb.System(), samTok.ID).RevokedAt == nil {
		t.Error("the admin's revoke did not revoke Sam's token")
	}

	// Without API access: no form, and the API refuses.
	page = s.do(http.MethodGet, "/settings/api", nil, nia).Body.String()
	if !strings.Contains(page, "You do not have API access") || strings.Contains(page, `action="/settings/api/tokens"`) {
		t.Error("a user without API access: want an explanation instead of the form")
	}
	rec := s.do(http.MethodPost, "/settings/api/tokens", url.Values{"name": {"Nia's"}, "expiry": {"30"}, "nonce": {newTestNonce()}}, nia)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "The token was not created: not allowed") {
		t.Errorf("a user without API access creates: got %d, want 400 with the API's refusal: %s", rec.Code, rec.Body)
	}

	// The form's own checks.
	for name, form := range map[string]url.Values{
		"no name":          {"name": {"  "}},
		"bad date":         {"name": {"x"}, "expiry": {"date"}, "expires_on": {"30/06/2099"}},
		"past":             {"name": {"x"}, "expiry": {"date"}, "expires_on": {"2001-01-01"}},
		"no expiry chosen": {"name": {"x"}, "expiry": {""}},
	} {
		rec := create(admin, form)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `role="alert"`) {
			t.Errorf("%s: got %d, want 400 with the error shown", name, rec.Code)
		}
	}

	// A cross-site form post is refused before anything happens.
	req := httptest.NewRequest(http.MethodPost, "/settings/api/tokens", strings.NewReader("name=evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(admin)
	rec = httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site POST: got %d, want 403", rec.Code)
	}
	if n := s.client.APIToken.Query().Where(apitoken.Name("evil")).CountX(testdb.System()); n != 0 {
		t.Error("a cross-site POST created a token")
	}
}
