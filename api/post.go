package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
)

// PostTransport answers POST requests as gqlgen's transport.POST does, but
// writes the response of an executed operation itself: transport.POST
// marshals it with encoding/json, which checks and compacts the data, JSON
// the executor has just written, a second time (7% of the server's CPU on
// the nested analyst query). A request that fails before execution (an
// unreadable body, bad JSON, an invalid operation) goes to transport.POST
// as it came, which reports it as it always has.
type PostTransport struct{ transport.POST }

func (t PostTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// Responses are JSON that may hold user text unescaped ('<' and '>'
	// included): browsers must not guess another type.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.POST.Do(w, replayBody(r, body, err), exec)
		return
	}
	var params graphql.RawParams
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber() // as transport.POST: numbers stay exact
	if decoder.Decode(&params) != nil {
		t.POST.Do(w, replayBody(r, body, nil), exec)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	operation, errs := exec.CreateOperationContext(r.Context(), &params)
	if errs != nil {
		t.POST.Do(w, replayBody(r, body, nil), exec)
		return
	}
	w.Header().Set("Content-Type", responseContentType(r.Header.Get("Accept")))
	responses, ctx := exec.DispatchOperation(r.Context(), operation)
	writeResponse(w, responses(ctx))
}

// replayBody returns r with a body that yields body and then readErr (or
// the end), for transport.POST to read the request again.
func replayBody(r *http.Request, body []byte, readErr error) *http.Request {
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, failingReader{readErr})
	}
	r.Body = io.NopCloser(rest)
	return r
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// responseContentType is the media type of a response as transport.POST
// chooses it from the Accept header: JSON unless the client prefers the
// GraphQL response type or names neither.
func responseContentType(accept string) string {
	const json, graphqlJSON = "application/json", "application/graphql-response+json"
	if accept == "" {
		return json
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", json:
			return json
		case graphqlJSON:
			return graphqlJSON
		}
	}
	return graphqlJSON
}

// responseTail holds the members of a response after data, for
// writeResponse to marshal.
type responseTail struct {
	Label      string         `json:"label,omitempty"`
	Path       ast.Path       `json:"path,omitempty"`
	HasNext    *bool          `json:"hasNext,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeResponse writes resp as encoding/json would, members in the same
// order, except that the data is copied as the executor wrote it.
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
