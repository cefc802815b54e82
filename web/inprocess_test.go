package web_test

import (
	"errors"
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
	"engage/ent/apitoken"
	"engage/session"
	"engage/testdb"
	"engage/usage"
	"engage/web"
)

// pagesAlone is the pages on a mux that has no /graphql route, behind the
// session manager only: whatever they read or change goes through runner.
type pagesAlone struct {
	*site
	sessions *scs.SessionManager
	runner   api.Runner
}

func newPagesAlone(t *testing.T, cfg config.Config) *pagesAlone {
	t.Helper()
	db := testdb.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sm := session.NewManager(db.Ent, false)
	runner := api.New(api.Deps{DB: db, Config: cfg, Logger: logger, Sessions: sm, Usage: usage.New(db.Ent, logger)}).Runner()
	mux := http.NewServeMux()
	web.NewPages(web.Deps{Client: db.Ent, Sessions: sm, GraphQL: runner, Logger: logger, TokenMaxLifetime: cfg.TokenMaxLifetime}).Routes(mux)
	return &pagesAlone{site: &site{t: t, client: db.Ent, handler: sm.LoadAndSave(mux)}, sessions: sm, runner: runner}
}

// run runs an operation through the runner for a request with cookie's
// session, as a page does, and returns its error.
func (p *pagesAlone) run(cookie *http.Cookie, query string, vars map[string]any, out any) error {
	req := httptest.NewRequest(http.MethodGet, "/settings/api", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	var err error
	p.sessions.LoadAndSave(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		err = p.runner.Run(r, query, vars, out)
	})).ServeHTTP(httptest.NewRecorder(), req)
	return err
}

// TestPagesRunWithoutTheGraphQLRoute runs the pages, and the token page's
// whole life, on a mux without /graphql: they run their operations in
// process, not through a request to the mux.
func TestPagesRunWithoutTheGraphQLRoute(t *testing.T) {
	p := newPagesAlone(t, config.Default())
	p.user("ada@example.test", "Ada Admin", "ADMIN", true)
	admin := p.login("ada@example.test")
	prj := p.client.Project.Create().SetTitle("Riverside Park").SetSlug("riverside").SetSummary("s").SaveX(testdb.System())

	if rec := p.do(http.MethodGet, "/docs/api", nil, admin); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Ada Admin") {
		t.Errorf("GET /docs/api: got %d, want 200 with the signed-in user's name", rec.Code)
	}
	rec := p.createToken(admin, url.Values{"name": {"Power BI"}, "expiry": {"date"}, "expires_on": {"2099-06-30"}, "project": {prj.ID}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /settings/api/tokens: got %d, want 303 to the token page", rec.Code)
	}
	if page := p.do(http.MethodGet, "/settings/api", nil, admin).Body.String(); secretPattern.FindString(page) == "" {
		t.Fatal("the page after the form shows no secret")
	}
	tok := p.client.APIToken.Query().Where(apitoken.Name("Power BI")).WithAllowedProjects().OnlyX(testdb.System())
	if len(tok.Edges.AllowedProjects) != 1 || tok.Edges.AllowedProjects[0].ID != prj.ID {
		t.Errorf("the token's projects: got %v, want [%s]", tok.Edges.AllowedProjects, prj.ID)
	}
	if page := p.do(http.MethodGet, "/settings/api", nil, admin).Body.String(); !strings.Contains(page, tok.Prefix+"…") {
		t.Error("the token page does not list the new token")
	}
	rec = p.do(http.MethodPost, "/settings/api/tokens/"+tok.ID+"/revoke", url.Values{}, admin)
	if rec.Code != http.StatusSeeOther || p.client.APIToken.GetX(testdb.System(), tok.ID).RevokedAt == nil {
		t.Errorf("POST revoke: got %d, and the token is not revoked", rec.Code)
	}
}

// TestRunnerAnswersAsTheAPI runs operations through the runner as /graphql
// runs them for the same session: the same viewer, the same limits, and
// refusals with the same codes.
func TestRunnerAnswersAsTheAPI(t *testing.T) {
	cfg := config.Default()
	cfg.MaxDepth = 3
	p := newPagesAlone(t, cfg)
	adaID := p.user("ada@example.test", "Ada Admin", "ADMIN", true)
	goneID := p.user("gone@example.test", "Gone", "ADMIN", true)
	p.user("nia@example.test", "Nia NoAPI", "STAFF", false)
	ada, gone, nia := p.login("ada@example.test"), p.login("gone@example.test"), p.login("nia@example.test")
	p.client.User.UpdateOneID(goneID).SetActive(false).ExecX(testdb.System())

	var who struct {
		Viewer struct{ User struct{ ID string } }
	}
	if err := p.run(ada, `{ viewer { user { id } } }`, nil, &who); err != nil || who.Viewer.User.ID != adaID {
		t.Errorf("viewer as Ada: got %q, %v; want %q", who.Viewer.User.ID, err, adaID)
	}
	for name, cookie := range map[string]*http.Cookie{"no session": nil, "a deactivated user": gone} {
		if err := p.run(cookie, `{ viewer { user { id } } }`, nil, nil); !errors.Is(err, api.ErrSignedOut) {
			t.Errorf("%s: got %v, want api.ErrSignedOut", name, err)
		}
	}
	for _, c := range []struct {
		name   string
		cookie *http.Cookie
		query  string
		vars   map[string]any
		code   string
	}{
		{"minting without API access", nia, `mutation($input: CreateAPITokenInput!) { createAPIToken(input: $input) { secret } }`,
			map[string]any{"input": map[string]any{"name": "x", "projectIDs": []string{}}}, "FORBIDDEN"},
		{"deeper than the limit", ada, `{ projects { edges { node { surveys { edges { node { id } } } } } } }`, nil, "DEPTH_LIMIT"},
		{"a query that does not parse", ada, `{ viewer {`, nil, "GRAPHQL_PARSE_FAILED"},
		{"a malformed cursor", ada, `{ projects(after: "x") { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"a variable of the wrong type", ada, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": []int{1}}, "GRAPHQL_VALIDATION_FAILED"},
	} {
		var opErr *api.OperationError
		if err := p.run(c.cookie, c.query, c.vars, nil); !errors.As(err, &opErr) || opErr.Code != c.code {
			t.Errorf("%s: got %v, want an *api.OperationError with code %s", c.name, err, c.code)
		}
	}
}
