package apitest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a decoded GraphQL response with its status and headers.
type Response struct {
	Status int
	Header http.Header
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Codes lists the extensions.code of every error.
func (r Response) Codes() []string {
	var out []string
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, code)
	}
	return out
}

// RawResponse is an HTTP response as it came, for what Response cannot tell:
// an absent key, a cookie, a secret anywhere in the body.
type RawResponse struct {
	Status  int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
}

// GraphQL decodes the body as a GraphQL response.
func (r RawResponse) GraphQL(t testing.TB) Response {
	t.Helper()
	resp := Response{Status: r.Status, Header: r.Header}
	if err := json.Unmarshal([]byte(r.Body), &resp); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", r.Status, r.Body)
	}
	return resp
}

// GraphQLRequest is a POST /graphql without credentials.
func GraphQLRequest(query string, vars map[string]any) *http.Request {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// Serve runs req through the handler and returns the response as it came.
func (s *Server) Serve(req *http.Request) RawResponse {
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	return RawResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String(), Cookies: rec.Result().Cookies()}
}

// Send runs req with the token secret ("" for none) and decodes the
// response, failing the test when it is not JSON.
func (s *Server) Send(secret string, req *http.Request) Response {
	s.t.Helper()
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return s.Serve(req).GraphQL(s.t)
}

// Do posts a GraphQL request with the token secret ("" for none).
func (s *Server) Do(secret, query string, vars map[string]any) Response {
	s.t.Helper()
	return s.Send(secret, GraphQLRequest(query, vars))
}

// DoRaw is Do that keeps the response as it came.
func (s *Server) DoRaw(secret, query string, vars map[string]any) RawResponse {
	req := GraphQLRequest(query, vars)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return s.Serve(req)
}

// MustDo is Do that fails the test on any GraphQL error and decodes data
// into out (when not nil).
func (s *Server) MustDo(secret, query string, vars map[string]any, out any) {
	s.t.Helper()
	resp := s.Do(secret, query, vars)
	if len(resp.Errors) > 0 {
		s.t.Fatalf("query failed: %+v\nquery: %s", resp.Errors, strings.TrimSpace(query))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			s.t.Fatalf("decoding data %s: %v", resp.Data, err)
		}
	}
}
