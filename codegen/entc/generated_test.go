package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestEntHoldsOnlyGeneratedCode checks that every Go file under ent/,
// outside the schema (ent/schema/), carries the standard "Code generated
// ... DO NOT EDIT." header: hand-written code that the generated code calls
// belongs in pageload, and changes to what the generators write here, in
// codegen/. CI's generate stage runs it too.
func TestEntHoldsOnlyGeneratedCode(t *testing.T) {
	root := filepath.Join("..", "..", "ent")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path == filepath.Join(root, "schema") {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".go" {
			return nil
		}
		files++
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if !ast.IsGenerated(f) {
			t.Errorf("%s has no \"Code generated ... DO NOT EDIT.\" header: ent/ holds only generated code", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no Go file under %s", root)
	}
}
