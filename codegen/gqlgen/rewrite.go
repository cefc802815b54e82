package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strings"

	gqlcodegen "github.com/99designs/gqlgen/codegen"

	"engage/codegen"
)

// gqlexecImport is the package the rewritten code calls.
const gqlexecImport = "engage/gqlexec"

// rewrite returns src, the executor gqlgen wrote to path from data, with
// the rewrites that skips does not leave out (see main's doc).
func rewrite(path string, src []byte, data *gqlcodegen.Data, skips codegen.Skips) ([]byte, error) {
	f, err := parseFile(path, src)
	if err != nil {
		return nil, err
	}
	objects := objectFuncs(data)
	for _, r := range []struct {
		change string
		make   func(*file, *gqlcodegen.Data, codegen.Skips) error
	}{
		{"slice-in-order", marshalListsInOrder},
		{"no-deferred-group", buildNoDeferredGroups},
	} {
		if skips.Has(r.change) {
			continue
		}
		if err := r.make(f, data, skips); err != nil {
			return nil, fmt.Errorf("%s: rewrite %q: %w", path, r.change, err)
		}
	}
	if err := writeObjects(f, data, objects, skips); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := resolveStructFields(f, data, skips); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f.result()
}

// file is the generated executor being rewritten: its syntax tree, its
// functions by name, and the edits of its text made from them.
type file struct {
	fset  *token.FileSet
	src   []byte
	ast   *ast.File
	funcs map[string]*ast.FuncDecl // methods by "Receiver.Name", others by name
	edits []textEdit
}

// textEdit replaces src[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

func parseFile(path string, src []byte) (*file, error) {
	fset := token.NewFileSet()
	tree, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	f := &file{fset: fset, src: src, ast: tree, funcs: map[string]*ast.FuncDecl{}}
	for _, d := range tree.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			f.funcs[funcName(fn)] = fn
		}
	}
	return f, nil
}

// funcName is the name of fn in file.funcs.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return fn.Name.Name
	}
	recv := fn.Recv.List[0].Type
	if star, ok := recv.(*ast.StarExpr); ok {
		recv = star.X
	}
	if id, ok := recv.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// ecMethod is the name in file.funcs of the executionContext method name.
func ecMethod(name string) string { return "executionContext." + name }

func (f *file) offset(p token.Pos) int { return f.fset.Position(p).Offset }

// text returns the source of n.
func (f *file) text(n ast.Node) string { return string(f.src[f.offset(n.Pos()):f.offset(n.End())]) }

// replace replaces the source of n with text.
func (f *file) replace(n ast.Node, text string) {
	f.edits = append(f.edits, textEdit{f.offset(n.Pos()), f.offset(n.End()), text})
}

// insert inserts text at p.
func (f *file) insert(p token.Pos, text string) {
	f.edits = append(f.edits, textEdit{f.offset(p), f.offset(p), text})
}

// call is a call of a function of package graphql in the function fn.
type call struct {
	fn   string
	expr *ast.CallExpr
}

// callsOf returns every call of graphql.name in the file.
func (f *file) callsOf(name string) []call {
	var calls []call
	for fn, decl := range f.funcs {
		ast.Inspect(decl, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && isSelector(c.Fun, "graphql", name) {
				calls = append(calls, call{fn, c})
			}
			return true
		})
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].expr.Pos() < calls[j].expr.Pos() })
	return calls
}

// pinCalls checks that the calls of graphql.name are exactly one in each
// function that want names (what gqlgen's model says it writes them in),
// and none elsewhere.
func pinCalls(calls []call, name string, want map[string]bool) error {
	found := map[string]int{}
	for _, c := range calls {
		found[c.fn]++
	}
	var wrong []string
	for fn, n := range found {
		if n != 1 || !want[fn] {
			wrong = append(wrong, fmt.Sprintf("%s calls it %d times", fn, n))
		}
	}
	for fn := range want {
		if found[fn] == 0 {
			wrong = append(wrong, fn+" does not call it")
		}
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)
		return fmt.Errorf("gqlgen's model expects graphql.%s once in each of %d functions, and %d calls were found: %s; check what this gqlgen version generates",
			name, len(want), len(calls), strings.Join(wrong, "; "))
	}
	return nil
}

// result applies the edits, imports gqlexec when they call it, and formats
// the file.
func (f *file) result() ([]byte, error) {
	if len(f.edits) == 0 {
		return f.src, nil
	}
	var imports *ast.GenDecl
	for _, d := range f.ast.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && g.Lparen.IsValid() {
			imports = g
			break
		}
	}
	if imports == nil {
		return nil, fmt.Errorf("the generated code has no import block")
	}
	f.insert(imports.Lparen+1, "\n\t"+`"`+gqlexecImport+`"`)
	sort.Slice(f.edits, func(i, j int) bool { return f.edits[i].start < f.edits[j].start })
	var out bytes.Buffer
	at := 0
	for _, e := range f.edits {
		if e.start < at {
			return nil, fmt.Errorf("two rewrites change the text at offset %d", e.start)
		}
		out.Write(f.src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(f.src[at:])
	return format.Source(out.Bytes())
}

// objectFuncs returns the names of the functions that resolve and write
// each object, which gqlgen writes for every object of its model that is
// not a subscription's stream.
func objectFuncs(data *gqlcodegen.Data) map[string]*gqlcodegen.Object {
	funcs := map[string]*gqlcodegen.Object{}
	for _, o := range data.Objects {
		if !o.Stream {
			funcs[ecMethod("_"+o.Name)] = o
		}
	}
	return funcs
}

// names returns the keys of m as a set.
func names[V any](m map[string]V) map[string]bool {
	set := make(map[string]bool, len(m))
	for k := range m {
		set[k] = true
	}
	return set
}

// marshalListsInOrder points every list of objects at
// gqlexec.MarshalSliceInOrder instead of graphql.MarshalSliceConcurrently:
// gqlgen calls it in the marshaller of each list type whose elements are
// not scalars.
func marshalListsInOrder(f *file, data *gqlcodegen.Data, _ codegen.Skips) error {
	want := map[string]bool{}
	for _, t := range data.ReferencedTypes {
		if fn := t.MarshalFunc(); fn != "" && t.IsSlice() && !t.IsPtrToSlice() && !t.IsPtrToIntf() && !t.IsScalar() {
			want[ecMethod(fn)] = true
		}
	}
	calls := f.callsOf("MarshalSliceConcurrently")
	if err := pinCalls(calls, "MarshalSliceConcurrently", want); err != nil {
		return err
	}
	for _, c := range calls {
		f.replace(c.expr.Fun, "gqlexec.MarshalSliceInOrder")
	}
	return nil
}

// buildNoDeferredGroups points every object at gqlexec.NewDeferredGroup
// instead of graphql.NewDeferredGroup.
func buildNoDeferredGroups(f *file, data *gqlcodegen.Data, _ codegen.Skips) error {
	calls := f.callsOf("NewDeferredGroup")
	if err := pinCalls(calls, "NewDeferredGroup", names(objectFuncs(data))); err != nil {
		return err
	}
	for _, c := range calls {
		f.replace(c.expr.Fun, "gqlexec.NewDeferredGroup")
	}
	return nil
}

// writeObjects makes every object write itself through gqlexec.ObjectFields
// instead of graphql.FieldSet ("object-fields"). gqlgen builds a FieldSet,
// out, in the function of every object, and returns it last.
func writeObjects(f *file, data *gqlcodegen.Data, objects map[string]*gqlcodegen.Object, skips codegen.Skips) error {
	if skips.Has("object-fields") {
		return nil
	}
	calls := f.callsOf("NewFieldSet")
	if err := pinCalls(calls, "NewFieldSet", names(objects)); err != nil {
		return fmt.Errorf("rewrite %q: %w", "object-fields", err)
	}
	for _, c := range calls {
		body := f.funcs[c.fn].Body.List
		last, ok := body[len(body)-1].(*ast.ReturnStmt)
		if !ok || len(last.Results) != 1 || !isIdent(last.Results[0], "out") {
			return fmt.Errorf("rewrite %q: %s does not end with return out: check what this gqlgen version generates", "object-fields", c.fn)
		}
		f.replace(last.Results[0], "gqlexec.ObjectFields{Fields: fields, Values: out.Values}")
	}
	return nil
}

// resolveStructFields points each field read straight from a struct field
// (no resolver, method, directive or middleware) at a gqlexec function
// instead of graphql.ResolveField: ResolveStructField ("struct-fields").
func resolveStructFields(f *file, data *gqlcodegen.Data, skips codegen.Skips) error {
	if skips.Has("struct-fields") {
		return nil
	}
	fieldDirectives := len(data.AllDirectives.LocationDirectives("FIELD")) > 0
	want := map[string]bool{}
	for _, o := range data.Objects {
		for _, field := range o.Fields {
			if readsStructField(field, fieldDirectives, data.Config.OmitPanicHandler) {
				want[ecMethod("_"+o.Name+"_"+field.Name)] = true
			}
		}
	}
	found := map[string]structFieldCall{}
	for name, fn := range f.funcs {
		if c, ok := asStructFieldCall(fn); ok {
			found[name] = c
		}
	}
	var wrong []string
	for name := range found {
		if !want[name] {
			wrong = append(wrong, name+" reads a struct field, which gqlgen's model does not say")
		}
	}
	for name := range want {
		if _, ok := found[name]; !ok {
			wrong = append(wrong, name+" does not read its struct field as gqlgen's model says")
		}
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)
		return fmt.Errorf("rewrite %q: %d fields read from struct fields in gqlgen's model, %d found: %s; check what this gqlgen version generates",
			"struct-fields", len(want), len(found), strings.Join(wrong, "; "))
	}
	for _, c := range found {
		f.replace(c.call, fmt.Sprintf("gqlexec.ResolveStructField(ctx, ec.OperationContext, field, %s, %s, %s)", f.text(c.fieldContext), f.text(c.value), f.text(c.marshal)))
	}
	return nil
}

// readsStructField reports whether gqlgen resolves field by reading a
// struct field of its object, with no resolver, method, directive or
// middleware, and recovers from panics.
func readsStructField(field *gqlcodegen.Field, fieldDirectives, omitPanicHandler bool) bool {
	return !field.Object.Stream && !field.Object.Root && !field.TypeReference.IsRoot &&
		field.IsVariable() && !field.IsResolver && !field.IsMap() && !field.IsBatch() && !field.HasHaser &&
		!field.HasDirectives() && !fieldDirectives && !omitPanicHandler
}

// structFieldCall is the call of graphql.ResolveField that reads a struct
// field: the field's context function, the value read, and its marshaller.
type structFieldCall struct {
	call                         *ast.CallExpr
	fieldContext, value, marshal ast.Expr
}

// asStructFieldCall matches the body gqlgen writes for a field read from a
// struct field:
//
//	return graphql.ResolveField(ctx, ec.OperationContext, field,
//		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) { return FIELDCONTEXT(ctx, field) },
//		func(ctx context.Context) (any, error) { return VALUE, nil },
//		nil,
//		func(ctx context.Context, selections ast.SelectionSet, v T) graphql.Marshaler { return MARSHAL(ctx, selections, v) },
//		true, NONNULL)
func asStructFieldCall(fn *ast.FuncDecl) (structFieldCall, bool) {
	if fn.Body == nil || len(fn.Body.List) != 1 {
		return structFieldCall{}, false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return structFieldCall{}, false
	}
	c, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || !isSelector(c.Fun, "graphql", "ResolveField") || len(c.Args) != 9 ||
		!isIdent(c.Args[0], "ctx") || !isSelector(c.Args[1], "ec", "OperationContext") || !isIdent(c.Args[2], "field") ||
		!isIdent(c.Args[5], "nil") || !isIdent(c.Args[7], "true") {
		return structFieldCall{}, false
	}
	fieldContext, ok := returnedCall(c.Args[3], "ctx", "field")
	if !ok {
		return structFieldCall{}, false
	}
	value, ok := returnedValue(c.Args[4])
	if !ok {
		return structFieldCall{}, false
	}
	marshal, ok := returnedCall(c.Args[6], "ctx", "selections", "v")
	if !ok {
		return structFieldCall{}, false
	}
	return structFieldCall{c, fieldContext, value, marshal}, true
}

// returnedCall matches a function literal whose body is return f(args...)
// with f a method of ec, and returns f.
func returnedCall(e ast.Expr, args ...string) (ast.Expr, bool) {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil, false
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil, false
	}
	c, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || len(c.Args) != len(args) {
		return nil, false
	}
	if sel, ok := c.Fun.(*ast.SelectorExpr); !ok || !isIdent(sel.X, "ec") {
		return nil, false
	}
	for i, a := range args {
		if !isIdent(c.Args[i], a) {
			return nil, false
		}
	}
	return c.Fun, true
}

// returnedValue matches a function literal whose body is return obj.X,
// nil, and returns obj.X.
func returnedValue(e ast.Expr) (ast.Expr, bool) {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil, false
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 2 || !isIdent(ret.Results[1], "nil") {
		return nil, false
	}
	sel, ok := ret.Results[0].(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "obj") {
		return nil, false
	}
	return sel, true
}

// isSelector reports whether e is x.sel.
func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == sel && isIdent(s.X, x)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
