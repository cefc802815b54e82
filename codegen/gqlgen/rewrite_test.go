package main

import (
	"go/ast"
	"strings"
	"testing"
)

// TestRewritesPinTheirPlaces checks pinCalls, which every rewrite of a
// call passes: the calls must be exactly one in each function that gqlgen's
// model names, and none elsewhere.
func TestRewritesPinTheirPlaces(t *testing.T) {
	want := map[string]bool{"executionContext._Project": true, "executionContext._Survey": true}
	calls := func(fns ...string) []call {
		var out []call
		for _, fn := range fns {
			out = append(out, call{fn, &ast.CallExpr{}})
		}
		return out
	}
	for name, c := range map[string]struct {
		calls []call
		ok    bool
	}{
		"one in each":          {calls("executionContext._Project", "executionContext._Survey"), true},
		"one missing":          {calls("executionContext._Project"), false},
		"two in one":           {calls("executionContext._Project", "executionContext._Project", "executionContext._Survey"), false},
		"one in another func":  {calls("executionContext._Project", "executionContext._Survey", "executionContext._Team"), false},
		"none where some want": {nil, false},
	} {
		if err := pinCalls(c.calls, "CollectFields", want); (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok %v", name, err, c.ok)
		}
	}
}

// TestStructFieldReadsAreMatchedWhole checks asStructFieldCall, which
// finds the fields the struct-field rewrites change: gqlgen's resolution
// of a field read from a struct field, and nothing that differs from it in
// any part (a middleware, a value computed by a method).
func TestStructFieldReadsAreMatchedWhole(t *testing.T) {
	const read = `package graph

func (ec *executionContext) _Survey_title(ctx context.Context, field graphql.CollectedField, obj *ent.Survey) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) { return ec.fieldContext_Survey_title(ctx, field) },
		func(ctx context.Context) (any, error) { return obj.Title, nil },
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler { return ec.marshalNString2string(ctx, selections, v) },
		true,
		true,
	)
}
`
	for name, c := range map[string]struct {
		src string
		ok  bool
	}{
		"a struct field":   {read, true},
		"with middleware":  {replace(read, "\t\tnil,\n", "\t\tmiddleware,\n"), false},
		"a method's value": {replace(read, "return obj.Title, nil", "return obj.Title(), nil"), false},
		"no panic handler": {replace(read, "\t\ttrue,\n\t\ttrue,\n", "\t\tfalse,\n\t\ttrue,\n"), false},
	} {
		f, err := parseFile("generated.go", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := asStructFieldCall(f.funcs["executionContext._Survey_title"])
		if ok != c.ok {
			t.Errorf("%s: matched %v, want %v", name, ok, c.ok)
		}
		if ok && (f.text(got.fieldContext) != "ec.fieldContext_Survey_title" || f.text(got.value) != "obj.Title" || f.text(got.marshal) != "ec.marshalNString2string") {
			t.Errorf("%s: got %s, %s, %s", name, f.text(got.fieldContext), f.text(got.value), f.text(got.marshal))
		}
	}
}

// replace replaces the first old in s with new.
func replace(s, old, new string) string { return strings.Replace(s, old, new, 1) }
