// Command entc generates the ent client (ent/), the GraphQL schema of the
// entities (schema/ent.graphql) and the entgql glue code, with the changes
// to ent's and entgql's templates that codegen/README.md lists: templates
// of our own (template/), through the hooks ent offers, and text edits
// where it offers none (edits.go). go generate ./... runs it from the
// module root, before codegen/gqlgen.
package main

import (
	"embed"
	"log"
	"text/template"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"engage/codegen"
	"engage/codegen/gqlschema"
)

// templates are the templates of our own, which replace or add to entgql's
// and ent's. They may ask whether a change is left out: {{ if skipped
// "name" }}.
//
//go:embed template/*.tmpl
var templates embed.FS

func main() {
	if err := generate(); err != nil {
		log.Fatal(err)
	}
}

func generate() error {
	skips, err := codegen.Skipped()
	if err != nil {
		return err
	}
	if err := applyEdits(entgql.CollectionTemplate, "entgql's collection template", collectionEdits, skips); err != nil {
		return err
	}
	if err := applyEdits(entgql.PaginationTemplate, "entgql's pagination template", paginationEdits, skips); err != nil {
		return err
	}
	query, err := editedQuery(skips)
	if err != nil {
		return err
	}
	ours, err := gen.NewTemplate("engage").Funcs(entgql.TemplateFuncs).Funcs(template.FuncMap{"skipped": skips.Has}).ParseFS(templates, "template/*.tmpl")
	if err != nil {
		return err
	}
	ext, err := entgql.NewExtension(
		// Our templates come after entgql's own, so that their definitions
		// replace theirs; the edited query template replaces ent's. First:
		// options below add more.
		entgql.WithTemplates(append(entgql.AllTemplates, ours, query)...),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(gqlschema.Hooks()...),
	)
	if err != nil {
		return err
	}
	return entc.Generate("./ent/schema", &gen.Config{
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
}
