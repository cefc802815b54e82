//go:build ignore

// entc.go generates the ent client, the GraphQL schema of the entities
// (schema/ent.graphql) and the entgql glue code. Run it with go generate ./...
// from the module root.
package main

import (
	"log"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ext, err := entgql.NewExtension(
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(describeTypes, renameMapTypes),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:  "ent",
		Package: "engage/ent",
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureVersionedMigration,
			gen.FeatureIntercept,
			gen.FeatureNamedEdges,
		},
	}, entc.Extensions(ext))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// describeTypes copies each entity's schema.Comment annotation into the
// description of its GraphQL type, which entgql leaves empty.
func describeTypes(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		c, ok := n.Annotations["Comment"].(map[string]any)
		if !ok {
			continue
		}
		if def := s.Types[n.Name]; def != nil {
			def.Description, _ = c["Text"].(string)
		}
	}
	return nil
}

// renameMapTypes names the ProjectMap entity Map in GraphQL, with its
// connection, order and input types, binding each renamed type to its Go type,
// and drops the placeholder interface Map that ent/schema/maps.go declares.
// (entgql cannot do it with entgql.Type("Map"): it takes a field of type Map
// for its builtin Map scalar.)
func renameMapTypes(g *gen.Graph, s *ast.Schema) error {
	rename := func(name string) string { return strings.Replace(name, "ProjectMap", "Map", 1) }
	var renameType func(t *ast.Type)
	renameType = func(t *ast.Type) {
		if t == nil {
			return
		}
		t.NamedType = rename(t.NamedType)
		renameType(t.Elem)
	}
	for name, def := range s.Types {
		def.Description = strings.ReplaceAll(def.Description, "ProjectMap", "Map")
		for _, f := range def.Fields {
			renameType(f.Type)
			f.Description = strings.ReplaceAll(f.Description, "ProjectMap", "Map")
			for _, a := range f.Arguments {
				renameType(a.Type)
				a.Description = strings.ReplaceAll(a.Description, "ProjectMap", "Map")
			}
		}
		if !strings.Contains(name, "ProjectMap") {
			continue
		}
		delete(s.Types, name)
		def.Name = rename(name)
		def.Interfaces = slices.DeleteFunc(def.Interfaces, func(i string) bool { return i == def.Name })
		if def.Directives.ForName("goModel") == nil {
			def.Directives = append(def.Directives, &ast.Directive{
				Name: "goModel",
				Arguments: ast.ArgumentList{{
					Name:  "model",
					Value: &ast.Value{Kind: ast.StringValue, Raw: g.Package + "." + name},
				}},
			})
		}
		s.Types[def.Name] = def
	}
	return nil
}
