package api

import (
	"context"
	"database/sql/driver"
	"testing"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestTransactionsPassRefusals calls the transaction interceptor as gqlgen
// does for requests that never ran: with no operation context (entgql's
// interceptor panics there), and for a mutation refused by a limit. Neither
// may open a transaction.
func TestTransactionsPassRefusals(t *testing.T) {
	tx := transactions{entgql.Transactioner{TxOpener: entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		t.Error("a transaction was opened for a request that did not run")
		return ctx, nil, context.Canceled
	})}}
	refused := &graphql.Response{Errors: gqlerror.List{{Message: "refused"}}}
	next := func(context.Context) *graphql.Response { return refused }
	responseCtx := func(ctx context.Context) context.Context {
		ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
		graphql.AddError(ctx, gqlerror.Errorf("refused"))
		return ctx
	}

	if got := tx.InterceptResponse(responseCtx(context.Background()), next); got != refused {
		t.Errorf("without an operation: got %+v, want the refusal", got)
	}
	mutation := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Mutation}}
	if got := tx.InterceptResponse(responseCtx(graphql.WithOperationContext(context.Background(), mutation)), next); got != refused {
		t.Errorf("a refused mutation: got %+v, want the refusal", got)
	}
}
