package api_test

import (
	"bytes"
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
	h := newHarnessWith(t, harnessOptions{
		configure: []func(*config.Config){func(c *config.Config) { c.MaxConcurrentOperations = 1 }},
		beforeStatement: func(line string) {
			if !strings.Contains(line, `FROM "projects"`) && !strings.Contains(line, "FROM `projects`") {
				return
			}
			projectsQ.Add(1)
			if hold.CompareAndSwap(true, false) {
				close(held)
				<-release
			}
		},
	})
	secret := h.admin()
	h.mustDo(secret, query, nil, nil) // the token's first use reads the database; later ones do not

	post := func(ctx context.Context) gqlResponse {
		body, _ := json.Marshal(map[string]any{"query": query})
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		var resp gqlResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			resp.Errors = []gqlError{{Message: "not JSON: " + rec.Body.String()}}
		}
		return resp
	}

	hold.Store(true)
	var first gqlResponse
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); first = post(context.Background()) }()
	<-held
	before := projectsQ.Load()
	scrape := httptest.NewRecorder()
	h.handler.ServeHTTP(scrape, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(scrape.Body.String(), "engage_graphql_operations_running 1\n") {
		t.Errorf("GET /metrics while one operation is held: want engage_graphql_operations_running 1")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	second := post(ctx)
	cancel()
	if !slices.Equal(second.codes(), []string{"SERVICE_UNAVAILABLE"}) {
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
