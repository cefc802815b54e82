// Package gqlschema shapes the GraphQL schema that entgql generates from the
// ent schema: it names the Map type, keeps where-filters and order fields to
// what the types show and makes links to objects that may be hidden nullable
// (visibility.go), and fills in the descriptions entgql
// leaves out, so that every type, field, argument and enum value is
// documented. codegen/entc runs its Hooks during go generate.
package gqlschema

import (
	"maps"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Hooks returns the schema hooks, in the order they must run.
func Hooks() []entgql.SchemaHook {
	return []entgql.SchemaHook{renameMap, filterOnlyWhatTypesShow, nullableHiddenLinks, describeNodes, describeEnumValues, describeInputs}
}

// gqlName is the GraphQL name of an ent type.
func gqlName(n *gen.Type) string {
	return renamed(n.Name)
}

// renamed maps a generated name to its GraphQL name (see renameMap).
func renamed(name string) string { return strings.Replace(name, "ProjectMap", "Map", 1) }

// renameMap names the ProjectMap entity Map in GraphQL, with its connection,
// order and input types, binding each renamed type to its Go type, and drops
// the placeholder interface Map that ent/schema/maps.go declares. (entgql
// cannot do it with entgql.Type("Map"): it takes a field of type Map for its
// builtin Map scalar.)
func renameMap(g *gen.Graph, s *ast.Schema) error {
	var renameType func(t *ast.Type)
	renameType = func(t *ast.Type) {
		if t != nil {
			t.NamedType = renamed(t.NamedType)
			renameType(t.Elem)
		}
	}
	// Walk a snapshot of the names: the loop renames types in s.Types.
	for _, name := range slices.Sorted(maps.Keys(s.Types)) {
		def := s.Types[name]
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
		def.Name = renamed(name)
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

// describeNodes documents each entity type from its schema.Comment
// annotation, and its list edges (connections) from the edges' comments.
func describeNodes(g *gen.Graph, s *ast.Schema) error {
	if q := s.Types["Query"]; q != nil && q.Description == "" {
		q.Description = "Every read starts here. Each list is a Relay connection of the objects the caller may see, with totalCount, ordering and where-filters; node and nodes fetch any object by its global ID."
	}
	for _, n := range g.Nodes {
		def := s.Types[gqlName(n)]
		if def == nil {
			continue
		}
		if c, ok := n.Annotations["Comment"].(map[string]any); ok {
			def.Description, _ = c["Text"].(string)
		}
		for _, e := range n.Edges {
			if f := def.Fields.ForName(lowerFirst(camel(e.Name))); f != nil && f.Description == "" {
				f.Description = e.Comment()
			}
		}
	}
	return nil
}

// describeEnumValues documents enum values: those of entity fields from the
// fields' ValueDocs annotations, and those of order fields by what they order.
func describeEnumValues(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[gqlName(n)]
		for _, f := range n.Fields {
			docs, ok := f.Annotations["ValueDocs"].(map[string]any)
			if !ok || def == nil {
				continue
			}
			field := def.Fields.ForName(lowerFirst(camel(f.Name)))
			if field == nil {
				continue
			}
			if enum := s.Types[field.Type.Name()]; enum != nil {
				for _, v := range enum.EnumValues {
					if d, ok := docs[v.Name].(string); ok {
						v.Description = d
					}
				}
			}
		}
	}
	for name, def := range s.Types {
		if !strings.HasSuffix(name, "OrderField") {
			continue
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				v.Description = "Order by " + strings.ToLower(strings.ReplaceAll(v.Name, "_", " ")) + "."
			}
		}
	}
	return nil
}

// predicates documents where-filter fields by their suffix; the longest
// suffix that matches wins.
var predicates = []struct{ suffix, doc string }{
	{"ContainsFold", "contains this text, ignoring case"},
	{"EqualFold", "equals this text, ignoring case"},
	{"HasPrefix", "starts with this text"},
	{"HasSuffix", "ends with this text"},
	{"Contains", "contains this text"},
	{"NotNil", "is set"},
	{"IsNil", "is not set"},
	{"NotIn", "is none of these values"},
	{"NEQ", "is not this value"},
	{"GTE", "is this value or greater"},
	{"LTE", "is this value or less"},
	{"GT", "is greater than this value"},
	{"LT", "is less than this value"},
	{"In", "is one of these values"},
}

// describeInputs documents the fields of where-filters and mutation inputs
// that entgql leaves without a description.
func describeInputs(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
		if def.Kind != ast.InputObject {
			continue
		}
		for _, f := range def.Fields {
			// entgql's own "title field predicates" says too little.
			generic := strings.HasSuffix(f.Description, " predicates")
			switch {
			case strings.HasSuffix(name, "WhereInput") && (f.Description == "" || generic):
				f.Description = whereDoc(f.Name)
			case f.Description == "":
				f.Description = inputDoc(f.Name)
			}
		}
	}
	return nil
}

func whereDoc(field string) string {
	switch field {
	case "not":
		return "Matches objects that do not match this filter."
	case "and":
		return "Matches objects that match every one of these filters."
	case "or":
		return "Matches objects that match at least one of these filters."
	}
	if edge, ok := strings.CutPrefix(field, "has"); ok && edge != "" && edge[0] >= 'A' && edge[0] <= 'Z' {
		if edge, ok := strings.CutSuffix(edge, "With"); ok {
			return "Matches objects with a linked " + words(edge) + " that matches one of these filters."
		}
		return "Matches objects that have (true) or lack (false) a linked " + words(edge) + "."
	}
	for _, p := range predicates {
		if base, ok := strings.CutSuffix(field, p.suffix); ok && base != "" {
			return "Matches when " + words(base) + " " + p.doc + "."
		}
	}
	return "Matches when " + words(field) + " is this value."
}

func inputDoc(field string) string {
	switch {
	case strings.HasPrefix(field, "clear"):
		return "Set to true to clear " + words(strings.TrimPrefix(field, "clear")) + "."
	case strings.HasPrefix(field, "append"):
		return "Values to append to " + words(strings.TrimPrefix(field, "append")) + "."
	case strings.HasPrefix(field, "add") && strings.HasSuffix(field, "IDs"):
		return "IDs of " + words(strings.TrimSuffix(strings.TrimPrefix(field, "add"), "IDs")) + " to link."
	case strings.HasPrefix(field, "remove") && strings.HasSuffix(field, "IDs"):
		return "IDs of " + words(strings.TrimSuffix(strings.TrimPrefix(field, "remove"), "IDs")) + " to unlink."
	case strings.HasSuffix(field, "IDs"):
		return "IDs of the " + words(strings.TrimSuffix(field, "IDs")) + " to link."
	case strings.HasSuffix(field, "ID"):
		return "ID of the " + words(strings.TrimSuffix(field, "ID")) + "."
	}
	return "New value of " + words(field) + "."
}

// words turns a camelCase name into lowercase words: "respondentEmail"
// becomes "respondent email".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// camel turns snake_case into camelCase, as entgql names fields.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "id" || parts[i] == "ip" {
			parts[i] = strings.ToUpper(parts[i])
		} else if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
