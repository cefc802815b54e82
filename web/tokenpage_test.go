package web_test

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"engage/config"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/user"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/usage"
)

// newSiteWith is newSite with a configuration of the test's.
func newSiteWith(t *testing.T, cfg config.Config) *site {
	t.Helper()
	db := testdb.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.New(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger)})
	return &site{t: t, client: db.Ent, handler: h}
}

// newSiteOfAdaAndSam is a site with an administrator, Ada, and a staff
// member with API access, Sam, both signed in.
func newSiteOfAdaAndSam(t *testing.T) (s *site, ada, sam *http.Cookie) {
	t.Helper()
	s = newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	s.user("sam@example.test", "Sam Staff", "STAFF", true)
	return s, s.login("ada@example.test"), s.login("sam@example.test")
}

// tokensNamed returns the tokens with name.
func (s *site) tokensNamed(name string) []*ent.APIToken {
	s.t.Helper()
	return s.client.APIToken.Query().Where(apitoken.Name(name)).AllX(testdb.System())
}

// page returns the body of GET path as cookie's user.
func (s *site) page(path string, cookie *http.Cookie) string {
	s.t.Helper()
	rec := s.do(http.MethodGet, path, nil, cookie)
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET %s: got %d, want 200: %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestTokenFormActsOnce: a New token form sent twice, one after the other
// (a reload of the answer, Back and send again) or at once (a double
// click), mints one token; the secret is shown once, after the redirect.
func TestTokenFormActsOnce(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	ada := s.login("ada@example.test")

	form := url.Values{"name": {"Once"}, "expiry": {"30"}, "nonce": {s.formNonce("/settings/api", ada)}}
	first := s.do(http.MethodPost, "/settings/api/tokens", form, ada)
	again := s.do(http.MethodPost, "/settings/api/tokens", form, ada)
	for name, rec := range map[string]*httptest.ResponseRecorder{"first": first, "again": again} {
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/api" {
			t.Errorf("%s POST: got %d to %q, want 303 to the token page", name, rec.Code, rec.Header().Get("Location"))
		}
	}
	if n := len(s.tokensNamed("Once")); n != 1 {
		t.Fatalf("one form sent twice: got %d tokens, want 1", n)
	}
	page := s.page("/settings/api", ada)
	if secretPattern.FindString(page) == "" || !strings.Contains(page, "only the first was handled") {
		t.Errorf("the page after the forms: want the secret and a notice that the form was sent twice: %s", page)
	}
	if page := s.page("/settings/api", ada); secretPattern.FindString(page) != "" || strings.Contains(page, "only the first was handled") {
		t.Error("a reload of the page after the form shows the secret or the notice again")
	}

	// A double click: the same form, at the same time.
	form.Set("name", "Double click")
	form.Set("nonce", s.formNonce("/settings/api", ada))
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { s.do(http.MethodPost, "/settings/api/tokens", form, ada) })
	}
	wg.Wait()
	if n := len(s.tokensNamed("Double click")); n != 1 {
		t.Errorf("one form sent five times at once: got %d tokens, want 1", n)
	}

	// A form to correct, sent twice, is shown again twice, as typed.
	form.Set("name", "")
	form.Set("description", "typed twice")
	for range 2 {
		if rec := s.do(http.MethodPost, "/settings/api/tokens", form, ada); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), ">typed twice</textarea>") {
			t.Errorf("a form to correct, sent again: got %d, want 400 with the form as typed", rec.Code)
		}
	}

	// A form without a nonce is not one of the page's.
	rec := s.do(http.MethodPost, "/settings/api/tokens", url.Values{"name": {"No nonce"}, "expiry": {"30"}}, ada)
	if rec.Code != http.StatusBadRequest || len(s.tokensNamed("No nonce")) != 0 {
		t.Errorf("a form without a nonce: got %d, want 400 and no token", rec.Code)
	}
	// The form's address opened as a page is the token page, not a 405.
	if rec := s.do(http.MethodGet, "/settings/api/tokens", nil, ada); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/api" {
		t.Errorf("GET /settings/api/tokens: got %d to %q, want 303 to the token page", rec.Code, rec.Header().Get("Location"))
	}
}

var (
	expiryChoice  = regexp.MustCompile(`name="expiry" id="expiry-[a-z0-9]+" value="([a-z0-9]+)"`)
	checkedExpiry = regexp.MustCompile(`name="expiry" id="expiry-[a-z0-9]+" value="([a-z0-9]+)" checked`)
)

// expiryChoices returns the expiry choices a token page offers, and the
// checked one.
func expiryChoices(page string) (choices []string, checked string) {
	for _, m := range expiryChoice.FindAllStringSubmatch(page, -1) {
		choices = append(choices, m[1])
	}
	if m := checkedExpiry.FindStringSubmatch(page); m != nil {
		checked = m[1]
	}
	return choices, checked
}

// TestTokenFormExpiry: presets of 7, 30 (the default), 60 and 90 days, a
// date, or never with a warning; a server's longest lifetime leaves out
// what exceeds it, and refuses it when sent anyway.
func TestTokenFormExpiry(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	ada := s.login("ada@example.test")

	page := s.page("/settings/api", ada)
	choices, checked := expiryChoices(page)
	if strings.Join(choices, ",") != "7,30,60,90,date,never" || checked != "30" {
		t.Errorf("expiry choices: got %v with %q checked, want 7,30,60,90,date,never with 30", choices, checked)
	}
	if !strings.Contains(page, `id="never-warning"`) || !strings.Contains(page, `value="never" aria-describedby="never-warning"`) {
		t.Error("the choice of never has no warning")
	}
	for _, c := range []struct {
		expiry, on string
		want       func(now time.Time) *time.Time
	}{
		{"7", "", func(now time.Time) *time.Time { at := now.Add(7 * 24 * time.Hour); return &at }},
		{"90", "", func(now time.Time) *time.Time { at := now.Add(90 * 24 * time.Hour); return &at }},
		{"date", "2099-01-31", func(time.Time) *time.Time { at := time.Date(2099, 1, 31, 23, 59, 59, 0, time.UTC); return &at }},
		{"never", "", func(time.Time) *time.Time { return nil }},
	} {
		name := "expiry " + c.expiry
		before := time.Now()
		if rec := s.createToken(ada, url.Values{"name": {name}, "expiry": {c.expiry}, "expires_on": {c.on}}); rec.Code != http.StatusSeeOther {
			t.Errorf("%s: got %d, want 303: %s", name, rec.Code, rec.Body)
			continue
		}
		got, low, high := s.tokensNamed(name)[0].ExpiresAt, c.want(before), c.want(time.Now())
		switch {
		case low == nil && got != nil, low != nil && got == nil:
			t.Errorf("%s: got expiry %v, want %v", name, got, low)
		case low != nil && (got.Before(low.Truncate(time.Second)) || got.After(*high)):
			t.Errorf("%s: got expiry %v, want between %v and %v", name, got, low, high)
		}
	}

	// A server whose tokens live at most 60 days.
	cfg := config.Default()
	cfg.TokenMaxLifetime = 60 * 24 * time.Hour
	s = newSiteWith(t, cfg)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	ada = s.login("ada@example.test")
	page = s.page("/settings/api", ada)
	choices, checked = expiryChoices(page)
	if strings.Join(choices, ",") != "7,30,60,date" || checked != "30" {
		t.Errorf("expiry choices under a 60-day limit: got %v with %q checked, want 7,30,60,date with 30", choices, checked)
	}
	last := time.Now().UTC().Add(cfg.TokenMaxLifetime - 24*time.Hour + time.Second).Format(time.DateOnly)
	if !strings.Contains(page, `max="`+last+`"`) || !strings.Contains(page, "at most 60 days") {
		t.Errorf("the date field under a 60-day limit: want max=%q and the limit said", last)
	}
	for _, form := range []url.Values{
		{"name": {"too long"}, "expiry": {"90"}},
		{"name": {"never"}, "expiry": {"never"}},
		{"name": {"too late"}, "expiry": {"date"}, "expires_on": {"2099-01-31"}},
	} {
		rec := s.createToken(ada, form)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `role="alert"`) || len(s.tokensNamed(form.Get("name"))) != 0 {
			t.Errorf("%v under a 60-day limit: got %d, want 400 with the error and no token", form, rec.Code)
		}
	}
	if rec := s.createToken(ada, url.Values{"name": {"at the limit"}, "expiry": {"date"}, "expires_on": {last}}); rec.Code != http.StatusSeeOther {
		t.Errorf("the last day the form offers: got %d, want 303: %s", rec.Code, rec.Body)
	}
}

// TestTokenNamesAreOwnersOwn: a name one of the owner's live tokens has,
// in any capitals, is refused with a clear message and the form kept as
// typed, on creating and on renaming; a revoked token frees its name.
func TestTokenNamesAreOwnersOwn(t *testing.T) {
	s, ada, sam := newSiteOfAdaAndSam(t)

	if rec := s.createToken(ada, url.Values{"name": {"Power BI"}, "description": {"The council's dashboard"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("the first Power BI: got %d", rec.Code)
	}
	rec := s.createToken(ada, url.Values{"name": {"power bi"}, "description": {"Typed again"}, "expiry": {"7"}})
	body := html.UnescapeString(rec.Body.String())
	if rec.Code != http.StatusBadRequest || !strings.Contains(body, "You have a live token named “power bi” already") {
		t.Errorf("a second power bi: got %d, want 400 saying the name is taken: %s", rec.Code, body)
	}
	if !strings.Contains(body, `value="power bi"`) || !strings.Contains(body, ">Typed again</textarea>") ||
		!regexp.MustCompile(`value="7" checked`).MatchString(body) || !strings.Contains(body, `aria-invalid="true" autofocus`) {
		t.Error("the refused form lost what was typed, or does not mark and focus the name")
	}
	if rec := s.createToken(sam, url.Values{"name": {"Power BI"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("another user's Power BI: got %d, want 303", rec.Code)
	}
	first := s.client.APIToken.Query().Where(apitoken.Name("Power BI"), apitoken.HasOwnerWith(user.Email("ada@example.test"))).OnlyX(testdb.System())
	if first.Description != "The council's dashboard" {
		t.Errorf("description: got %q", first.Description)
	}
	if page := s.page("/settings/api", ada); !strings.Contains(page, "The council&#39;s dashboard") {
		t.Error("the list does not show the token's description")
	}

	// Renaming to a taken name is refused too; to its own name in other
	// capitals is not.
	other := s.createToken(ada, url.Values{"name": {"Nightly"}})
	if other.Code != http.StatusSeeOther {
		t.Fatal("creating Nightly")
	}
	nightly := s.tokensNamed("Nightly")[0]
	rec = s.do(http.MethodPost, "/settings/api/tokens/"+nightly.ID+"/rename", url.Values{"name": {"POWER BI"}}, ada)
	if rec.Code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(rec.Body.String()), "live token named “POWER BI” already") {
		t.Errorf("renaming to a taken name: got %d, want 400 saying so", rec.Code)
	}
	if rec := s.do(http.MethodPost, "/settings/api/tokens/"+nightly.ID+"/rename", url.Values{"name": {"NIGHTLY"}}, ada); rec.Code != http.StatusSeeOther {
		t.Errorf("renaming to its own name in capitals: got %d, want 303", rec.Code)
	}

	// Revoked, the first Power BI leaves its name free.
	s.do(http.MethodPost, "/settings/api/tokens/"+first.ID+"/revoke", url.Values{}, ada)
	if rec := s.createToken(ada, url.Values{"name": {"Power BI"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("Power BI after revoking the first: got %d, want 303", rec.Code)
	}
}

// TestRenameAndRegenerate: the pages of a token rename it and give it a new
// secret, shown once after the redirect, once per confirmation; the
// revoke page focuses no button.
func TestRenameAndRegenerate(t *testing.T) {
	s, ada, sam := newSiteOfAdaAndSam(t)
	s.createToken(sam, url.Values{"name": {"Sam's export"}})
	oldSecret := secretPattern.FindStringSubmatch(s.page("/settings/api", sam))[1]
	tok := s.tokensNamed("Sam's export")[0]
	base := "/settings/api/tokens/" + tok.ID

	if page := s.page(base+"/rename", sam); !strings.Contains(page, `value="Sam&#39;s export"`) || !strings.Contains(page, "autofocus") {
		t.Error("the rename page: want the name in a focused field")
	}
	rec := s.do(http.MethodPost, base+"/rename", url.Values{"name": {"Warehouse export"}}, sam)
	if rec.Code != http.StatusSeeOther || s.client.APIToken.GetX(testdb.System(), tok.ID).Name != "Warehouse export" {
		t.Fatalf("renaming: got %d, and the name is %q", rec.Code, s.client.APIToken.GetX(testdb.System(), tok.ID).Name)
	}
	if page := html.UnescapeString(s.page("/settings/api", sam)); !strings.Contains(page, "The token “Sam's export” is now named “Warehouse export”.") {
		t.Error("the token page does not say that the token was renamed")
	}
	// The same page sets the description, and shows it to be changed.
	description := func() string { return s.client.APIToken.GetX(testdb.System(), tok.ID).Description }
	rec = s.do(http.MethodPost, base+"/rename", url.Values{"name": {"Warehouse export"}, "description": {" Nightly load <b>by</b> Sam "}}, sam)
	if rec.Code != http.StatusSeeOther || description() != "Nightly load <b>by</b> Sam" {
		t.Fatalf("describing: got %d, and the description is %q", rec.Code, description())
	}
	if page := s.page("/settings/api", sam); !strings.Contains(html.UnescapeString(page), "The token “Warehouse export” is saved.") || !strings.Contains(page, "Nightly load &lt;b&gt;by&lt;/b&gt; Sam") {
		t.Error("the token page does not show the new description, escaped, and that the token was saved")
	}
	if page := s.page(base+"/rename", sam); !strings.Contains(page, ">Nightly load &lt;b&gt;by&lt;/b&gt; Sam</textarea>") {
		t.Error("the rename page: want the description in its field")
	}
	if rec := s.do(http.MethodPost, base+"/rename", url.Values{"name": {"Warehouse export"}, "description": {strings.Repeat("e", 501)}}, sam); rec.Code != http.StatusBadRequest || description() != "Nightly load <b>by</b> Sam" {
		t.Errorf("a description of 501 characters: got %d, and the description is %q", rec.Code, description())
	}
	// A post without the field (a page from before it) keeps it.
	if rec := s.do(http.MethodPost, base+"/rename", url.Values{"name": {"Warehouse export"}}, sam); rec.Code != http.StatusSeeOther || description() != "Nightly load <b>by</b> Sam" {
		t.Errorf("renaming without the description field: got %d, and the description is %q", rec.Code, description())
	}

	confirm := s.page(base+"/regenerate", sam)
	nonce := noncePattern.FindStringSubmatch(confirm)
	if nonce == nil || strings.Contains(confirm, "autofocus") {
		t.Fatal("the regenerate page: want a form with a nonce, and no button focused")
	}
	form := url.Values{"nonce": {nonce[1]}}
	for range 2 { // a double click
		if rec := s.do(http.MethodPost, base+"/regenerate", form, sam); rec.Code != http.StatusSeeOther {
			t.Errorf("regenerating: got %d, want 303", rec.Code)
		}
	}
	page := s.page("/settings/api", sam)
	m := secretPattern.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "The old secret has stopped working") {
		t.Fatal("the page after regenerating shows no new secret")
	}
	if code, _ := s.graphql(oldSecret, `{ viewer { user { name } } }`); code != http.StatusUnauthorized {
		t.Errorf("the old secret: got %d, want 401", code)
	}
	if code, body := s.graphql(m[1], `{ viewer { token { name } } }`); code != http.StatusOK || !strings.Contains(body, "Warehouse export") {
		t.Errorf("the new secret: got %d %s, want it to work", code, body)
	}

	// An administrator manages every user's tokens, as the API lets them.
	if page := s.page("/settings/api", ada); !strings.Contains(page, base+"/regenerate") || !strings.Contains(page, base+"/rename") {
		t.Error("the administrator's list: want Rename and Regenerate for another user's token")
	}
	if page := s.page(base+"/revoke", ada); strings.Contains(page, "autofocus") {
		t.Error("the revoke page focuses a field or button; it must not focus the destructive button")
	}
}

// TestAdministratorsTokensListedOnce: an administrator's own tokens are in
// "Your tokens" only; the other users' in the list below.
func TestAdministratorsTokensListedOnce(t *testing.T) {
	s, ada, sam := newSiteOfAdaAndSam(t)
	s.createToken(ada, url.Values{"name": {"Ada's own"}})
	s.createToken(sam, url.Values{"name": {"Sam's own"}})
	page := s.page("/settings/api", ada)
	adas, sams := s.tokensNamed("Ada's own")[0], s.tokensNamed("Sam's own")[0]
	if n := strings.Count(page, `data-token-id="`+adas.ID+`"`); n != 1 {
		t.Errorf("the administrator's own token is listed %d times, want once", n)
	}
	mine, others, _ := strings.Cut(page, "Other users’ tokens")
	if !strings.Contains(mine, adas.ID) || !strings.Contains(others, sams.ID) || strings.Contains(others, adas.ID) {
		t.Error("want the administrator's token under Your tokens and Sam's under Other users’ tokens")
	}
	// Each row shows its status beside the name.
	if !regexp.MustCompile(`<span class="token-name">Ada&#39;s own</span>\s*<span class="status status-live">live</span>`).MatchString(page) {
		t.Error("the row does not show the status beside the name")
	}
}

// loginWith signs email in with a browser whose session cookie is cookie,
// as the login form that next leads to, and returns the new cookie.
func (s *site) loginWith(cookie *http.Cookie, email, next string) *http.Cookie {
	s.t.Helper()
	rec := s.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {pw}, "next": {next}}, cookie)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != next {
		s.t.Fatalf("signing in again: got %d to %q, want 303 to %s", rec.Code, rec.Header().Get("Location"), next)
	}
	return sessionCookieOf(s.t, rec)
}

func sessionCookieOf(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	t.Fatalf("got %d and no session cookie", rec.Code)
	return nil
}

// TestSessionEndsMidForm: a form sent after the session ended leads to the
// login page, and after signing in back to the form as it was typed, with
// nothing done meanwhile; a form posted from another site keeps nothing.
func TestSessionEndsMidForm(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	ada := s.login("ada@example.test")
	prj := s.client.Project.Create().SetTitle("Riverside Park").SetSlug("riverside").SetSummary("s").SaveX(testdb.System())
	form := url.Values{"name": {"Typed while away"}, "description": {"Long lunch"}, "expiry": {"date"}, "expires_on": {"2099-03-01"},
		"read_only": {"1"}, "project": {prj.ID}, "nonce": {s.formNonce("/settings/api", ada)}}

	// The session ends on the server; the browser still sends its cookie.
	s.client.Session.Delete().ExecX(testdb.System())
	rec := s.do(http.MethodPost, "/settings/api/tokens", form, ada)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=/settings/api" {
		t.Fatalf("the form after the session ended: got %d to %q, want 303 to the login page, then the token page", rec.Code, rec.Header().Get("Location"))
	}
	if n := len(s.tokensNamed("Typed while away")); n != 0 {
		t.Fatalf("the form after the session ended minted %d tokens", n)
	}
	again := s.loginWith(sessionCookieOf(t, rec), "ada@example.test", "/settings/api")
	page := s.page("/settings/api", again)
	for _, want := range []string{`value="Typed while away"`, ">Long lunch</textarea>", `value="date" checked`, `value="2099-03-01"`,
		`name="read_only" type="checkbox" value="1" checked`, `id="project-` + prj.ID + `" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form after signing in again lacks %q", want)
		}
	}
	if page := s.page("/settings/api", again); strings.Contains(page, "Typed while away") {
		t.Error("the typed form comes back a second time")
	}

	// The rename form too.
	s.createToken(again, url.Values{"name": {"Old name"}})
	renamePage := "/settings/api/tokens/" + s.tokensNamed("Old name")[0].ID + "/rename"
	s.client.Session.Delete().ExecX(testdb.System())
	rec = s.do(http.MethodPost, renamePage, url.Values{"name": {"New name typed"}}, again)
	if rec.Header().Get("Location") != "/login?next="+renamePage {
		t.Fatalf("the rename form after the session ended: got %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	again = s.loginWith(sessionCookieOf(t, rec), "ada@example.test", renamePage)
	if page := s.page(renamePage, again); !strings.Contains(page, `value="New name typed"`) {
		t.Error("the rename form after signing in again lost the name typed")
	}

	// Posted from another site, with no cookie (SameSite keeps it home),
	// a form keeps nothing for the next sign-in.
	req := httptest.NewRequest(http.MethodPost, "/settings/api/tokens", strings.NewReader(url.Values{"name": {"Planted"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	cross := httptest.NewRecorder()
	s.handler.ServeHTTP(cross, req)
	if c := cross.Result().Cookies(); len(c) != 0 {
		t.Errorf("a cross-site form: got cookies %v, want none (nothing kept)", c)
	}
}

// TestOneWordForSigningOut: every page says "Sign out", as the login page
// says "Sign in"; none says "Log out".
func TestOneWordForSigningOut(t *testing.T) {
	s := newSite(t)
	s.user("ada@example.test", "Ada Admin", "ADMIN", true)
	ada := s.login("ada@example.test")
	for _, path := range []string{"/docs/api", "/settings/api", "/login"} {
		page := s.page(path, ada)
		if !strings.Contains(page, ">Sign out</button>") || strings.Contains(strings.ToLower(page), "log out") {
			t.Errorf("GET %s: want a Sign out button and no “Log out”", path)
		}
	}
}
