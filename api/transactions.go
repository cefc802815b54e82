package api

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
)

// transactions runs each mutation in a transaction, as entgql.Transactioner
// does, but lets through untouched every response to a request that was
// refused before it ran. entgql's response interceptor reads the operation
// context unconditionally, and gqlgen has none when it answers a request
// that never became an operation: the interceptor then panics ("missing
// operation context"). And a mutation refused by a limit has nothing to
// commit, so it should not wait for a connection to open a transaction.
type transactions struct{ entgql.Transactioner }

func (t transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if refusedBeforeExecution(ctx) {
		return next(ctx)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}

// refusedBeforeExecution reports whether a response interceptor is called
// for a request that did not run: one without an operation, or one that
// already has errors before anything executed (gqlgen's DispatchError adds
// them to the response context before calling the interceptors; an
// executed operation's interceptors start with none).
func refusedBeforeExecution(ctx context.Context) bool {
	return !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation == nil ||
		len(graphql.GetErrors(ctx)) > 0
}
