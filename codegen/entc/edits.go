package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template/parse"

	"entgo.io/ent/entc/gen"

	"engage/codegen"
)

// edit changes the text from of an upstream template to to, as part of
// the change named change (codegen.Changes). Each is made where no hook of
// ent's or entgql's can make it; from must occur exactly once.
type edit struct{ change, from, to string }

// collectionEdits are the edits of entgql's collection template, which
// writes the eager loading of nested connections (gql_collection.go).
// (Its helper "gql_pagination/helper/load_total", which counts them, could
// be replaced whole, but that would copy upstream's many-to-many branch,
// and no longer fail when upstream changes it.)
var collectionEdits = []edit{
	// Nested pages per parent instead of a window over every child of the
	// parents.
	{"pages-per-parent", "entgql.LimitPerRow(", "pageload.LimitPerParent("},
	// Nested counts per parent, instead of one GROUP BY over every child.
	{"counts-per-parent", "query.GroupBy(", "query.Select("},
	{"counts-per-parent", ").Aggregate(Count())", ").Aggregate(AggregateFunc(pageload.CountPerParent(ids)))"},
	// The count of a one-to-many connection reads only children of the
	// nodes it counts for: say so to privacy rules, as
	// template/child_pages.tmpl does for pages.
	{
		"read-parents",
		"query.Where(func(s *sql.Selector) {\n\t\t\t\ts.Where(",
		"ctx = pageload.MarkChildLoads(ctx, nodes, query)\n\t\t\tquery.Where(func(s *sql.Selector) {\n\t\t\t\ts.Where(",
	},
	// The condition that the rows counted belong to the parents, which a
	// count per parent leaves out.
	{"no-parent-list", "s.Where(sql.InValues(s.C(", "s.Where(pageload.ChildrenOf(s, s.C("},
	// The extra row of each parent's page only for pageInfo.
	{
		"extra-row-for-pageinfo",
		"ignoredEdges := !hasCollectedField(ctx, append(path, edgesField)...)",
		"ignoredEdges, pageInfo := !hasCollectedField(ctx, append(path, edgesField)...), hasCollectedField(ctx, append(path, pageInfoField)...)",
	},
	{
		"extra-row-for-pageinfo",
		"if limit := paginateLimit(args.first, args.last); limit > 0 {",
		"if limit := pageload.PageLimit(paginateLimit(args.first, args.last), pageInfo); limit > 0 {",
	},
	// Count a nested list for totalCount, or for pageInfo only when no edge
	// is loaded: hasNextPage comes from the extra row of each parent's page
	// (as template/paginate.tmpl does for top-level lists).
	{
		"count-for-totalcount",
		"|| hasCollectedField(ctx, append(path, pageInfoField)...) {",
		"|| (hasCollectedField(ctx, append(path, pageInfoField)...) && (ignoredEdges || (args.first != nil && *args.first == 0) || (args.last != nil && *args.last == 0))) {",
	},
	// A nested connection's orderBy given as one object rather than a list
	// (GraphQL's input coercion allows it), or as a variable's list, is
	// ordered as the list it stands for (pageload.OrderList); the eager load
	// would otherwise leave it unordered.
	{
		"nested-order-list",
		"if v, ok := rv[orderByField]; ok {\n\t\t\tswitch v := v.(type) {",
		"if v, ok := rv[orderByField]; ok {\n\t\t\tswitch v := pageload.OrderList(v).(type) {",
	},
	// A cursor that does not decode is left out of the eager load, which
	// would otherwise panic on it; the field's own argument parsing then
	// refuses it as BAD_USER_INPUT at the field's path.
	{
		"undecodable-nested-cursor",
		"if c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t}",
		"if c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t} else {\n\t\t\tdelete(args, k)\n\t\t}",
	},
}

// paginationEdits are the edits of entgql's pagination template
// (gql_pagination.go). Every entity orders by a list of fields
// (entgql.MultiOrder, ent/schema), so only the template's multi-order
// branches are changed.
var paginationEdits = []edit{
	// Cursors checked against the ordering, and kept rows placed as the
	// ordering places nulls (pageload.CursorsPredicate).
	{"cursor-predicates", "entgql.MultiCursorsPredicate(after, before,", "pageload.CursorsPredicate(p.toCursor, after, before,"},
	// Nulls greater than any value on both dialects (pageload.OrderTerms).
	{
		"null-order",
		"query = query.Order(o.Field.toTerm(direction.OrderTermOption()))\n\t\t\tif o.Field.column == ",
		"query = query.Order(o.Field.toTerm(pageload.OrderTerms(o.Field.toCursor, direction)...))\n\t\t\tif o.Field.column == ",
	},
	{
		"null-order",
		"b.Ident(o.Field.column).Pad().WriteString(string(direction))",
		"b.Ident(o.Field.column).Pad().WriteString(pageload.OrderSQL(o.Field.toCursor, direction))",
	},
}

// queryEdits are the edits of ent's template "dialect/sql/query", which
// writes each entity's sqlAll and eager loaders (<entity>_query.go).
var queryEdits = []edit{
	// The condition that the rows of a one-to-many load belong to the
	// parents, which a page read per parent leaves out (pageload.ChildrenOf).
	{"no-parent-list", "s.Where(sql.InValues(s.C(", "s.Where(pageload.ChildrenOf(s, s.C("},
}

// queryTemplate is the name of ent's template that queryEdits change.
const queryTemplate = "dialect/sql/query"

// editedQuery returns ent's template "dialect/sql/query", read from the ent
// module in use, with queryEdits made: entc puts it in place of its own.
func editedQuery(skips codegen.Skips) (*gen.Template, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "entgo.io/ent").Output()
	if err != nil {
		return nil, fmt.Errorf("finding the ent module: %w", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "entc", "gen", "template", "dialect", "sql", "query.tmpl")
	builtin, err := gen.NewTemplate("ent").Funcs(gen.Funcs).ParseFiles(file)
	if err != nil {
		return nil, err
	}
	query := builtin.Lookup(queryTemplate)
	if query == nil {
		return nil, fmt.Errorf("%s defines no template %q: review queryEdits", file, queryTemplate)
	}
	edited, err := gen.NewTemplate("query").Funcs(gen.Funcs).AddParseTree(queryTemplate, query.Tree)
	if err != nil {
		return nil, err
	}
	return edited, applyEdits(edited, "ent's template "+queryTemplate, queryEdits, skips)
}

// applyEdits makes the edits of t (named what) that skips does not leave
// out, in order, and fails if the text one changes does not occur exactly
// once.
func applyEdits(t *gen.Template, what string, edits []edit, skips codegen.Skips) error {
	for _, e := range edits {
		if skips.Has(e.change) {
			continue
		}
		replaced := 0
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				replaced += replaceText(tt.Tree.Root, []byte(e.from), []byte(e.to))
			}
		}
		if replaced != 1 {
			return fmt.Errorf("%s has %q %d times, expected once: review the edits of %q in codegen/entc/edits.go", what, e.from, replaced, e.change)
		}
	}
	return nil
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
