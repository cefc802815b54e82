// Package export serves the files analysts take to their own tools: a
// survey's responses as CSV, XLSX or NDJSON, and a map's pins with their
// comments as GeoJSON.
//
// Every row is read through the ent client with the request's viewer, so
// the privacy rules of package rule decide what an export holds, exactly as
// they decide what GraphQL answers: a hidden survey or map is not found,
// and rows the caller may not see are left out. Personal data is written
// only where rule.MaySeePersonalData allows, as the @personal directive
// does. Filters are the GraphQL where-inputs, checked against the GraphQL
// schema (where.go).
//
// Rows are read in keyset pages inside one read-only transaction, so an
// export is one snapshot, and written as they are read: memory stays flat
// whatever the size of the export.
package export

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/database"
	"engage/ent"
	"engage/ent/auditevent"
	"engage/gid"
	"engage/graph"
	"engage/rule"
	"engage/viewer"
)

// Codes of the refusals of exports, in extensions.code.
const (
	codeBadRequest       = "BAD_REQUEST"
	codeInvalidID        = "INVALID_ID"
	codeNotFound         = "NOT_FOUND"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeTooManyExports   = "TOO_MANY_EXPORTS"
	codeUnavailable      = "SERVICE_UNAVAILABLE"
	codeInternal         = "INTERNAL_SERVER_ERROR"
)

// maxConcurrentExports bounds the exports that run at once. Each holds a
// database connection and a transaction for as long as it streams, so
// without a bound a few clients could take the pool from the GraphQL API.
const maxConcurrentExports = 4

// writeWindow is how long each page of rows, and each write, may take to
// reach the client. The server's write timeout bounds a whole response; an
// export outlives it by moving the deadline on after every page and before
// every write (an XLSX workbook is written whole after its last page).
const writeWindow = time.Minute

// retryAfter is what a client refused for lack of capacity or an
// unavailable database should wait, in seconds.
const retryAfter = "5"

// Handler serves the exports under /exports/. It expects the caller's
// viewer in the request context (the API's authentication puts it there).
type Handler struct {
	client     *ent.Client
	logger     *slog.Logger
	schema     *ast.Schema
	limitWhere WhereLimit
	routes     *http.ServeMux
	// slots holds one token per export running.
	slots chan struct{}
	// pageSize is the rows read per query.
	pageSize int
}

// WhereLimit refuses a where filter that nests too deep or holds too many
// conditions, by the limits of the GraphQL API's own filters: where is the
// filter as decoded JSON, of the GraphQL input type inputType, and name
// names it in the refusal. It returns nil for a filter within the limits.
type WhereLimit func(name string, where any, inputType string) *gqlerror.Error

// New returns the handler of the exports, which reads with client and logs
// to logger.
func New(client *ent.Client, logger *slog.Logger, limitWhere WhereLimit) *Handler {
	h := &Handler{
		client:     client,
		logger:     logger,
		schema:     graph.NewSchema(client, 0).Schema(),
		limitWhere: limitWhere,
		routes:     http.NewServeMux(),
		slots:      make(chan struct{}, maxConcurrentExports),
		pageSize:   1000,
	}
	for _, f := range responseFormats {
		h.routes.HandleFunc("/exports/surveys/{id}/responses."+f.ext, h.surveyResponses(f))
	}
	h.routes.HandleFunc("/exports/maps/{id}/pins.geojson", h.mapPins)
	h.routes.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		refuse(http.StatusNotFound, codeNotFound, "no such export: see the Exports section of the README").write(w)
	})
	return h
}

// ServeHTTP serves GET requests for exports; the others are refused.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		refuse(http.StatusMethodNotAllowed, codeMethodNotAllowed, "exports are read with GET").write(w)
		return
	}
	h.routes.ServeHTTP(w, r)
}

// refusal is an export refused before its first byte was sent: a status, a
// code for extensions.code and a message safe to show.
type refusal struct {
	status    int
	code, msg string
}

func refuse(status int, code, msg string) *refusal { return &refusal{status, code, msg} }

func (r *refusal) Error() string { return r.msg }

// write answers with r as a GraphQL-shaped error, as the rest of the API
// answers the requests it refuses.
func (r *refusal) write(w http.ResponseWriter) {
	w.Header().Del("Content-Disposition")
	if r.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_ = json.NewEncoder(w).Encode(errorBody(r.code, r.msg))
}

// errorBody is the GraphQL-shaped body of an error.
func errorBody(code, msg string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}}
}

// params checks that the query string of r has no parameter but allowed,
// each at most once: a misspelt option is refused rather than ignored.
func params(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, codeBadRequest, "the query string is malformed")
	}
	for name, values := range q {
		if !slices.Contains(allowed, name) {
			return nil, refuse(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("unknown parameter %q: this export takes %s", name, strings.Join(allowed, ", ")))
		}
		if len(values) > 1 {
			return nil, refuse(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("parameter %q is given more than once", name))
		}
	}
	return q, nil
}

// boolParam reads an optional flag such as bom=1.
func boolParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	b, err := strconv.ParseBool(q.Get(name))
	if err != nil {
		return false, refuse(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("parameter %q must be 1 or 0", name))
	}
	return b, nil
}

// checkID refuses an ID that is not a well-formed global ID with prefix:
// the type is in the ID, so telling so reveals nothing.
func checkID(id, prefix, what string) error {
	if _, err := gid.Table(id); err != nil || !strings.HasPrefix(id, prefix+"_") {
		return refuse(http.StatusBadRequest, codeInvalidID, fmt.Sprintf("%q is not a %s ID", id, what))
	}
	return nil
}

// notFound answers a survey or map that is missing or hidden from the
// caller: the two look exactly the same.
func notFound(what string) error {
	return refuse(http.StatusNotFound, codeNotFound, what+" not found")
}

// acquire takes a slot for an export, or refuses when all are taken.
func (h *Handler) acquire() (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	default:
		return nil, refuse(http.StatusServiceUnavailable, codeTooManyExports,
			fmt.Sprintf("%d exports are running, the most the server runs at once: try again shortly", maxConcurrentExports))
	}
}

// snapshot opens the read-only transaction an export reads in, so that
// every page sees the same data: REPEATABLE READ on PostgreSQL; on SQLite a
// deferred transaction, whose first read fixes its snapshot (WAL), and
// which never takes the write lock.
func (h *Handler) snapshot(ctx context.Context) (*ent.Tx, error) {
	return h.client.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
}

// export is one export under way: what it writes, to whom, and how far it
// got, for its audit event and its ending.
type export struct {
	h       *Handler
	w       *trackingWriter
	r       *http.Request
	viewer  *viewer.Viewer
	details map[string]any // of the audit event: what was exported
	rows    int
}

// begin starts an export for the viewer of r; details name what it exports.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, details map[string]any) *export {
	return &export{h: h, w: &trackingWriter{ResponseWriter: w}, r: r, viewer: viewer.FromContext(r.Context()), details: details}
}

// pageDone sends the rows of a page on their way and gives the next page
// its own time to reach the client. Until the body has started nothing is
// flushed, which would send the status: a failure can still change it.
func (e *export) pageDone() {
	e.w.extendDeadline()
	if e.w.wrote {
		_ = http.NewResponseController(e.w.ResponseWriter).Flush()
	}
}

// finish records the export's audit event and, when err is not nil, ends
// the response so that the client can tell it failed: with an error status
// when nothing was sent yet, otherwise as failed ends it (an error line,
// or a connection cut short).
func (e *export) finish(err error, failed func(code, msg string)) {
	var ref *refusal
	if errors.As(err, &ref) { // refused before any byte: the client got nothing
		ref.write(e.w)
		return
	}
	e.audit(err == nil)
	if err == nil {
		return
	}
	code, reason := codeInternal, "an internal error"
	switch {
	case e.r.Context().Err() != nil:
		// The client went away: nobody is left to tell.
		e.h.logger.Info("export stopped: the client went away", "path", e.r.URL.Path, "rows", e.rows, "request_id", e.requestID())
		return
	case database.Unavailable(err):
		code, reason = codeUnavailable, "the database is unavailable"
	}
	e.h.logger.Error("export failed", "path", e.r.URL.Path, "rows", e.rows, "error", err, "request_id", e.requestID())
	msg := fmt.Sprintf("the export stopped after %d rows: %s; request it again", e.rows, reason)
	if !e.w.wrote {
		status := http.StatusInternalServerError
		if code == codeUnavailable {
			status = http.StatusServiceUnavailable
		}
		refuse(status, code, msg).write(e.w)
		return
	}
	failed(code, msg)
}

// abort ends a response whose body was started by cutting the connection
// short, without the end of its chunked body: the client sees an
// incomplete response rather than a file that looks whole.
func abort(string, string) { panic(http.ErrAbortHandler) }

// requestID is the ID the request log gave the request, for log lines.
func (e *export) requestID() string { return e.w.Header().Get("X-Request-ID") }

// audit records the export as an audit event: who, from where, what,
// in which format, how many rows and whether it completed. Events are
// written by the system on behalf of the caller (rule.System), after the
// export and even when its client went away.
func (e *export) audit(complete bool) {
	details := map[string]any{"rows": e.rows, "complete": complete}
	for k, v := range e.details {
		details[k] = v
	}
	create := e.h.client.AuditEvent.Create().
		SetAction(auditevent.ActionDATA_EXPORTED).
		SetIP(e.viewer.IP).
		SetActorID(e.viewer.UserID).
		SetDetails(details)
	if e.viewer.TokenID != "" {
		create.SetTokenID(e.viewer.TokenID)
	}
	if err := create.Exec(rule.System(context.WithoutCancel(e.r.Context()))); err != nil {
		e.h.logger.Error("recording an export's audit event failed", "error", err, "request_id", e.requestID())
	}
}

// trackingWriter remembers whether any byte of the body was sent, so that
// a failure can still be answered with an error status until then.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	w.extendDeadline()
	return w.ResponseWriter.Write(b)
}

// extendDeadline gives what is written next writeWindow to reach the
// client. A writer that cannot (a test's recorder) is fine: the server's
// writers can.
func (w *trackingWriter) extendDeadline() {
	_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(writeWindow))
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// attachment names the file a response is saved as. No cache keeps it:
// it may hold personal data, and is exported for one caller.
func attachment(w http.ResponseWriter, contentType, filename string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// timeFormat writes the times of exports (in UTC), as GraphQL writes them.
const timeFormat = time.RFC3339Nano
