package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/clientip"
	"engage/viewer"
)

// ErrSignedOut is Runner.Run's error when a request has no signed-in
// session: nobody signed in, or the account is gone or deactivated.
var ErrSignedOut = errors.New("not signed in")

// OperationError is the first error of an operation that Runner.Run ran or
// refused, with its extensions.code (FORBIDDEN, BAD_USER_INPUT,
// SERVICE_UNAVAILABLE...) and its message, which is written for the caller
// and safe to show.
type OperationError struct {
	Code    string
	Message string
}

func (e *OperationError) Error() string { return e.Message }

// Runner runs GraphQL operations in process for the web pages, as the user
// signed in with a request's login session, through the API's executor:
// the viewer is found as for /graphql, and the operation has the same
// privacy, limits, line of operations, transactions and error coding as
// one sent there.
type Runner struct{ api *API }

// Runner returns the API's in-process runner.
func (a *API) Runner() Runner { return Runner{a} }

// Run runs the operation query with vars as the user signed in with r's
// session, and decodes its data into out (unless out is nil). It returns
// ErrSignedOut, an *OperationError, or another error when the response
// could not be decoded or the request ended first.
func (runner Runner) Run(r *http.Request, query string, vars map[string]any, out any) error {
	a := runner.api
	v, err := a.auth.sessionViewer(r.Context(), clientip.Of(r))
	var ae *authError
	switch {
	case errors.As(err, &ae):
		return ErrSignedOut
	case err != nil:
		a.auth.databaseFailed(r.Context(), err)
		return &OperationError{Code: codeUnavailable, Message: errUnavailable.Error()}
	}
	params, err := rawParams(query, vars)
	if err != nil {
		return err
	}
	resp := a.execute(viewer.NewContext(r.Context(), v), params)
	switch {
	case resp == nil:
		return fmt.Errorf("running an operation: %w", context.Cause(r.Context()))
	case len(resp.Errors) > 0:
		code, _ := resp.Errors[0].Extensions["code"].(string)
		return &OperationError{Code: code, Message: resp.Errors[0].Message}
	case out == nil:
		return nil
	}
	return json.Unmarshal(resp.Data, out)
}

// rawParams are the parameters of an operation as the HTTP transport reads
// them: the variables pass through JSON, so that the executor sees the
// same types (lists as []any, numbers as json.Number).
func rawParams(query string, vars map[string]any) (*graphql.RawParams, error) {
	raw, err := json.Marshal(vars)
	if err != nil {
		return nil, fmt.Errorf("encoding variables: %w", err)
	}
	decoded, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("decoding variables: %w", err)
	}
	variables, _ := decoded.(map[string]any) // nil for no variables
	now := graphql.Now()
	return &graphql.RawParams{Query: query, Variables: variables, ReadTime: graphql.TraceTiming{Start: now, End: now}}, nil
}

// execute runs the operation of params with ctx's viewer, as Transport
// does for a request, and returns its response: nil when ctx ended before
// it ran. A panic outside the resolvers is an internal error.
func (a *API) execute(ctx context.Context, params *graphql.RawParams) (resp *graphql.Response) {
	ctx = withUnavailableFlag(graphql.StartOperationTrace(ctx))
	defer func() {
		if p := recover(); p != nil {
			gqlErr, _ := a.exec.PresentRecoveredError(ctx, p).(*gqlerror.Error)
			resp = &graphql.Response{Errors: gqlerror.List{gqlErr}}
		}
	}()
	operation, errs := a.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return a.exec.DispatchError(graphql.WithOperationContext(ctx, operation), errs)
	}
	responses, ctx := a.exec.DispatchOperation(ctx, operation)
	return responses(ctx)
}
