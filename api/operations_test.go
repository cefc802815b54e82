package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"engage/config"
	"engage/internal/apitest"
)

// TestOperationsWaitTheirTurn runs the server with one operation at a time:
// while an operation is held inside its SQL, a second one runs none of its
// own and, when its client gives up, is answered SERVICE_UNAVAILABLE; once
// the first ends, the next runs. /metrics shows the held one running.
func TestOperationsWaitTheirTurn(t *testing.T) {
	const query = `{ projects(first: 1) { totalCount } }`
	var (
		hold      atomic.Bool // hold the next statement on projects
		held      = make(chan struct{})
		release   = make(chan struct{})
		projectsQ atomic.Int64 // statements on projects run
	)
	h := apitest.NewWith(t, apitest.Options{
		Configure: func(c *config.Config) { c.MaxConcurrentOperations = 1 },
		BeforeStatement: func(query string) {
			if !strings.Contains(query, `FROM "projects"`) && !strings.Contains(query, "FROM `projects`") {
				return
			}
			projectsQ.Add(1)
			if hold.CompareAndSwap(true, false) {
				close(held)
				<-release
			}
		},
	})
	secret := h.Admin()
	h.MustDo(secret, query, nil, nil) // the token's first use reads the database; later ones do not

	post := func(ctx context.Context) apitest.Response {
		req := apitest.GraphQLRequest(query, nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+secret)
		raw := h.Serve(req) // off the test's goroutine: no t.Fatal
		var resp apitest.Response
		if err := json.Unmarshal([]byte(raw.Body), &resp); err != nil {
			resp.Errors = []apitest.Error{{Message: "not JSON: " + raw.Body}}
		}
		return resp
	}

	hold.Store(true)
	var first apitest.Response
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); first = post(context.Background()) }()
	<-held
	before := projectsQ.Load()
	scrape := httptest.NewRecorder()
	h.Handler.ServeHTTP(scrape, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(scrape.Body.String(), "engage_graphql_operations_running 1\n") {
		t.Errorf("GET /metrics while one operation is held: want engage_graphql_operations_running 1")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	second := post(ctx)
	cancel()
	if !slices.Equal(second.Codes(), []string{"SERVICE_UNAVAILABLE"}) {
		t.Errorf("an operation whose client left while waiting: errors %+v, want one SERVICE_UNAVAILABLE", second.Errors)
	}
	if got := projectsQ.Load(); got != before {
		t.Errorf("the waiting operation ran %d statements on projects, want none", got-before)
	}

	close(release)
	wg.Wait()
	if len(first.Errors) > 0 {
		t.Errorf("the held operation: errors %+v, want none", first.Errors)
	}
	if third := post(context.Background()); len(third.Errors) > 0 {
		t.Errorf("an operation after the held one ended: errors %+v, want none", third.Errors)
	}
}
