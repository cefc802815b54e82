//go:build ignore

// entc.go generates the ent client, the GraphQL schema of the entities
// (schema/ent.graphql) and the entgql glue code. go generate ./... runs it
// from the module root, before gqlgen.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"engage/gqlschema"
)

func main() {
	ext, err := entgql.NewExtension(
		// ent/template/paginate.tmpl comes after entgql's own templates, so
		// that its definitions replace theirs. First: options below add more.
		entgql.WithTemplates(append(entgql.AllTemplates,
			gen.MustParse(gen.NewTemplate("paginate").Funcs(entgql.TemplateFuncs).ParseFiles("./ent/template/paginate.tmpl")))...),
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
