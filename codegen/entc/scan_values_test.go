package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestQueriesScanThroughScanValuesOnce checks where ent's spec hook puts
// template/scan_values.tmpl in every generated sqlAll: after ent sets
// _spec.ScanValues, which it must wrap (before, it would wrap nothing and
// be overwritten, and rows would silently get new values again).
func TestQueriesScanThroughScanValuesOnce(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "ent", "*_query.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated query: %v", err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "sqlAll" {
				continue
			}
			set, wrapped := -1, -1
			for i, stmt := range fn.Body.List {
				assign, ok := stmt.(*ast.AssignStmt)
				if !ok || len(assign.Lhs) != 1 || !isSelector(assign.Lhs[0], "_spec", "ScanValues") {
					continue
				}
				switch rhs := assign.Rhs[0].(type) {
				case *ast.FuncLit:
					set = i
				case *ast.CallExpr:
					if isSelector(rhs.Fun, "pageload", "ScanValuesOnce") && len(rhs.Args) == 1 && isSelector(rhs.Args[0], "_spec", "ScanValues") {
						wrapped = i
					}
				}
			}
			if set < 0 || wrapped <= set {
				t.Errorf("%s: sqlAll sets ScanValues at statement %d and wraps it in ScanValuesOnce at %d; want it wrapped after it is set", file, set, wrapped)
			}
		}
	}
}

// isSelector reports whether e is x.sel.
func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok || s.Sel.Name != sel {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == x
}
