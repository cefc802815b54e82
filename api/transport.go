package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes in extensions.code of requests refused before they became a GraphQL
// operation. Each names what the client has to change.
const (
	codeBadRequest           = "BAD_REQUEST"
	codeBatchNotSupported    = "BATCH_NOT_SUPPORTED"
	codeBodyTooLarge         = "BODY_TOO_LARGE"
	codeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	codeRequestTimeout       = "REQUEST_TIMEOUT"
	codeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	codeHashMismatch         = "PERSISTED_QUERY_HASH_MISMATCH"
)

// allowedMethods is the Allow header of /graphql.
const allowedMethods = "GET, POST, OPTIONS"

// Transport is the server's one HTTP transport: it answers GET and POST
// (and OPTIONS and every other method) as the GraphQL-over-HTTP
// specification asks, in place of gqlgen's transport.GET, transport.POST and
// transport.Options, for three reasons:
//
//   - gqlgen's POST transport hands a body that is not a request object to
//     the response interceptors with no operation context, and answers
//     parameters of the wrong type as parse or validation failures; here
//     every such request is refused with its own status and code, and never
//     reaches the executor;
//   - the status of request errors (parse, validation, variables, limits)
//     follows the specification: 200 for application/json, 400 for
//     application/graphql-response+json, and no data entry in either
//     (gqlgen answers 422 and "data": null);
//   - the response of an executed operation is written as the executor
//     wrote it: transport.POST marshals it with encoding/json, which checks
//     and compacts that JSON a second time (7% of the server's CPU on the
//     nested analyst query).
type Transport struct{}

var _ graphql.Transport = Transport{}

// Supports accepts every request: Do refuses the ones it cannot serve with
// a GraphQL-shaped error rather than gqlgen's bare "transport not supported".
func (Transport) Supports(*http.Request) bool { return true }

func (Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// Responses are JSON that may hold user text unescaped ('<' and '>'
	// included): browsers must not guess another type.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	mediaType := responseContentType(r.Header.Get("Accept"))
	start := graphql.Now()
	params, refused := readParams(r)
	if refused != nil {
		refused.write(w, mediaType)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	operation, errs := exec.CreateOperationContext(r.Context(), params)
	if errs != nil {
		// A request error: nothing ran. The response interceptors see it
		// as they do in gqlgen, with the operation context as far as it got.
		resp := exec.DispatchError(graphql.WithOperationContext(r.Context(), operation), errs)
		status := http.StatusOK
		if mediaType == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeErrors(w, mediaType, status, resp.Errors, resp.Extensions)
		return
	}
	if r.Method == http.MethodGet && operation.Operation.Operation != ast.Query {
		(&refusal{status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, allow: http.MethodPost,
			message: "only queries can be sent with GET; send " + string(operation.Operation.Operation) + "s with POST"}).write(w, mediaType)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	responses, ctx := exec.DispatchOperation(r.Context(), operation)
	writeResponse(w, responses(ctx))
}

// refusal is a request refused before it became a GraphQL operation: its
// status, extensions.code, message, and the Allow header of a 405.
type refusal struct {
	status        int
	code, message string
	allow         string
}

func badRequest(message string) *refusal {
	return &refusal{status: http.StatusBadRequest, code: codeBadRequest, message: message}
}

// errBodyTooLarge refuses a body over ENGAGE_MAX_BODY_BYTES, whether its
// Content-Length said so (limitBody) or it was cut off while read.
var errBodyTooLarge = &refusal{status: http.StatusRequestEntityTooLarge, code: codeBodyTooLarge,
	message: "the request body is larger than the limit of this server"}

func (f *refusal) write(w http.ResponseWriter, mediaType string) {
	if f.allow != "" {
		w.Header().Set("Allow", f.allow)
	}
	writeErrors(w, mediaType, f.status, gqlerror.List{{Message: f.message, Extensions: map[string]any{"code": f.code}}}, nil)
}

// writeErrors writes the response to a request that did not run: errors,
// and no data entry.
func writeErrors(w http.ResponseWriter, mediaType string, status int, errs gqlerror.List, extensions map[string]any) {
	body, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{errs, extensions})
	if err != nil {
		panic(err) // errors are plain structs
	}
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readParams reads the GraphQL request of r: from the URL of a GET, from
// the JSON body of a POST.
func readParams(r *http.Request) (*graphql.RawParams, *refusal) {
	switch r.Method {
	case http.MethodGet:
		return readGetParams(r)
	case http.MethodPost:
		return readPostParams(r)
	}
	return nil, &refusal{status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed,
		message: "/graphql answers GET and POST, not " + r.Method, allow: allowedMethods}
}

func readGetParams(r *http.Request) (*graphql.RawParams, *refusal) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the URL's query string is malformed")
	}
	fields := make(map[string]any, len(values))
	for name := range values {
		fields[name] = values.Get(name)
	}
	for _, name := range []string{"variables", "extensions"} {
		if s := values.Get(name); s != "" {
			v, err := decodeJSON([]byte(s))
			if err != nil {
				return nil, badRequest(name + " is not JSON: " + err.Error())
			}
			fields[name] = v
		} else {
			delete(fields, name)
		}
	}
	return newParams(fields)
}

func readPostParams(r *http.Request) (*graphql.RawParams, *refusal) {
	mediaType, charset, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" || (charset["charset"] != "" && !strings.EqualFold(charset["charset"], "utf-8")) {
		return nil, &refusal{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType,
			message: "send the request as Content-Type: application/json (UTF-8)"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, readFailure(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("the request body is empty; send a JSON object with a query")
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, badRequest("the request body is not JSON: " + err.Error())
	}
	switch v := v.(type) {
	case map[string]any:
		return newParams(v)
	case []any:
		return nil, &refusal{status: http.StatusBadRequest, code: codeBatchNotSupported,
			message: "batches of operations are not supported; send each operation in a request of its own"}
	}
	return nil, badRequest("the request body must be a JSON object with a query")
}

// readFailure names why the body could not be read.
func readFailure(err error) *refusal {
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return errBodyTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		return &refusal{status: http.StatusRequestTimeout, code: codeRequestTimeout,
			message: "the request body did not arrive in time"}
	}
	return badRequest("the request body could not be read")
}

// decodeJSON decodes one JSON value, with numbers kept exact (as gqlgen
// does), and nothing after it.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// newParams checks the type of each request parameter (JSON null stands for
// a missing one), and the persisted query extension, before gqlgen sees
// them: gqlgen would answer a wrong type as a parse or validation failure,
// or as an internal error.
func newParams(fields map[string]any) (*graphql.RawParams, *refusal) {
	var p graphql.RawParams
	var ok bool
	if p.Query, ok = orZero[string](fields["query"]); !ok {
		return nil, badRequest("query must be a string")
	}
	if p.OperationName, ok = orZero[string](fields["operationName"]); !ok {
		return nil, badRequest("operationName must be a string")
	}
	if p.Variables, ok = orZero[map[string]any](fields["variables"]); !ok {
		return nil, badRequest("variables must be a JSON object")
	}
	if p.Extensions, ok = orZero[map[string]any](fields["extensions"]); !ok {
		return nil, badRequest("extensions must be a JSON object")
	}
	if p.Extensions["persistedQuery"] != nil {
		return &p, checkPersistedQuery(p.Query, p.Extensions["persistedQuery"])
	}
	if p.Query == "" {
		return nil, badRequest("the request has no query")
	}
	return &p, nil
}

// orZero returns v as a T, or T's zero value when v is JSON null or absent;
// ok is false when v is of another type.
func orZero[T any](v any) (t T, ok bool) {
	if v == nil {
		return t, true
	}
	t, ok = v.(T)
	return t, ok
}

// checkPersistedQuery checks the automatic persisted query extension that
// gqlgen's extension.AutomaticPersistedQuery then serves: it would answer a
// malformed extension, or a hash that does not match the query, with an
// error that has no code.
func checkPersistedQuery(query string, ext any) *refusal {
	pq, _ := ext.(map[string]any)
	version, _ := pq["version"].(json.Number)
	hash, isString := pq["sha256Hash"].(string)
	if n, err := version.Int64(); err != nil || n != 1 || !isString {
		return badRequest(`extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex SHA-256 of the query>"}`)
	}
	if sum := sha256.Sum256([]byte(query)); query != "" && hex.EncodeToString(sum[:]) != hash {
		return &refusal{status: http.StatusBadRequest, code: codeHashMismatch,
			message: "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query"}
	}
	return nil
}

const mediaJSON, mediaGraphQLResponse = "application/json", "application/graphql-response+json"

// responseContentType is the media type of a response as transport.POST
// chooses it from the Accept header: JSON unless the client prefers the
// GraphQL response type or names neither.
func responseContentType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// responseTail holds the members of a response after data, for
// writeResponse to marshal.
type responseTail struct {
	Label      string         `json:"label,omitempty"`
	Path       ast.Path       `json:"path,omitempty"`
	HasNext    *bool          `json:"hasNext,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeResponse writes the response of an executed operation as
// encoding/json would, members in the same order, except that the data is
// copied as the executor wrote it.
func writeResponse(w io.Writer, resp *graphql.Response) {
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			panic(err) // as transport.POST: errors are plain structs
		}
		head.WriteString(`"errors":`)
		head.Write(errs)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		head.WriteString("null")
	}
	tail, err := json.Marshal(responseTail{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	if err != nil {
		panic(err)
	}
	if tail = tail[1:]; len(tail) > 1 { // "}" alone when every member is empty
		tail = append([]byte{','}, tail...)
	}
	w.Write(head.Bytes())
	w.Write(resp.Data)
	w.Write(tail)
}
