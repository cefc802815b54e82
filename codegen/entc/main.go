// Command entc generates the ent client (ent/), the GraphQL schema of the
// entities (schema/ent.graphql) and the entgql glue code, with the changes
// to ent's and entgql's templates that codegen/README.md lists. go generate
// ./... runs it from the module root, before codegen/gqlgen.
package main

import (
	"bytes"
	"embed"
	"log"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template/parse"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"engage/codegen/gqlschema"
)

// templates are the templates of our own, which replace or add to entgql's.
//
//go:embed template/*.tmpl
var templates embed.FS

func main() {
	change(entgql.CollectionTemplate, "entgql's collection template", collectionChanges)
	change(entgql.PaginationTemplate, "entgql's pagination template", paginationChanges)
	ext, err := entgql.NewExtension(
		// Our templates come after entgql's own, so that their
		// definitions replace theirs; the changed query template replaces ent's.
		// First: options below add more.
		entgql.WithTemplates(append(entgql.AllTemplates,
			gen.MustParse(gen.NewTemplate("engage").Funcs(entgql.TemplateFuncs).ParseFS(templates, "template/*.tmpl")),
			changedQuery())...),
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

// textChange replaces the text from of a template with to.
type textChange struct{ from, to string }

// collectionChanges are the changes to entgql's collection template, each
// made where entgql writes from, which must occur exactly once.
var collectionChanges = []textChange{
	// Nested pages per parent (pageload.LimitPerParent) instead of a window
	// over every child of the parents.
	{"entgql.LimitPerRow(", "pageload.LimitPerParent("},
	// Count a nested list for totalCount, or for pageInfo only when no edge
	// is loaded: hasNextPage comes from the extra row of each parent's page
	// (as template/paginate.tmpl does for top-level lists).
	// A nested count counts per parent (pageload.CountPerParent), and reads
	// only children of the nodes it counts for: say so to privacy rules, as
	// template/child_pages.tmpl does for pages.
	{"s.Where(sql.InValues(s.C(", "s.Where(pageload.ChildrenOf(s, s.C("},
	{"if err := query.GroupBy(", "if err := query.Select("},
	{").Aggregate(Count()).Scan(ctx, &v)", ").Aggregate(AggregateFunc(pageload.CountPerParent(ids))).Scan(pageload.MarkChildLoads(ctx, nodes, query), &v)"},
	// The extra row of each parent's page only for pageInfo (pageload.PageLimit).
	{"ignoredEdges := !hasCollectedField(ctx, append(path, edgesField)...)", "ignoredEdges, pageInfo := !hasCollectedField(ctx, append(path, edgesField)...), hasCollectedField(ctx, append(path, pageInfoField)...)"},
	{"if limit := paginateLimit(args.first, args.last); limit > 0 {", "if limit := pageload.PageLimit(paginateLimit(args.first, args.last), pageInfo); limit > 0 {"},
	// A cursor that does not decode is left out of the eager load, which
	// would otherwise panic on it; the field's own argument parsing then
	// refuses it as BAD_USER_INPUT at the field's path.
	{"if c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t}", "if c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t} else {\n\t\t\tdelete(args, k)\n\t\t}"},
	{
		"|| hasCollectedField(ctx, append(path, pageInfoField)...) {",
		"|| (hasCollectedField(ctx, append(path, pageInfoField)...) && (ignoredEdges || (args.first != nil && *args.first == 0) || (args.last != nil && *args.last == 0))) {",
	},
}

// paginationChanges are the changes to entgql's pagination template, each
// made where entgql writes from, which must occur exactly once.
var paginationChanges = []textChange{
	// A cursor whose value is not of the order field's kind is the client's
	// mistake (pageload.ValidCursors), refused before it reaches the database.
	// (Only for entities ordered by one field: none uses entgql.MultiOrder.)
	{
		"for _, predicate := range entgql.CursorsPredicate(",
		"if err := pageload.ValidCursors(p.order.Field.toCursor, after, before); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tfor _, predicate := range entgql.CursorsPredicate(",
	},
}

// queryChanges are the changes to ent's template "dialect/sql/query", which
// writes each entity's sqlAll and eager loaders, each made where ent writes
// from, exactly once.
var queryChanges = []textChange{
	// The condition that the rows of a one-to-many load belong to the
	// parents, which a page read per parent leaves out (pageload.ChildrenOf).
	{"s.Where(sql.InValues(s.C(", "s.Where(pageload.ChildrenOf(s, s.C("},
	// The values rows are scanned into, made once per query
	// (pageload.ScanValuesOnce).
	{"_spec.ScanValues = func(columns []string) ([]any, error) {", "_spec.ScanValues = pageload.ScanValuesOnce(func(columns []string) ([]any, error) {"},
	{").scanValues(nil, columns)\n\t}\n", ").scanValues(nil, columns)\n\t})\n"},
}

// changedQuery returns ent's template "dialect/sql/query", read from the
// ent module in use, with queryChanges made: entc puts it in place of its
// own.
func changedQuery() *gen.Template {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "entgo.io/ent").Output()
	if err != nil {
		log.Fatalf("finding the ent module: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "entc", "gen", "template", "dialect", "sql", "query.tmpl")
	builtin := gen.MustParse(gen.NewTemplate("ent").Funcs(gen.Funcs).ParseFiles(file))
	const name = "dialect/sql/query"
	query := builtin.Lookup(name)
	if query == nil {
		log.Fatalf("%s defines no template %q: review queryChanges", file, name)
	}
	changed := gen.MustParse(gen.NewTemplate("query").Funcs(gen.Funcs).AddParseTree(name, query.Tree))
	change(changed, "ent's template "+name, queryChanges)
	return changed
}

// change makes changes in t (named what), and stops generation if the
// template no longer has the text they change exactly once.
func change(t *gen.Template, what string, changes []textChange) {
	for _, c := range changes {
		replaced := 0
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				replaced += replaceText(tt.Tree.Root, []byte(c.from), []byte(c.to))
			}
		}
		if replaced != 1 {
			log.Fatalf("%s has %q %d times, expected once: review the changes in codegen/entc", what, c.from, replaced)
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
