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
	changeCollection(entgql.CollectionTemplate)
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

// collectionChanges are the changes to entgql's collection template, each
// made where entgql writes from, which must occur exactly once.
var collectionChanges = []struct{ from, to string }{
	// Nested pages per parent (ent/child_pages.go) instead of a window over
	// every child of the parents.
	{"entgql.LimitPerRow(", "limitPerParent("},
	// Count a nested list for totalCount, or for pageInfo only when no edge
	// is loaded: hasNextPage comes from the extra row of each parent's page
	// (as ent/template/paginate.tmpl does for top-level lists).
	{
		"|| hasCollectedField(ctx, append(path, pageInfoField)...) {",
		"|| (hasCollectedField(ctx, append(path, pageInfoField)...) && (ignoredEdges || (args.first != nil && *args.first == 0) || (args.last != nil && *args.last == 0))) {",
	},
}

// changeCollection applies collectionChanges to entgql's collection
// template, and stops generation if entgql no longer writes what they change.
func changeCollection(t *gen.Template) {
	for _, c := range collectionChanges {
		replaced := 0
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				replaced += replaceText(tt.Tree.Root, []byte(c.from), []byte(c.to))
			}
		}
		if replaced != 1 {
			log.Fatalf("entgql's collection template has %q %d times, expected once: review collectionChanges", c.from, replaced)
		}
	}
}

// replaceText replaces from with to in the text of n and of the templates
// nested in it, and returns how many times.
func replaceText(n parse.Node, from, to []byte) int {
	switch n := n.(type) {
	case *parse.TextNode:
		count := bytes.Count(n.Text, from)
		n.Text = bytes.ReplaceAll(n.Text, from, to)
		return count
	case *parse.ListNode:
		if n == nil { // an if without else
			return 0
		}
		count := 0
		for _, child := range n.Nodes {
			count += replaceText(child, from, to)
		}
		return count
	case *parse.IfNode:
		return replaceText(n.List, from, to) + replaceText(n.ElseList, from, to)
	case *parse.RangeNode:
		return replaceText(n.List, from, to) + replaceText(n.ElseList, from, to)
	case *parse.WithNode:
		return replaceText(n.List, from, to) + replaceText(n.ElseList, from, to)
	}
	return 0
}
