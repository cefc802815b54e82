package export_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/user"
	"engage/gid"
	"engage/testdb"
	"engage/token"
)

// nestedNot is a response filter levels filters deep.
func nestedNot(levels int) string {
	f := `{"submittedAtGT": "2020-01-01T00:00:00Z"}`
	for range levels - 1 {
		f = `{"not": ` + f + `}`
	}
	return f
}

// manyConditions is a response filter of n+1 conditions.
func manyConditions(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"id": "rsp_%d"}`, i)
	}
	return `{"or": [` + strings.Join(parts, ",") + `]}`
}

// manyValues is a response filter that lists n IDs.
func manyValues(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"rsp_%d"`, i)
	}
	return `{"idIn": [` + strings.Join(ids, ",") + `]}`
}

// TestRefusals checks that every export request that cannot be served is
// refused before anything is read or audited, with its status and a
// specific extensions.code: a method other than GET, a path that names no
// export, an ID that is malformed or of another type, an unknown or
// repeated parameter, and a where filter that is not JSON, not a value of
// the GraphQL input type (among them filters on what the GraphQL types
// hide: personal data), or beyond the GraphQL API's filter limits.
func TestRefusals(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	f := newFixture(s)
	csvPath := f.path("csv")
	mapPath := "/exports/maps/" + gid.New(gid.Map) + "/pins.geojson"
	where := func(w string) url.Values { return url.Values{"where": {w}} }
	cases := []struct {
		name   string
		method string
		path   string
		query  url.Values
		status int
		code   string
	}{
		{"POST", http.MethodPost, csvPath, nil, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"no such export", http.MethodGet, "/exports/surveys/" + f.surveyID + "/answers.csv", nil, http.StatusNotFound, "NOT_FOUND"},
		{"no such format", http.MethodGet, "/exports/surveys/" + f.surveyID + "/responses.pdf", nil, http.StatusNotFound, "NOT_FOUND"},
		{"a malformed ID", http.MethodGet, "/exports/surveys/svy_nope/responses.csv", nil, http.StatusBadRequest, "INVALID_ID"},
		{"the ID of a project", http.MethodGet, "/exports/surveys/" + gid.New(gid.Project) + "/responses.csv", nil, http.StatusBadRequest, "INVALID_ID"},
		{"the ID of a survey for a map", http.MethodGet, "/exports/maps/" + f.surveyID + "/pins.geojson", nil, http.StatusBadRequest, "INVALID_ID"},
		{"an unknown parameter", http.MethodGet, csvPath, url.Values{"filter": {"{}"}}, http.StatusBadRequest, "BAD_REQUEST"},
		{"bom on NDJSON", http.MethodGet, f.path("ndjson"), url.Values{"bom": {"1"}}, http.StatusBadRequest, "BAD_REQUEST"},
		{"a repeated parameter", http.MethodGet, csvPath, url.Values{"bom": {"1", "0"}}, http.StatusBadRequest, "BAD_REQUEST"},
		{"where is not JSON", http.MethodGet, csvPath, where(`{submittedAtGT: 1}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"where is a list", http.MethodGet, csvPath, where(`[]`), http.StatusBadRequest, "INVALID_FILTER"},
		{"where has more after it", http.MethodGet, csvPath, where(`{} {}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"an unknown field", http.MethodGet, csvPath, where(`{"title": "x"}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a respondent's email", http.MethodGet, csvPath, where(`{"respondentEmail": "ann@example.test"}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a respondent's name, nested", http.MethodGet, csvPath, where(`{"not": {"respondentNameContains": "A"}}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a pin author's email", http.MethodGet, mapPath, where(`{"authorEmailHasSuffix": "@example.test"}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a comment author's email, across an edge", http.MethodGet, mapPath, where(`{"hasCommentsWith": [{"authorEmail": "x"}]}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a number for a time", http.MethodGet, csvPath, where(`{"submittedAtGT": 5}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"text that is not a time", http.MethodGet, csvPath, where(`{"submittedAtGT": "yesterday"}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"a value for an ID list", http.MethodGet, csvPath, where(`{"idIn": [{"id": "x"}]}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"an empty not", http.MethodGet, csvPath, where(`{"not": {}}`), http.StatusBadRequest, "INVALID_FILTER"},
		{"11 levels deep", http.MethodGet, csvPath, where(nestedNot(11)), http.StatusBadRequest, "FILTER_TOO_DEEP"},
		{"9,000 levels deep", http.MethodGet, csvPath, where(nestedNot(9000)), http.StatusBadRequest, "FILTER_TOO_DEEP"},
		{"101 conditions", http.MethodGet, csvPath, where(manyConditions(100)), http.StatusBadRequest, "FILTER_TOO_LARGE"},
		{"10,001 values", http.MethodGet, csvPath, where(manyValues(10001)), http.StatusBadRequest, "FILTER_TOO_LARGE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if c.query != nil {
				path += "?" + c.query.Encode()
			}
			req := httptest.NewRequest(c.method, path, nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			rec := httptest.NewRecorder()
			s.Handler.ServeHTTP(rec, req)
			resp := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			if code := errorCode(t, resp); resp.Status != c.status || code != c.code {
				t.Errorf("got %d %s, want %d %s: %s", resp.Status, code, c.status, c.code, resp.Body)
			}
			if c.method == http.MethodPost && resp.Header.Get("Allow") != http.MethodGet {
				t.Errorf("Allow: got %q, want GET", resp.Header.Get("Allow"))
			}
			if resp.Header.Get("Content-Disposition") != "" {
				t.Errorf("a refusal is served as a file: %s", resp.Header.Get("Content-Disposition"))
			}
		})
	}
	if n := s.DB.Ent.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionDATA_EXPORTED)).CountX(testdb.System()); n != 0 {
		t.Errorf("refused exports wrote %d audit events, want none", n)
	}

	// Filters at the limits run.
	for _, w := range []string{nestedNot(10), manyConditions(99), manyValues(10000), `{"__typename": "ResponseWhereInput", "idIn": "` + f.responses[0] + `"}`} {
		s.export(admin, csvPath, where(w))
	}
}

// TestUnauthenticated checks that exports need a token or a session, as
// /graphql does: 401 UNAUTHENTICATED with the Bearer challenge otherwise.
func TestUnauthenticated(t *testing.T) {
	s := newServer(t)
	s.Admin()
	f := newFixture(s)
	for _, secret := range []string{"", "eng_notavalidtoken"} {
		resp := s.get(secret, f.path("csv"), nil)
		if code := errorCode(t, resp); resp.Status != http.StatusUnauthorized || code != "UNAUTHENTICATED" {
			t.Errorf("token %q: got %d %s, want 401 UNAUTHENTICATED", secret, resp.Status, code)
		}
		if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
			t.Errorf("token %q: WWW-Authenticate %q, want a Bearer challenge", secret, got)
		}
	}
}

// TestSessionsAndTokens checks the callers an export serves: a login
// session (a link on the documentation page), a read-only token, whose
// exports are reads, and a token limited to projects, to which a survey of
// another project does not exist.
func TestSessionsAndTokens(t *testing.T) {
	s := newServer(t)
	s.Admin()
	f := newFixture(s)
	adminID := s.DB.Ent.User.Query().Where(user.Email("root@example.test")).OnlyIDX(testdb.System())

	if resp := s.getWithCookie(s.login("root@example.test"), f.path("csv")); resp.Status != http.StatusOK || !strings.HasPrefix(string(resp.Body), "id,submittedAt,respondentName") {
		t.Errorf("an export with the admin's session: got %d %.100s", resp.Status, resp.Body)
	}

	readOnly := s.Mint(token.Spec{OwnerID: adminID, Name: "read-only", ReadOnly: true})
	s.export(readOnly, f.path("ndjson"), nil)

	other := s.DB.Ent.Project.Create().SetTitle("Other").SetSlug("other").SaveX(testdb.System())
	limited := s.Mint(token.Spec{OwnerID: adminID, Name: "limited", ProjectIDs: []string{other.ID}})
	if resp := s.get(limited, f.path("csv"), nil); resp.Status != http.StatusNotFound || errorCode(t, resp) != "NOT_FOUND" {
		t.Errorf("a token limited to another project: got %d %s, want 404 NOT_FOUND", resp.Status, resp.Body)
	}
}

// TestAuditEvents checks that each export records one DATA_EXPORTED event:
// who (the user, and the token when there is one), from where, what, in
// which format, how many rows, whether it was filtered and completed.
func TestAuditEvents(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	f := newFixture(s)
	tok := s.DB.Ent.APIToken.Query().OnlyX(testdb.System())

	s.export(admin, f.path("csv"), url.Values{"where": {`{"submittedAtGT": "2026-03-02T00:00:00Z"}`}})
	m := s.DB.Ent.ProjectMap.Create().SetTitle("Map").SetCenterLatitude(1).SetCenterLongitude(2).
		SetProjectID(s.DB.Ent.Project.Query().OnlyIDX(testdb.System())).SaveX(testdb.System())
	s.DB.Ent.Pin.Create().SetMapID(m.ID).SetLatitude(1).SetLongitude(2).SetBody("Here").ExecX(testdb.System())
	s.export(admin, "/exports/maps/"+m.ID+"/pins.geojson", nil)

	events := s.DB.Ent.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionDATA_EXPORTED)).Order(ent.Asc(auditevent.FieldCreatedAt)).AllX(testdb.System())
	if len(events) != 2 {
		t.Fatalf("got %d DATA_EXPORTED events, want 2", len(events))
	}
	want := []map[string]any{
		{"survey": f.surveyID, "format": "csv", "rows": float64(2), "complete": true, "filtered": true},
		{"map": m.ID, "format": "geojson", "rows": float64(1), "complete": true},
	}
	for i, e := range events {
		details, _ := json.Marshal(e.Details)
		var got map[string]any
		_ = json.Unmarshal(details, &got)
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("event %d details: got %v, want %v", i, got, want[i])
		}
		if e.ActorID == nil || *e.ActorID != tok.OwnerID || e.TokenID == nil || *e.TokenID != tok.ID || e.IP != "192.0.2.1" {
			t.Errorf("event %d: actor %v, token %v, IP %q; want %s, %s and httptest's 192.0.2.1", i, e.ActorID, e.TokenID, e.IP, tok.OwnerID, tok.ID)
		}
	}
}
