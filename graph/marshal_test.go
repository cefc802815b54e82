package graph

import (
	"context"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestListsMarshalInOrder checks marshalSliceInOrder, which the generated
// code calls for every list of objects: elements are marshalled one after
// another, in order, each knowing its index, and a panicking element
// becomes a null and an error while the others are kept.
func TestListsMarshalInOrder(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{})
	var visited []int
	out := marshalSliceInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if idx := graphql.GetFieldContext(ctx).Index; idx == nil || *idx != i {
			t.Errorf("element %d has index %v in its field context", i, idx)
		}
		visited = append(visited, i) // no lock: a concurrent marshaller fails under -race
		if i == 2 {
			panic("broken element")
		}
		return graphql.MarshalInt(i)
	})
	if !slices.Equal(visited, []int{0, 1, 2, 3}) {
		t.Errorf("marshalled in order %v, want 0 1 2 3", visited)
	}
	if out[2] != graphql.Null || out[3] == graphql.Null || len(out) != 4 {
		t.Errorf("got %v; want the panicking element null and the others kept", out)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 {
		t.Errorf("got errors %v, want one for the panic", errs)
	}
}

// TestDeferredGroupsGetTheirPathWhenProcessed checks that newDeferredGroup
// and withPath, which replace graphql.NewDeferredGroup in the generated
// code, give a group gqlgen's path, built only later.
func TestDeferredGroupsGetTheirPathWhenProcessed(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "projects"}}})
	i := 3
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
	ours, theirs := newDeferredGroup(ctx), graphql.NewDeferredGroup(ctx)
	if ours.Path != nil {
		t.Errorf("newDeferredGroup built the path %v", ours.Path)
	}
	if got, want := withPath(ours).Path.String(), theirs.Path.String(); got != want || want != "projects[3]" {
		t.Errorf("path %q, gqlgen's %q, want projects[3]", got, want)
	}
	// Nothing else is built: no @defer field reaches execution.
	if ours.FieldSet != nil || ours.Defers != nil || ours.Context != ctx {
		t.Errorf("group %+v: want only the context", ours)
	}
}
