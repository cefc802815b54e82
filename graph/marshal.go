package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder replaces graphql.MarshalSliceConcurrently in the
// generated code (see graph/generate): it marshals the elements of a list
// one after another instead of one goroutine each. As gqlgen does, a panic
// in an element becomes an error on its path and a null in its place.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool, marshal func(context.Context, int) graphql.Marshaler) graphql.Array {
	out := make(graphql.Array, length)
	for i := range length {
		elemCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		out[i] = marshalElement(elemCtx, i, omitPanicHandler, marshal)
	}
	return out
}

func marshalElement(ctx context.Context, i int, omitPanicHandler bool, marshal func(context.Context, int) graphql.Marshaler) (m graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// newDeferredGroup replaces graphql.NewDeferredGroup in the generated code:
// an empty group, without the field set, map and path that gqlgen builds for
// every object and only @defer fields use. None reaches execution: the
// query cache answers deferred fragments inline (api/limits.go), which
// TestDeferredFragmentsAnswerInline checks through this code.
func newDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

// withPath gives g the path of the object it belongs to, before the
// generated code hands it to ProcessDeferredGroup.
func withPath(g graphql.DeferredGroup) graphql.DeferredGroup {
	g.Path = graphql.GetPath(g.Context)
	return g
}
