// Package gqlexec holds what the generated GraphQL executor
// (graph/generated.go) calls in place of some of gqlgen's own helpers,
// which do the same at a larger cost: codegen/gqlgen points the generated
// code here after gqlgen writes it. codegen/README.md lists each rewrite,
// its measured gain and the test that guards it.
package gqlexec

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// MarshalSliceInOrder replaces graphql.MarshalSliceConcurrently in the
// generated code (see codegen/gqlgen): it marshals the elements of a list
// one after another instead of one goroutine each. As gqlgen does, a panic
// in an element becomes an error on its path and a null in its place.
func MarshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool, marshal func(context.Context, int) graphql.Marshaler) graphql.Array {
	out := make(graphql.Array, length)
	// The elements' field contexts and indexes, allocated once per list.
	contexts, indexes := make([]graphql.FieldContext, length), make([]int, length)
	for i := range length {
		indexes[i] = i
		contexts[i].Index = &indexes[i]
		out[i] = marshalElement(graphql.WithFieldContext(ctx, &contexts[i]), i, omitPanicHandler, marshal)
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

// NewDeferredGroup replaces graphql.NewDeferredGroup in the generated code:
// an empty group, without the field set, map and path that gqlgen builds for
// every object and only @defer fields use. None reaches execution: the
// query cache answers deferred fragments inline (api/limits.go), which
// TestDeferredFragmentsAnswerInline checks through this code.
func NewDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

// ResolveStructField replaces graphql.ResolveField in the generated code for
// the fields read straight from a struct field, with no resolver, directive
// or middleware of their own (see codegen/gqlgen): the same field context,
// marshalling and recovery from panics, without gqlgen's three closures, the
// boxing of the value, and the resolver middleware chain, which carries
// only field interceptors, and this server installs none (api.newGraphQL).
func ResolveStructField[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	fieldContext func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error),
	value T,
	marshal func(context.Context, ast.SelectionSet, T) graphql.Marshaler,
) (m graphql.Marshaler) {
	fc, err := fieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	defer func() {
		if r := recover(); r != nil {
			oc.Error(ctx, oc.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, field.Selections, value)
}

// ObjectFields writes an object as graphql.FieldSet does, each field once
// under its alias, in the order collected, without the map of written
// names, the iterator and the heap copy of every field that FieldSet's
// MarshalGQL allocates (a quarter of the allocations of a nested page).
// codegen/gqlgen makes the generated code return it for every object.
type ObjectFields struct {
	Fields []graphql.CollectedField // as collected, aliases repeated
	Values []graphql.Marshaler      // the value of each of Fields
}

// MarshalGQL writes the object's JSON.
func (o ObjectFields) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	first := true
	for i := range o.Fields {
		alias := o.Fields[i].Alias
		if writtenBefore(o.Fields[:i], alias) {
			continue
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		// An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): no escaping.
		io.WriteString(w, `"`)
		io.WriteString(w, alias)
		io.WriteString(w, `":`)
		o.Values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// writtenBefore reports whether one of fields has alias. Objects have few
// fields, so a scan costs less than the map gqlgen builds.
func writtenBefore(fields []graphql.CollectedField, alias string) bool {
	for i := range fields {
		if fields[i].Alias == alias {
			return true
		}
	}
	return false
}
