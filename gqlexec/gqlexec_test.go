package gqlexec

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestListsMarshalInOrder checks MarshalSliceInOrder, which the generated
// code calls for every list of objects: elements are marshalled one after
// another, in order, each knowing its index, and a panicking element
// becomes a null and an error while the others are kept.
func TestListsMarshalInOrder(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{})
	var visited []int
	out := MarshalSliceInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
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

// TestDeferredGroupsHoldOnlyTheirContext checks NewDeferredGroup, which
// replaces graphql.NewDeferredGroup in the generated code: no path, field
// set or map is built for an object, as no @defer field reaches execution.
func TestDeferredGroupsHoldOnlyTheirContext(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "projects"}}})
	g := NewDeferredGroup(ctx)
	if g.Path != nil || g.FieldSet != nil || g.Defers != nil || g.Context != ctx {
		t.Errorf("group %+v: want only the context", g)
	}
}

// TestStructFieldsResolveAsGqlgens checks ResolveStructField, which
// replaces graphql.ResolveField for fields read from struct fields: the same
// output, a null reported on the field's path, and a panic turned into null
// and an error on the field's path.
func TestStructFieldsResolveAsGqlgens(t *testing.T) {
	oc := &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover}
	field := graphql.CollectedField{Field: &ast.Field{Alias: "x", Name: "x"}}
	fieldContext := func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
		return &graphql.FieldContext{Field: field}, nil
	}
	marshalTime := func(ctx context.Context, _ ast.SelectionSet, v time.Time) graphql.Marshaler {
		res := graphql.MarshalTime(v)
		if res == graphql.Null {
			graphql.AddInvalidNullFromMarshaler(ctx, "Time!")
		}
		return res
	}
	run := func(resolve func(ctx context.Context) graphql.Marshaler) (string, gqlerror.List) {
		ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
		var out bytes.Buffer
		resolve(ctx).MarshalGQL(&out)
		return out.String(), graphql.GetErrors(ctx)
	}

	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	got, errs := run(func(ctx context.Context) graphql.Marshaler {
		return ResolveStructField(ctx, oc, field, fieldContext, at, marshalTime)
	})
	if got != `"2026-11-25T12:00:00Z"` || errs != nil {
		t.Errorf("a time: wrote %s, errors %v; want the time and none", got, errs)
	}
	got, errs = run(func(ctx context.Context) graphql.Marshaler {
		return ResolveStructField(ctx, oc, field, fieldContext, time.Time{}, marshalTime)
	})
	if got != "null" || len(errs) != 1 || errs[0].Path.String() != "x" {
		t.Errorf("the zero time: wrote %s, errors %v; want null and one error at x", got, errs)
	}
	got, errs = run(func(ctx context.Context) graphql.Marshaler {
		return ResolveStructField(ctx, oc, field, fieldContext, "v", func(context.Context, ast.SelectionSet, string) graphql.Marshaler {
			panic("boom")
		})
	})
	if got != "null" || len(errs) != 1 || errs[0].Path.String() != "x" {
		t.Errorf("a panic: wrote %s, errors %v; want null and one error at x", got, errs)
	}
}

// TestObjectFieldsWriteWhatFieldSetWrites compares ObjectFields with
// graphql.FieldSet, which it replaces when writing objects: the same JSON,
// a repeated alias written once.
func TestObjectFieldsWriteWhatFieldSetWrites(t *testing.T) {
	for _, aliases := range [][]string{nil, {"id"}, {"id", "title", "__typename"}, {"a", "b", "a", "c", "b"}} {
		fields := make([]graphql.CollectedField, len(aliases))
		for i, alias := range aliases {
			fields[i] = graphql.CollectedField{Field: &ast.Field{Alias: alias, Name: alias}}
		}
		set := graphql.NewFieldSet(fields)
		for i := range fields {
			set.Values[i] = graphql.MarshalInt(i)
		}
		var got, want bytes.Buffer
		ObjectFields{Fields: fields, Values: set.Values}.MarshalGQL(&got)
		set.MarshalGQL(&want)
		if got.String() != want.String() {
			t.Errorf("%v: wrote %s, FieldSet writes %s", aliases, got.String(), want.String())
		}
	}
}
