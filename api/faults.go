package api

import (
	"context"
	"database/sql/driver"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"engage/database"
	"engage/requestlog"
)

// retryAfter is what a request refused because the database is unavailable
// is told to wait before trying again (the Retry-After header).
const retryAfter = 5 * time.Second

// outageLogInterval is how often one kind of failure is logged while it
// repeats, as during a database outage.
const outageLogInterval = 10 * time.Second

// quietLog logs a failure that repeats, such as the database being
// unreachable for every request of an outage, once per interval: the
// first occurrence at once, then one line with the number of those that
// followed within the interval. Failures are told apart by their message,
// a constant of the code, so the set of them is bounded; the error of the
// first occurrence stands for the others.
type quietLog struct {
	logger *slog.Logger
	every  time.Duration
	mu     sync.Mutex
	more   map[string]int // by message: occurrences since the logged one
}

func newQuietLog(logger *slog.Logger, every time.Duration) *quietLog {
	return &quietLog{logger: logger, every: every, more: map[string]int{}}
}

// Error logs msg with err at ERROR, unless msg was logged less than an
// interval ago: then it is only counted.
func (q *quietLog) Error(ctx context.Context, msg string, err error) {
	q.mu.Lock()
	if n, open := q.more[msg]; open {
		q.more[msg] = n + 1
		q.mu.Unlock()
		return
	}
	q.more[msg] = 0
	q.mu.Unlock()
	q.logger.ErrorContext(ctx, msg, "error", err, "request_id", requestlog.ID(ctx))
	time.AfterFunc(q.every, func() {
		q.mu.Lock()
		n := q.more[msg]
		delete(q.more, msg)
		q.mu.Unlock()
		if n > 0 {
			q.logger.Error(msg, "error", err, "more", n, "in_last", q.every.String())
		}
	})
}

type unavailableKey struct{}

// markUnavailable records that the request of ctx failed because the
// database is unavailable, so that its response is a 503 with Retry-After
// (withUnavailableStatus). It does nothing outside such a request.
func markUnavailable(ctx context.Context) {
	if flag, ok := ctx.Value(unavailableKey{}).(*atomic.Bool); ok {
		flag.Store(true)
	}
}

func unavailable(ctx context.Context) bool {
	flag, ok := ctx.Value(unavailableKey{}).(*atomic.Bool)
	return ok && flag.Load()
}

// withUnavailableFlag returns ctx with a flag of its own for
// markUnavailable to set.
func withUnavailableFlag(ctx context.Context) context.Context {
	return context.WithValue(ctx, unavailableKey{}, new(atomic.Bool))
}

// withUnavailableStatus answers a GraphQL request with 503 and Retry-After,
// instead of 200, when any of its errors was the database being
// unavailable: clients and proxies then retry it as they should, and
// monitoring counts it as the outage it is. The error presenter marks the
// request while the response is being built, before its first byte.
func withUnavailableStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := withUnavailableFlag(r.Context())
		next.ServeHTTP(&unavailableWriter{ResponseWriter: w, ctx: ctx}, r.WithContext(ctx))
	})
}

type unavailableWriter struct {
	http.ResponseWriter
	ctx   context.Context // the request's, with its flag
	wrote bool
}

func (w *unavailableWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if code == http.StatusOK && unavailable(w.ctx) {
			setRetryAfter(w.Header())
			code = http.StatusServiceUnavailable
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *unavailableWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *unavailableWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func setRetryAfter(h http.Header) {
	h.Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
}

// writeUnavailable refuses a request outside the GraphQL executor because
// the database is unavailable.
func writeUnavailable(w http.ResponseWriter) {
	setRetryAfter(w.Header())
	writeGraphQLError(w, http.StatusServiceUnavailable, codeUnavailable, errUnavailable.Error())
}

// committingTx reports a failed commit as the database being unavailable
// when it is, and never with the driver's words: entgql's Transactioner
// puts the commit's error message in the response as it is.
type committingTx struct {
	driver.Tx
	ctx    context.Context
	logger *slog.Logger
	outage *quietLog
}

func (t committingTx) Commit() error {
	err := t.Tx.Commit()
	switch {
	case err == nil:
		return nil
	case database.Unavailable(err):
		markUnavailable(t.ctx)
		t.outage.Error(t.ctx, "database unavailable at commit", err)
		return errUnavailable
	}
	t.logger.ErrorContext(t.ctx, "commit failed", "error", err, "request_id", requestlog.ID(t.ctx))
	return errCommit
}

// transactionErrors gives SERVICE_UNAVAILABLE to the errors that entgql's
// Transactioner makes itself when the database is unavailable as it opens
// or commits a transaction: no error presenter sees them.
type transactionErrors struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = transactionErrors{}

func (transactionErrors) ExtensionName() string                   { return "TransactionErrors" }
func (transactionErrors) Validate(graphql.ExecutableSchema) error { return nil }

func (transactionErrors) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	for _, e := range resp.Errors {
		if e.Extensions["code"] != nil {
			continue
		}
		if unavailable(ctx) {
			e.Message, e.Extensions = errUnavailable.Error(), map[string]any{"code": codeUnavailable}
		}
	}
	return resp
}

// SessionError answers a request whose login session could not be loaded
// or saved (scs.SessionManager.ErrorFunc), as the API answers a failure of
// the database: 503 with Retry-After while it is unavailable (logged once
// per interval), else 500; with a GraphQL-shaped body either way.
func (a *API) SessionError(w http.ResponseWriter, r *http.Request, err error) {
	if database.Unavailable(err) {
		a.outage.Error(r.Context(), "loading a session failed", err)
		writeUnavailable(w)
		return
	}
	a.logger.ErrorContext(r.Context(), "session error", "method", r.Method, "path", r.URL.Path, "error", err)
	writeGraphQLError(w, http.StatusInternalServerError, codeInternal, "internal error")
}
