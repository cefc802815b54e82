//go:build ignore

// entc.go generates the ent client, the GraphQL schema of the entities
// (schema/ent.graphql) and the entgql glue code. go generate ./... runs it
// from the module root, before gqlgen.
package main

import (
	"bytes"
	"log"
	"text/template/parse"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"engage/gqlschema"
)

func main() {
	pageChildrenPerParent(entgql.CollectionTemplate)
	ext, err := entgql.NewExtension(
		// ent/template comes after entgql's own templates, so that its
		// definitions replace theirs. First: options below add more.
		entgql.WithTemplates(append(entgql.AllTemplates,
			gen.MustParse(gen.NewTemplate("engage").Funcs(entgql.TemplateFuncs).ParseGlob("./ent/template/*.tmpl")))...),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(gqlschema.Hooks()...),
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
			gen.FeatureExecQuery,
		},
	}, entc.Extensions(ext))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// pageChildrenPerParent makes entgql's collection template page nested
// connections with limitPerParent (ent/child_pages.go) where it calls
// entgql.LimitPerRow: the call is the one thing changed, and generation
// stops if entgql no longer makes it.
func pageChildrenPerParent(t *gen.Template) {
	const from, to = "entgql.LimitPerRow(", "limitPerParent("
	replaced := 0
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.TextNode:
			if bytes.Contains(n.Text, []byte(from)) {
				n.Text = bytes.ReplaceAll(n.Text, []byte(from), []byte(to))
				replaced++
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
	if replaced != 1 {
		log.Fatalf("entgql's collection template calls %s %d times, expected once: review pageChildrenPerParent", from, replaced)
	}
}
