package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/aggregate"
	"engage/answer"
	"engage/database"
	"engage/ent"
	"engage/ent/privacy"
	"engage/gid"
	"engage/pageload"
	"engage/requestlog"
	"engage/rule"
	"engage/token"
)

// Error codes in extensions.code, besides gqlgen's own parse and validation
// codes.
const (
	codeForbidden   = "FORBIDDEN"
	codeNotFound    = "NOT_FOUND"
	codeBadInput    = "BAD_USER_INPUT"
	codeConflict    = "CONFLICT"
	codeUnavailable = "SERVICE_UNAVAILABLE"
	codeInternal    = "INTERNAL_SERVER_ERROR"
)

// errUnavailable stands for a database that cannot be reached right now.
var errUnavailable = errors.New("the database is unavailable; try again shortly")

// errCommit stands for a commit that failed for another reason, logged
// where it failed.
var errCommit = errors.New("the change could not be saved")

// presentError maps every resolver error to a message that is safe to show
// and an extensions.code. Errors it does not know are logged with the
// request ID and shown as a generic internal error; the database being
// unavailable is logged once per interval (outage) and makes the response
// a 503.
func presentError(logger *slog.Logger, outage *quietLog, refused refusals) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		defer func() { refused.addCode(gqlErr.Extensions["code"]) }()
		if gqlErr.Extensions["code"] != nil {
			return gqlErr // already classified, e.g. by a limit
		}
		code, msg := classify(ctx, err)
		switch code {
		case codeInternal:
			logger.ErrorContext(ctx, "request failed", "error", err, "path", gqlErr.Path.String(), "request_id", requestlog.ID(ctx))
			msg = "internal error; quote request " + requestlog.ID(ctx) + " when reporting it"
		case codeUnavailable:
			markUnavailable(ctx)
			if database.Unavailable(err) {
				outage.Error(ctx, "database unavailable in a resolver", err)
			}
		}
		gqlErr.Message = msg
		gqlErr.Extensions = map[string]any{"code": code}
		return gqlErr
	}
}

// classify names the kind of err and a message for the caller.
func classify(ctx context.Context, err error) (code, msg string) {
	var validation *ent.ValidationError
	var refusal *rule.Refusal
	var invalidAnswer *answer.Error
	var aggregateInput *aggregate.InputError
	switch {
	case argumentError(ctx, err) != "":
		return codeBadInput, argumentError(ctx, err) + ": invalid value"
	case database.Unavailable(err), errors.Is(err, errUnavailable):
		// Before the refusals: a rule that failed to read the database
		// may have joined its error to one.
		return codeUnavailable, errUnavailable.Error()
	case errors.As(err, &refusal):
		return codeForbidden, "not allowed: " + refusal.Reason
	case errors.Is(err, privacy.Deny):
		return codeForbidden, "you are not allowed to do this"
	case ent.IsNotFound(err), errors.Is(err, rule.ErrNotFound):
		return notFound(ctx, err)
	case errors.Is(err, token.ErrInvalidSpec):
		return codeBadInput, err.Error()
	case errors.Is(err, gid.ErrInvalid):
		return codeBadInput, "invalid ID"
	case errors.Is(err, pageload.ErrInvalidCursor):
		return codeBadInput, "invalid cursor"
	case errors.As(err, &invalidAnswer):
		return codeBadInput, invalidAnswer.Error()
	case errors.As(err, &aggregateInput):
		return codeBadInput, aggregateInput.Error()
	case errors.As(err, &validation):
		return codeBadInput, "invalid value for " + validation.Name
	case ent.IsConstraintError(err) && isForeignKey(err):
		return notFound(ctx, err) // a link to an object that does not exist, like a hidden one
	case ent.IsConstraintError(err):
		return codeConflict, "this conflicts with existing data, such as a slug or email already in use"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return codeUnavailable, "the request took too long"
	}
	return codeInternal, ""
}

// notFound names the argument whose object is missing or hidden (the two
// look the same): the one a rule named, or else, in a mutation that takes
// an id, the id. An argument that is not even a well-formed ID is the
// client's mistake, and telling so reveals nothing.
func notFound(ctx context.Context, err error) (code, msg string) {
	var named *rule.NotFoundError
	if errors.As(err, &named) {
		if malformedID(ctx, named.Arg) {
			return codeBadInput, named.Arg + ": invalid ID"
		}
		return codeNotFound, named.Arg + ": not found"
	}
	// Without a rule's word (a link the database refused, an object
	// missing for an administrator): a malformed ID argument is at fault,
	// or the only one.
	args := idArguments(ctx)
	for _, arg := range args {
		if malformedID(ctx, arg) {
			return codeBadInput, arg + ": invalid ID"
		}
	}
	var missing *ent.NotFoundError
	if errors.As(err, &missing) {
		// "ent: question not found": the object a hook looked for.
		label := strings.TrimSuffix(strings.TrimPrefix(missing.Error(), "ent: "), " not found")
		if i := slices.Index(args, "input."+label+"ID"); i >= 0 {
			return codeNotFound, args[i] + ": not found"
		}
	}
	if len(args) == 1 {
		return codeNotFound, args[0] + ": not found"
	}
	return codeNotFound, "not found"
}

// idArguments lists the arguments of the current mutation that name
// objects: id, and the fields of input that end in ID or IDs.
func idArguments(ctx context.Context) []string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Mutation" || !graphql.HasOperationContext(ctx) {
		return nil
	}
	args := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	var out []string
	if _, ok := args["id"]; ok {
		out = append(out, "id")
	}
	input, _ := args["input"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(input)) {
		if strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "IDs") {
			out = append(out, "input."+name)
		}
	}
	return out
}

// malformedID reports whether the argument of the current field at path
// (such as "input.surveyID") holds a string, or a list of them, that is not
// a well-formed global ID.
func malformedID(ctx context.Context, path string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return false
	}
	var v any = fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	for name := range strings.SplitSeq(path, ".") {
		object, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = object[name]
	}
	values, ok := v.([]any)
	if !ok {
		values = []any{v}
	}
	for _, value := range values {
		if id, ok := value.(string); ok {
			if _, err := gid.Table(id); err != nil {
				return true
			}
		}
	}
	return false
}

// argumentError returns the argument of the current field whose value
// could not be decoded (such as a cursor that is not one), or "" when err
// is not such an error: gqlgen reports it on a path that goes on past the
// field's own, through the argument's name.
func argumentError(ctx context.Context, err error) string {
	fc := graphql.GetFieldContext(ctx)
	var gqlErr *gqlerror.Error
	if fc == nil || !errors.As(err, &gqlErr) {
		return ""
	}
	own := fc.Path()
	if len(gqlErr.Path) <= len(own) {
		return ""
	}
	return gqlErr.Path[len(own):].String()
}

// recoverPanic turns a resolver panic into a logged internal error.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "resolver panicked", "panic", p, "request_id", requestlog.ID(ctx))
		return errors.New("panic") // presented as a generic internal error
	}
}

// writeGraphQLError writes a GraphQL-shaped error response outside the
// GraphQL executor, for requests refused before it runs.
func writeGraphQLError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

// isForeignKey reports whether a constraint error is a broken link, in the
// words of SQLite or PostgreSQL.
func isForeignKey(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "foreign key")
}
