package api_test

import (
	"strings"
	"testing"

	"engage/graph"
)

// TestSchemaIsDocumented walks the GraphQL schema that clients introspect:
// every type, field, argument and enum value must have a description.
func TestSchemaIsDocumented(t *testing.T) {
	s := graph.NewSchema(nil, 0).Schema()
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if def.Description == "" {
			missing = append(missing, "type "+name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				missing = append(missing, "field "+name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					missing = append(missing, "argument "+name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				missing = append(missing, "enum value "+name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
