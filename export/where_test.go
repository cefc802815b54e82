package export_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"engage/ent"
	"engage/graph"
)

// TestWhereInputsDecode checks that every field of the GraphQL where-inputs
// that exports take, and of the where-inputs inside them, has its field in
// the ent where-input an export decodes it into: a filter GraphQL accepts
// is never dropped, nor refused, on its way into Go.
func TestWhereInputsDecode(t *testing.T) {
	schema := graph.NewSchema(nil, 0).Schema()
	seen := map[string]bool{}
	var walk func(def *ast.Definition, typ reflect.Type)
	walk = func(def *ast.Definition, typ reflect.Type) {
		if seen[def.Name] {
			return
		}
		seen[def.Name] = true
		byName := map[string]reflect.StructField{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			byName[name] = f
		}
		for _, field := range def.Fields {
			f, ok := byName[field.Name]
			if !ok {
				t.Errorf("%s.%s has no field in %s", def.Name, field.Name, typ)
				continue
			}
			if inner := schema.Types[field.Type.Name()]; inner.Kind == ast.InputObject {
				elem := f.Type
				for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice {
					elem = elem.Elem()
				}
				walk(inner, elem)
			}
		}
	}
	walk(schema.Types["ResponseWhereInput"], reflect.TypeFor[ent.ResponseWhereInput]())
	walk(schema.Types["PinWhereInput"], reflect.TypeFor[ent.PinWhereInput]())
	if len(seen) < 4 {
		t.Errorf("walked %d where-inputs, want those of responses, pins and their edges", len(seen))
	}
}
