package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/graph"
	"engage/testdb"
)

// TestTransportExecutesAsGqlgens sends the same requests for operations
// that run to the schema through Transport and through gqlgen's
// transport.POST: status, content type and JSON must be the same. (Requests
// that fail before execution are answered differently on purpose; see
// Transport and malformed_test.go.)
func TestTransportExecutesAsGqlgens(t *testing.T) {
	es := graph.NewSchema(testdb.Open(t).Ent, time.Hour)
	serve := func(tr graphql.Transport) http.Handler {
		srv := handler.New(es)
		srv.AddTransport(tr)
		srv.Use(extension.Introspection{})
		return srv
	}
	ours, gqlgens := serve(Transport{}), serve(transport.POST{})
	typename := `{"query": "{ __typename a: __typename }"}`
	for _, c := range []struct{ body, accept string }{
		{typename, ""},
		{typename, "application/json"},
		{typename, "application/graphql-response+json"},
		{typename, "text/html, */*;q=0.8"},
		{typename, "text/html"},
		{`{"query": "{ projects(first: 1) { totalCount } }"}`, ""}, // no viewer: refused during execution
		{`{"query": "query Q($n: Boolean!) { __typename @include(if: true) a: __typename @skip(if: false) n: __typename @include(if: $n) }", "variables": {"n": true}, "operationName": "Q"}`, ""},
	} {
		do := func(h http.Handler) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			if c.accept != "" {
				r.Header.Set("Accept", c.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		got, want := do(ours), do(gqlgens)
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("%s (Accept %q): status %d, %s; gqlgen: %d, %s", c.body, c.accept,
				got.Code, got.Header().Get("Content-Type"), want.Code, want.Header().Get("Content-Type"))
		}
		if g, w := mustDecodeJSON(t, got.Body.Bytes()), mustDecodeJSON(t, want.Body.Bytes()); !reflect.DeepEqual(g, w) {
			t.Errorf("%s (Accept %q):\n got %s\nwant %s", c.body, c.accept, got.Body, want.Body)
		}
		if got.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", c.body)
		}
	}
}

// TestWriteResponseWritesWhatEncodingJSONWrites compares writeResponse
// with json.Marshal on responses with and without each member.
func TestWriteResponseWritesWhatEncodingJSONWrites(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"a":[1,2,{"b":"<c>"}]}`)},
		{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "no", Extensions: map[string]any{"code": "X"}}}},
		{Errors: gqlerror.List{{Message: "bad"}}},
		{Data: json.RawMessage(`{}`), Extensions: map[string]any{"cost": 3}, Label: "l", HasNext: &yes},
	} {
		var got bytes.Buffer
		writeResponse(&got, resp)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustDecodeJSON(t, got.Bytes()), mustDecodeJSON(t, want); !reflect.DeepEqual(g, w) {
			t.Errorf("wrote %s, encoding/json writes %s", got.String(), want)
		}
	}
}

func mustDecodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

// BenchmarkWriteResponse compares writeResponse with what transport.POST
// does (json.Marshal) on 100 KB of data, the size of the nested bench query's.
func BenchmarkWriteResponse(b *testing.B) {
	item := `{"node":{"id":"rsp_6WZTX3k75rwTGY9chUqE7P","submittedAt":"2026-11-25T23:40:01.123456Z"}}`
	data := json.RawMessage(`{"edges":[` + strings.Repeat(item+",", 1100) + item + `]}`)
	resp := &graphql.Response{Data: data}
	var w bytes.Buffer
	b.Run("writeResponse", func(b *testing.B) {
		for b.Loop() {
			w.Reset()
			writeResponse(&w, resp)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			w.Reset()
			out, _ := json.Marshal(resp)
			w.Write(out)
		}
	})
}
