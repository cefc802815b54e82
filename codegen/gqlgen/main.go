// Command gqlgen runs gqlgen with gqlgen.yml, then points the generated
// code at helpers of package gqlexec that do what gqlgen's do at
// a fraction of the cost; gqlgen has no option for any. Each costs a nested
// analyst query, of about 1,100 objects, a large share of the server's CPU
// (bench/RESULTS.md):
//
//   - graphql.MarshalSliceConcurrently marshals every element of a list of
//     objects in a goroutine of its own (99designs/gqlgen#3202). Our lists
//     are ent pages that field collection loaded beforehand, so no element
//     waits for anything: growing and collecting 1,100 goroutine stacks per
//     request took half of the server's CPU. MarshalSliceInOrder marshals
//     the elements one after another.
//   - graphql.NewDeferredGroup builds a path, a field set and a map for
//     every object, for @defer fields, which never reach execution here
//     (deferred fragments are answered inline). NewDeferredGroup builds
//     none of them.
//   - graphql.FieldSet writes an object with a map of the names written,
//     an iterator and a copy of every field on the heap. ObjectFields
//     writes the same JSON from the collected fields and their values, and
//     an object that resolves no field concurrently is built as an object,
//     which holds both in one allocation.
//   - graphql.CollectFields hashes the names of an object's type, with a
//     hasher on the heap, to look up the fields it collected for the same
//     selection before. CollectedFields keys them by addresses instead.
//   - graphql.ResolveField runs a field read straight from a struct field
//     through three closures, the boxing of its value and the resolver
//     middleware. ResolveStructField marshals the value in its field
//     context directly, and ResolveLeafField, for scalars, without one
//     unless the value is the zero value, the only one that can marshal to
//     null and need the field's path for its error; ResolveCursorField,
//     for an edge's cursor, which no marshalling reports anything about,
//     without one at all.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

// rewrite replaces the text from of the generated code with to.
type rewrite struct{ from, to string }

var rewrites = []rewrite{
	{"graphql.MarshalSliceConcurrently(", "gqlexec.MarshalSliceInOrder("},
	{"graphql.NewDeferredGroup(ctx)", "gqlexec.NewDeferredGroup(ctx)"},
	{"\n\treturn out\n}\n", "\n\treturn gqlexec.ObjectFields{Fields: fields, Values: out.Values}\n}\n"},
	{"graphql.CollectFields(ec.OperationContext, sel, ", "ec.collected.Get(ec.OperationContext, sel, "},
	{"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n",
		"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n\tcollected gqlexec.CollectedFields\n"},
}

// structField matches the generated resolution of a field read straight
// from a struct field, with no resolver, directive or middleware.
var structField = regexp.MustCompile(`(?m)^\treturn graphql\.ResolveField\(
\t\tctx,
\t\tec\.OperationContext,
\t\tfield,
\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
\t\t\treturn (ec\.fieldContext_\w+)\(ctx, field\)
\t\t\},
\t\tfunc\(ctx context\.Context\) \(any, error\) \{
\t\t\treturn (obj\.\w+), nil
\t\t\},
\t\tnil,
\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{
\t\t\treturn (ec\.[^(\s]+)\(ctx, selections, v\)
\t\t\},
\t\ttrue,
\t\t(?:true|false),
\t\)$`)

// objectFunc matches the generated function that resolves and writes an
// object; plainObject, once rewrites are made, what it does for an object
// that resolves no field concurrently.
var (
	objectFunc  = regexp.MustCompile(`(?s)\nfunc \(ec \*executionContext\) _\w+\(ctx context\.Context, sel ast\.SelectionSet, obj [^)]*\) graphql\.Marshaler \{\n.*?\n\}\n`)
	plainObject = []rewrite{
		{"out := graphql.NewFieldSet(fields)", "out := gqlexec.NewObject(fields)"},
		{"return gqlexec.ObjectFields{Fields: fields, Values: out.Values}", "return out"},
	}
)

// leafTypes are the Go types of scalar fields that gqlexec.ResolveLeafField takes.
var leafTypes = map[string]bool{"string": true, "int": true, "bool": true, "time.Time": true}

// cursorType is the Go type of an edge's cursor, which gqlexec.ResolveCursorField
// takes, and cursorMarshal its generated marshaller, which must hand the
// cursor on as it is (the cursor writes itself).
const (
	cursorType    = "entgql.Cursor[string]"
	cursorMarshal = "marshalNCursor2entgoᚗioᚋcontribᚋentgqlᚐCursor(ctx context.Context, sel ast.SelectionSet, v entgql.Cursor[string]) graphql.Marshaler {\n\treturn v\n}"
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func generate() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if err := api.Generate(cfg); err != nil {
		return err
	}
	path := cfg.Exec.Filename
	code, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, r := range rewrites {
		if !bytes.Contains(code, []byte(r.from)) {
			return fmt.Errorf("%s no longer contains %s: check what this gqlgen version generates", path, r.from)
		}
		code = bytes.ReplaceAll(code, []byte(r.from), []byte(r.to))
	}
	plain := 0
	code = objectFunc.ReplaceAllFunc(code, func(f []byte) []byte {
		if bytes.Contains(f, []byte("Concurrently(")) || !bytes.Contains(f, []byte(plainObject[0].from)) {
			return f
		}
		plain++
		for _, r := range plainObject {
			f = bytes.Replace(f, []byte(r.from), []byte(r.to), 1)
		}
		return f
	})
	if plain == 0 {
		return fmt.Errorf("%s has no object that resolves its fields in order: check what this gqlgen version generates", path)
	}
	if !bytes.Contains(code, []byte(cursorMarshal)) {
		return fmt.Errorf("%s no longer marshals a cursor as %s: check what this gqlgen version generates", path, cursorMarshal)
	}
	if !structField.Match(code) {
		return fmt.Errorf("%s has no field read straight from a struct field: check what this gqlgen version generates", path)
	}
	code = structField.ReplaceAllFunc(code, func(match []byte) []byte {
		m := structField.FindSubmatch(match)
		fieldContext, value, goType, marshal := m[1], m[2], m[3], m[4]
		helper := "gqlexec.ResolveStructField"
		switch {
		case leafTypes[string(goType)]:
			helper = "gqlexec.ResolveLeafField"
		case string(goType) == cursorType:
			helper = "gqlexec.ResolveCursorField"
		}
		return fmt.Appendf(nil, "\treturn %s(ctx, ec.OperationContext, field, %s, %s, %s)", helper, fieldContext, value, marshal)
	})
	code = bytes.Replace(code, []byte("import (\n"), []byte("import (\n\t\"engage/gqlexec\"\n"), 1)
	if code, err = format.Source(code); err != nil {
		return err
	}
	return os.WriteFile(path, code, 0o644)
}
