package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"engage/database"
	"engage/internal/apitest"
	"engage/password"
	"engage/rule"
	"engage/testdb"
	"engage/token"
)

// The first minutes of a newcomer: what the server says at start, and
// whether following it leads to a signed-in page.

// personaLogin is a demo persona's line as the server prints it.
type personaLogin struct{ key, email, password, token string }

// personaLogins parses the persona lines of out ("key email password
// token", the description indented under each), by key. It fails t on a
// persona line of another shape.
func personaLogins(t *testing.T, out string) map[string]personaLogin {
	t.Helper()
	logins := map[string]personaLogin{}
	for _, line := range lines(out) {
		f := strings.Fields(line)
		if len(f) != 4 || !strings.Contains(f[1], "@") || !strings.HasPrefix(f[3], token.Prefix) {
			continue // a log line, the table's header or a description
		}
		if token.Check(f[3]) != nil || len(f[2]) < password.MinLength {
			t.Errorf("persona line %q: want a key, an email, a password and a token secret", line)
			continue
		}
		logins[f[0]] = personaLogin{key: f[0], email: f[1], password: f[2], token: f[3]}
	}
	return logins
}

// servedSite is `engage serve`, run by the test in its own process.
type servedSite struct {
	t      *testing.T
	base   string          // http://127.0.0.1:port
	stderr *apitest.Buffer // everything the server wrote
}

// serveSite runs engage serve with args on dbURL and a free port until
// the test ends, and returns once the server has said how to sign in.
func serveSite(t *testing.T, dbURL string, args ...string) *servedSite {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	s := &servedSite{t: t, base: "http://" + addr, stderr: &apitest.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		args = append([]string{"serve", "--database-url", dbURL, "--addr", addr}, args...)
		done <- run(ctx, args, strings.NewReader(""), io.Discard, s.stderr)
	}()
	// Registered after the database's, so it runs first: the server stops
	// before its database goes.
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second): // a deadlock guard, not a timing assertion
			t.Errorf("the server did not stop within 20s; stderr:\n%s", s.stderr)
		}
	})
	for deadline := time.Now().Add(90 * time.Second); !strings.Contains(s.stderr.String(), "Open http://"); {
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("serve returned %v before saying how to sign in; stderr:\n%s", err, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never said how to sign in; stderr:\n%s", s.stderr)
		}
	}
	return s
}

// signIn signs in at the login page with email and pw, following
// redirects as a browser does from path, and returns the client with the
// session and the page it ended on.
func (s *servedSite) signIn(path, email, pw string) (*http.Client, *http.Response, string) {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, body := s.get(client, path)
	if resp.Request.URL.Path != "/login" {
		s.t.Fatalf("GET %s signed out: ended on %s, want the login page", path, resp.Request.URL)
	}
	form := url.Values{"email": {email}, "password": {pw}, "next": {resp.Request.URL.Query().Get("next")}}
	resp, err := client.PostForm(s.base+"/login", form)
	if err != nil {
		s.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = string(b)
	return client, resp, body
}

func (s *servedSite) get(client *http.Client, path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := client.Get(s.base + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServeDemoSignsInAsAPersona: serve --demo prints each persona's login
// password beside its token, says where to sign in, and the demo
// administrator's password signs in at once; / leads there.
func TestServeDemoSignsInAsAPersona(t *testing.T) {
	clearEnv(t)
	s := serveSite(t, testdb.URL(t), "--demo")
	out := s.stderr.String()
	logins := personaLogins(t, out)
	for _, key := range []string{"admin", "editor", "viewer", "moderator"} {
		if logins[key].password == "" {
			t.Errorf("persona %s: no login password printed; stderr:\n%s", key, out)
		}
	}
	for _, want := range []string{"pages=" + s.base + "/", "docs=" + s.base + "/docs/api", "Open " + s.base + "/ and sign in as a persona above"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// The passwords are printed as the tokens are, never in a log record.
	for _, line := range lines(out) {
		if strings.Contains(line, "level=") && strings.Contains(line, logins["admin"].password) {
			t.Errorf("a log record holds a password: %q", line)
		}
	}

	admin := logins["admin"]
	client, resp, body := s.signIn("/", admin.email, admin.password)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/docs/api" || !strings.Contains(body, "Signed in as") {
		t.Fatalf("signing in from / as the demo admin: ended on %s with %d, want the signed-in /docs/api", resp.Request.URL, resp.StatusCode)
	}
	if resp, body := s.get(client, "/settings/api"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "New token") {
		t.Errorf("the token page as the demo admin: got %d, want 200 with the New token form", resp.StatusCode)
	}
}

// TestDemoPasswordsAreNewAtEveryLoad: no demo password is fixed in the
// code or the data.
func TestDemoPasswordsAreNewAtEveryLoad(t *testing.T) {
	clearEnv(t)
	first, _, err := execute(t, "", "--database-url", testdb.URL(t), "demo")
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := execute(t, "", "--database-url", testdb.URL(t), "demo")
	if err != nil {
		t.Fatal(err)
	}
	a, b := personaLogins(t, first)["admin"].password, personaLogins(t, second)["admin"].password
	if a == "" || a == b {
		t.Errorf("the admin's password in two loads: got %q and %q, want two different passwords", a, b)
	}
}

var createAdminLine = regexp.MustCompile(`(?m)^ +(go run \.|\S+) (user create .*--role ADMIN.*)$`)

// TestServeEmptyDatabaseSaysHowToCreateTheFirstAdministrator: without
// --demo, on a database nobody can sign in to, the server prints the
// command that creates an administrator; that very command, run while the
// server runs, makes an account that signs in.
func TestServeEmptyDatabaseSaysHowToCreateTheFirstAdministrator(t *testing.T) {
	clearEnv(t)
	dbURL := testdb.URL(t)
	s := serveSite(t, dbURL)
	out := s.stderr.String()
	m := createAdminLine.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "nobody can sign in yet") || !strings.Contains(out, "--demo") {
		t.Fatalf("stderr: want the command that creates the first administrator, and --demo:\n%s", out)
	}
	args := splitShellWords(t, m[2])
	for i, a := range args {
		switch a {
		case "you@example.org":
			args[i] = "first@example.test"
		case "Your Name":
			args[i] = "First Admin"
		}
	}
	const pw = "a long enough password"
	if stdout, stderr, err := execute(t, pw+"\n", append([]string{"--database-url", dbURL}, args...)...); err != nil {
		t.Fatalf("%s: %v (stdout %q, stderr %q)", m[0], err, stdout, stderr)
	}
	_, resp, body := s.signIn("/", "first@example.test", pw)
	if resp.Request.URL.Path != "/docs/api" || !strings.Contains(body, "First Admin") {
		t.Errorf("signing in as the new administrator: ended on %s, want the signed-in /docs/api", resp.Request.URL)
	}
}

// TestServeDemoOnADatabaseWithUsers: --demo loads nothing into a database
// that has users, says so at WARN, and tells how to sign in.
func TestServeDemoOnADatabaseWithUsers(t *testing.T) {
	clearEnv(t)
	dbURL := testdb.URL(t)
	db, err := database.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(); err != nil {
		t.Fatal(err)
	}
	hash, _ := password.Hash("a long enough password")
	db.Ent.User.Create().SetEmail("ada@example.test").SetName("Ada").SetRole("ADMIN").SetPasswordHash(hash).
		ExecX(rule.System(context.Background()))
	db.Close()

	out := serveSite(t, dbURL, "--demo").stderr.String()
	if !regexp.MustCompile(`level=WARN msg="demo data not loaded: --demo loads only into an empty database`).MatchString(out) {
		t.Errorf("stderr: want a WARN that the demo was not loaded, and why:\n%s", out)
	}
	if len(personaLogins(t, out)) != 0 || !strings.Contains(out, "sign in with your email and password") {
		t.Errorf("stderr: want no persona, and how to sign in:\n%s", out)
	}
}

// splitShellWords splits a command line as a POSIX shell does for words
// with double quotes and no escapes, which is all the server prints.
func splitShellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if rest, ok := strings.CutPrefix(line, `"`); ok {
			word, after, found := strings.Cut(rest, `"`)
			if !found {
				t.Fatalf("unbalanced quote in %q", line)
			}
			words, line = append(words, word), after
			continue
		}
		word, after, _ := strings.Cut(line, " ")
		words, line = append(words, word), after
	}
	return words
}
