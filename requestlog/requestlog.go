// Package requestlog gives every HTTP request an ID and logs one line per
// request. The ID is what an internal error tells the caller to quote
// (package api), so that the log finds the request.
package requestlog

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"engage/gid"
)

type idKey struct{}

// ID returns the ID that Handler gave the request of ctx, or "" outside one.
func ID(ctx context.Context) string {
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// Handler gives each request an ID (returned in X-Request-ID) and logs its
// method, path, status and duration. It never logs headers or bodies,
// which may hold secrets.
func Handler(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := gid.Random(16)
		w.Header().Set("X-Request-ID", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), idKey{}, id)))
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// statusRecorder remembers the status code a handler sent: the first one
// written (net/http ignores later ones), or 200 when the handler wrote a
// body first.
type statusRecorder struct {
	http.ResponseWriter
	status int
	sent   bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.sent && code >= 200 {
		s.status, s.sent = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.sent = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer (an
// export flushes and moves its write deadline on through it).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
