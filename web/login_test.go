package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"engage/api"
	"engage/config"
	"engage/ent"
	"engage/password"
	"engage/session"
	"engage/testdb"
	"engage/usage"
)

const goodPassword = "correct horse battery staple"

// harness is the login pages behind the session manager, as package server
// mounts them (whose tests check the protection against cross-site forgery
// in front of them).
type harness struct {
	t       *testing.T
	client  *ent.Client
	sm      *scs.SessionManager
	handler http.Handler
	logs    *bytes.Buffer
}

// newHarness serves the pages, plus GET /whoami (the session's user ID),
// through sm.LoadAndSave(mux). configure may change the pages before their
// routes are registered.
func newHarness(t *testing.T, configure func(*Pages)) *harness {
	t.Helper()
	db := testdb.Open(t)
	client := db.Ent
	sm := session.NewManager(client, false)
	logs := new(bytes.Buffer)
	logger := slog.New(slog.NewTextHandler(logs, nil))
	graphQL := api.New(api.Deps{DB: db, Config: config.Default(), Logger: logger, Sessions: sm, Usage: usage.New(client, logger)})
	p := NewPages(Deps{Client: client, Sessions: sm, GraphQL: graphQL.Runner(), Logger: logger})
	if configure != nil {
		configure(p)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, session.UserID(r.Context(), sm))
	})
	h := &harness{t: t, client: client, sm: sm, handler: sm.LoadAndSave(mux), logs: logs}
	t.Cleanup(func() {
		// Whatever happened, neither passwords nor session tokens were logged.
		if strings.Contains(logs.String(), goodPassword) || strings.Contains(logs.String(), "wrong password 1") {
			t.Errorf("a password was logged:\n%s", logs)
		}
		for _, token := range h.tokens(t) {
			if strings.Contains(logs.String(), token) {
				t.Errorf("a session token was logged:\n%s", logs)
			}
		}
	})
	return h
}

// tokens lists every session token in the database.
func (h *harness) tokens(t *testing.T) []string {
	ids, err := h.client.Session.Query().IDs(testdb.System())
	if err != nil {
		t.Errorf("listing sessions: %v", err)
	}
	return ids
}

// user creates a user with goodPassword and returns its ID.
func (h *harness) user(email string, active bool) string {
	h.t.Helper()
	hash, err := password.Hash(goodPassword)
	if err != nil {
		h.t.Fatal(err)
	}
	u, err := h.client.User.Create().SetEmail(email).SetName("Test " + email).
		SetPasswordHash(hash).SetActive(active).Save(testdb.System())
	if err != nil {
		h.t.Fatal(err)
	}
	return u.ID
}

// request describes one request to the harness.
type request struct {
	method, path string
	form         url.Values
	cookie       *http.Cookie
	header       map[string]string
	remoteAddr   string
}

func (h *harness) do(req request) *httptest.ResponseRecorder {
	h.t.Helper()
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	r := httptest.NewRequest(req.method, req.path, body)
	if req.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.remoteAddr != "" {
		r.RemoteAddr = req.remoteAddr
	}
	if req.cookie != nil {
		r.AddCookie(req.cookie)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w
}

// sameOrigin is what a browser sends with a form posted from the site itself.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}

// login posts the login form from the same origin.
func (h *harness) login(email, pw, next string, cookie *http.Cookie) *httptest.ResponseRecorder {
	h.t.Helper()
	form := url.Values{"email": {email}, "password": {pw}}
	if next != "" {
		form.Set("next", next)
	}
	return h.do(request{method: "POST", path: "/login", form: form, cookie: cookie, header: sameOrigin})
}

// whoami returns the user ID that cookie's session resolves to.
func (h *harness) whoami(cookie *http.Cookie) string {
	h.t.Helper()
	w := h.do(request{method: "GET", path: "/whoami", cookie: cookie})
	if w.Code != http.StatusOK {
		h.t.Fatalf("GET /whoami: %d %s", w.Code, w.Body)
	}
	return w.Body.String()
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

// mustLogin logs in and returns the session cookie.
func (h *harness) mustLogin(email string) *http.Cookie {
	h.t.Helper()
	w := h.login(email, goodPassword, "", nil)
	c := sessionCookie(w)
	if w.Code != http.StatusSeeOther || c == nil {
		h.t.Fatalf("login: %d, cookie %v\n%s", w.Code, c, w.Body)
	}
	return c
}

func TestLoginPage(t *testing.T) {
	h := newHarness(t, nil)
	w := h.do(request{method: "GET", path: "/login?next=/settings/api%3Ftab%3D1"})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`<html lang="en">`,
		`<h1>`,
		`<label for="email">`, `autocomplete="username"`,
		`<label for="password">`, `type="password"`, `autocomplete="current-password"`,
		`<input type="hidden" name="next" value="/settings/api?tab=1">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s:\n%s", want, body)
		}
	}
	for _, unwanted := range []string{"<script", "src=", "http://", "https://", msgWrong} {
		if strings.Contains(body, unwanted) {
			t.Errorf("the page contains %s", unwanted)
		}
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	if sessionCookie(w) != nil {
		t.Error("an anonymous GET /login sets a session cookie")
	}

	for _, next := range []string{"https://evil.example", "//evil.example", "", "javascript:alert(1)"} {
		w := h.do(request{method: "GET", path: "/login?next=" + url.QueryEscape(next)})
		if want := `name="next" value="/docs/api"`; !strings.Contains(w.Body.String(), want) {
			t.Errorf("next=%q: the page lacks %s", next, want)
		}
	}
}

func TestLoginSuccess(t *testing.T) {
	h := newHarness(t, nil)
	id := h.user("ada@example.org", true)

	w := h.login("ada@example.org", goodPassword, "/settings/api", nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", w.Code, w.Body)
	}
	if loc := w.Header().Get("Location"); loc != "/settings/api" {
		t.Errorf("Location %q, want /settings/api", loc)
	}
	c := sessionCookie(w)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie %s: want HttpOnly, SameSite=Lax, Path=/", c)
	}
	if got := h.whoami(c); got != id {
		t.Errorf("the session resolves to %q, want %q", got, id)
	}
	if got := h.whoami(nil); got != "" {
		t.Errorf("no cookie resolves to %q", got)
	}

	// Without next, and with the email in other capitals.
	w = h.login("  Ada@Example.ORG ", goodPassword, "", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != DefaultNext {
		t.Errorf("status %d, Location %q; want 303 to %s", w.Code, w.Header().Get("Location"), DefaultNext)
	}

	// The login page knows the visitor is signed in and offers to sign out.
	w = h.do(request{method: "GET", path: "/login", cookie: c})
	if !strings.Contains(w.Body.String(), `action="/logout"`) {
		t.Errorf("the login page of a signed-in user has no sign-out form:\n%s", w.Body)
	}
}

func TestLoginRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.user("ada@example.org", true)
	h.user("gone@example.org", false)

	cases := []struct{ name, email, pw string }{
		{"wrong password", "ada@example.org", "wrong password 1"},
		{"unknown email", "nobody@example.org", goodPassword},
		{"inactive user", "gone@example.org", goodPassword},
		{"empty password", "ada@example.org", ""},
		{"empty email", "", goodPassword},
	}
	var first string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := h.login(tc.email, tc.pw, "/settings/api", nil)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}
			body := w.Body.String()
			if !strings.Contains(body, msgWrong) {
				t.Errorf("the page lacks %q:\n%s", msgWrong, body)
			}
			if strings.Contains(body, tc.pw) && tc.pw != "" {
				t.Error("the page shows the password")
			}
			if c := sessionCookie(w); c != nil {
				t.Errorf("a refused login sets a session cookie: %s", c)
			}
			// Every refusal reads the same, apart from the email echoed.
			page := body
			if tc.email != "" {
				page = strings.ReplaceAll(body, `value="`+tc.email+`"`, `value=""`)
			}
			if first == "" {
				first = page
			} else if page != first {
				t.Errorf("the page differs from the first refusal's:\n%s\n---\n%s", page, first)
			}
		})
	}
	if tokens := h.tokens(t); len(tokens) != 0 {
		t.Errorf("refused logins stored %d sessions", len(tokens))
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.user("ada@example.org", true)
	for _, next := range []string{"https://evil.example", "//evil", "//evil.example/x", `/\evil.example`, "http:/evil", "evil", "/\tx"} {
		w := h.login("ada@example.org", goodPassword, next, nil)
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != DefaultNext {
			t.Errorf("next=%q: %d to %q, want 303 to %s", next, w.Code, loc, DefaultNext)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/settings/api":          "/settings/api",
		"/docs/api?query=%7B%7D": "/docs/api?query=%7B%7D",
		"/":                      "/",
		"":                       DefaultNext,
		"//evil":                 DefaultNext,
		"///evil":                DefaultNext,
		`/\evil`:                 DefaultNext,
		"https://evil.example":   DefaultNext,
		"javascript:alert(1)":    DefaultNext,
		"/x\r\nSet-Cookie: a=b":  DefaultNext,
		"docs/api":               DefaultNext,
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, nil)
	id := h.user("ada@example.org", true)
	c := h.mustLogin("ada@example.org")
	if got := h.whoami(c); got != id {
		t.Fatalf("logged in as %q, want %q", got, id)
	}
	w := h.do(request{method: "POST", path: "/logout", cookie: c, header: sameOrigin})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("logout: %d to %q, want 303 to /login", w.Code, w.Header().Get("Location"))
	}
	if cleared := sessionCookie(w); cleared == nil || cleared.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %v", cleared)
	}
	if got := h.whoami(c); got != "" {
		t.Errorf("after logout the old cookie resolves to %q", got)
	}
	if tokens := h.tokens(t); len(tokens) != 0 {
		t.Errorf("%d sessions left after logout", len(tokens))
	}
}

// A token planted before login (session fixation) is worthless after it.
func TestLoginRenewsToken(t *testing.T) {
	h := newHarness(t, nil)
	id := h.user("ada@example.org", true)

	// The attacker's own anonymous session, whose cookie they plant.
	ctx, err := h.sm.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	h.sm.Put(ctx, "visited", true)
	planted, expiry, err := h.sm.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plantedCookie := &http.Cookie{Name: session.CookieName, Value: planted, Expires: expiry}

	w := h.login("ada@example.org", goodPassword, "", plantedCookie)
	c := sessionCookie(w)
	if w.Code != http.StatusSeeOther || c == nil {
		t.Fatalf("login: %d, cookie %v", w.Code, c)
	}
	if c.Value == planted {
		t.Fatal("login kept the planted session token")
	}
	if got := h.whoami(plantedCookie); got != "" {
		t.Errorf("the planted token resolves to %q after login", got)
	}
	if got := h.whoami(c); got != id {
		t.Errorf("the new token resolves to %q, want %q", got, id)
	}

	// Logging in again, already logged in, renews the token too.
	w = h.login("ada@example.org", goodPassword, "", c)
	if again := sessionCookie(w); again == nil || again.Value == c.Value {
		t.Errorf("a second login kept the token")
	}
}

func TestThrottleByIP(t *testing.T) {
	h := newHarness(t, func(p *Pages) { p.ipLimit = 3 })
	id := h.user("ada@example.org", true)
	post := func(email, pw, ip string) *httptest.ResponseRecorder {
		form := url.Values{"email": {email}, "password": {pw}}
		return h.do(request{method: "POST", path: "/login", form: form, header: sameOrigin, remoteAddr: ip + ":1234"})
	}
	for i := range 3 {
		if w := post(fmt.Sprintf("user%d@example.org", i), "wrong password 1", "192.0.2.1"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, w.Code)
		}
	}
	w := post("ada@example.org", goodPassword, "192.0.2.1")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("4th attempt: %d, want 429", w.Code)
	}
	if !strings.Contains(w.Body.String(), msgTooMany) || w.Header().Get("Retry-After") == "" {
		t.Errorf("the 429 page lacks its message or Retry-After:\n%s", w.Body)
	}
	if sessionCookie(w) != nil || len(h.tokens(t)) != 0 {
		t.Error("a throttled login opened a session")
	}
	// Another client is not throttled.
	w = post("ada@example.org", goodPassword, "198.51.100.7")
	if c := sessionCookie(w); w.Code != http.StatusSeeOther || c == nil || h.whoami(c) != id {
		t.Errorf("another IP: %d, want 303 and a session", w.Code)
	}
	// IPv6 clients are throttled by /64.
	for i := range 3 {
		post("someone@example.org", "wrong password 1", fmt.Sprintf("[2001:db8::%d]", i+1))
	}
	if w := post("ada@example.org", goodPassword, "[2001:db8::ffff]"); w.Code != http.StatusTooManyRequests {
		t.Errorf("IPv6 in the same /64: %d, want 429", w.Code)
	}
}

func TestThrottleByEmail(t *testing.T) {
	h := newHarness(t, func(p *Pages) { p.emailLimit = 3 })
	h.user("ada@example.org", true)
	post := func(email, pw string, i int) *httptest.ResponseRecorder {
		form := url.Values{"email": {email}, "password": {pw}}
		return h.do(request{method: "POST", path: "/login", form: form, header: sameOrigin, remoteAddr: fmt.Sprintf("192.0.2.%d:1234", i)})
	}
	for i := range 3 {
		if w := post("ada@example.org", "wrong password 1", i+1); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, w.Code)
		}
	}
	// The 4th attempt, from yet another IP, with other capitals and the
	// right password.
	w := post("ADA@example.org", goodPassword, 4)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), msgTooMany) {
		t.Fatalf("4th attempt: %d, want 429 with %q\n%s", w.Code, msgTooMany, w.Body)
	}
	if sessionCookie(w) != nil {
		t.Error("a throttled login set a session cookie")
	}
	// Other accounts are not throttled.
	if w := post("bob@example.org", "wrong password 1", 5); w.Code != http.StatusUnauthorized {
		t.Errorf("another email: %d, want 401", w.Code)
	}
}
