package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"engage/internal/apitest"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestClientDisconnectStopsDatabaseWork: when the client of an operation
// hangs up while its first statement is about to run, the request's
// context is cancelled, that statement fails with it instead of running,
// and the operation runs no further statement (here, its nested page).
func TestClientDisconnectStopsDatabaseWork(t *testing.T) {
	const query = `{ projects(first: 10) { edges { node { title surveys(first: 10) { edges { node { title } } } } } } }`
	var (
		hold       atomic.Bool // hold the next statement on projects
		requestCtx = make(chan context.Context, 1)
		held       = make(chan struct{})
		cancelled  atomic.Bool // the held statement's request ended
		surveysQ   atomic.Int64
	)
	h := apitest.NewWith(t, apitest.Options{BeforeStatement: func(query string) {
		if strings.Contains(query, `FROM "surveys"`) || strings.Contains(query, "FROM `surveys`") {
			surveysQ.Add(1)
		}
		if !strings.Contains(query, `FROM "projects"`) && !strings.Contains(query, "FROM `projects`") || !hold.CompareAndSwap(true, false) {
			return
		}
		ctx := <-requestCtx
		close(held)
		select {
		case <-ctx.Done():
			cancelled.Store(true)
		case <-time.After(10 * time.Second): // a failure, not a measurement
		}
	}})
	admin := h.Admin()
	var created struct{ CreateProject struct{ ID string } }
	h.MustDo(admin, `mutation { createProject(input: {title: "P", slug: "p"}) { id } }`, nil, &created)
	h.MustDo(admin, `mutation($p: ID!) { createSurvey(input: {title: "S", projectID: $p}) { id } }`, map[string]any{"p": created.CreateProject.ID}, nil)
	h.MustDo(admin, query, nil, nil) // the nested page runs a statement on surveys

	answered := make(chan *httptest.ResponseRecorder, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requestCtx <- r.Context()
		rec := httptest.NewRecorder() // what the server answers, though nobody listens
		h.Handler.ServeHTTP(rec, r)
		answered <- rec
	}))
	defer srv.Close()

	hold.Store(true)
	surveysBefore := surveysQ.Load()
	ctx, hangUp := context.WithCancel(context.Background())
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+admin)
	clientDone := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		clientDone <- err
	}()
	<-held
	hangUp()
	if err := <-clientDone; err == nil {
		t.Fatal("the client got an answer before it hung up")
	}
	var rec *httptest.ResponseRecorder
	select {
	case rec = <-answered:
	case <-time.After(20 * time.Second):
		t.Fatal("the handler did not return after its client hung up")
	}

	if !cancelled.Load() {
		t.Error("the request's context was not cancelled when its client hung up")
	}
	var resp apitest.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("the answer is not JSON: %s", rec.Body)
	}
	if !slices.Equal(resp.Codes(), []string{"SERVICE_UNAVAILABLE"}) {
		t.Errorf("the statement of a request whose client left: got errors %+v, want [SERVICE_UNAVAILABLE] (it ran, or failed otherwise)", resp.Errors)
	}
	if n := surveysQ.Load() - surveysBefore; n != 0 {
		t.Errorf("after the client hung up, %d statements on surveys ran, want none", n)
	}
}
