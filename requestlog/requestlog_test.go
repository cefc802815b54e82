package requestlog_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"engage/requestlog"
)

// TestHandlerLogsEachRequestUnderItsID checks that the ID a handler reads is
// the one returned in X-Request-ID and logged with the status first sent,
// and that no header is logged.
func TestHandlerLogsEachRequestUnderItsID(t *testing.T) {
	var logs bytes.Buffer
	var seen string
	h := requestlog.Handler(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = requestlog.ID(r.Context())
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusOK) // ignored by net/http, and by the log
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql?x=1", nil)
	req.Header.Set("Authorization", "Bearer secret-value")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	id := rec.Header().Get("X-Request-ID")
	if id == "" || seen != id {
		t.Fatalf("X-Request-ID %q, ID in the handler %q: want the same, not empty", id, seen)
	}
	line := logs.String()
	for _, want := range []string{"request_id=" + id, "method=POST", "path=/graphql ", "status=418"} {
		if !strings.Contains(line, want) {
			t.Errorf("the log line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "secret-value") {
		t.Errorf("the log line %q holds a header", line)
	}
	if got := requestlog.ID(req.Context()); got != "" {
		t.Errorf("ID outside a request: got %q, want empty", got)
	}
}
