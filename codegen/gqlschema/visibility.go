package gqlschema

import (
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// filterOnlyWhatTypesShow makes every where-filter and order field test
// only what the caller can read through the entity's type, whatever the ent
// schema's annotations say; so a field or edge added later is covered by
// default:
//   - a field predicate stays only when the type shows the field (a field
//     left out of the type, such as the ID of a link to a user or team the
//     caller may not see, or personal data, cannot be tested);
//   - an edge predicate (hasX, hasXWith) stays only when the edge is marked
//     Filterable in ent/schema, because ent evaluates it without the
//     target's privacy rules;
//   - an order field stays only when the type shows the field it orders by.
//
// Each Go WhereInput keeps what entgql wrote; GraphQL validation refuses
// the predicates removed here before any of it runs.
func filterOnlyWhatTypesShow(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		typ := s.Types[gqlName(n)]
		if typ == nil {
			continue
		}
		if where := s.Types[typ.Name+"WhereInput"]; where != nil {
			filterable := map[string]bool{}
			for _, e := range n.Edges {
				if _, ok := e.Annotations["Filterable"]; ok {
					filterable["has"+camel("_"+e.Name)] = true
				}
			}
			where.Fields = slices.DeleteFunc(where.Fields, func(f *ast.FieldDefinition) bool {
				switch {
				case f.Name == "and" || f.Name == "or" || f.Name == "not":
					return false
				case isEdgePredicate(f.Name):
					return !filterable[strings.TrimSuffix(f.Name, "With")]
				}
				return typ.Fields.ForName(predicateField(typ, f.Name)) == nil
			})
		}
		if order := s.Types[typ.Name+"OrderField"]; order != nil {
			order.EnumValues = slices.DeleteFunc(order.EnumValues, func(v *ast.EnumValueDefinition) bool {
				return typ.Fields.ForName(lowerFirst(camel(strings.ToLower(v.Name)))) == nil
			})
			if len(order.EnumValues) == 0 {
				return fmt.Errorf("%s: no order field is shown by type %s", order.Name, typ.Name)
			}
		}
	}
	return nil
}

// isEdgePredicate reports whether a where-filter field is hasX or hasXWith.
func isEdgePredicate(name string) bool {
	edge, ok := strings.CutPrefix(name, "has")
	return ok && edge != "" && edge[0] >= 'A' && edge[0] <= 'Z'
}

// predicateField is the field of typ that the where-filter field name tests:
// the name itself, or the name without its operator suffix.
func predicateField(typ *ast.Definition, name string) string {
	if typ.Fields.ForName(name) != nil {
		return name
	}
	for _, p := range predicates {
		if base, ok := strings.CutSuffix(name, p.suffix); ok && base != "" {
			return base
		}
	}
	return name
}

// nullableHiddenLinks makes a required link to one object nullable in
// GraphQL when its target may be hidden from a caller who sees the source
// (the edge is not marked Filterable): a membership whose user the caller
// may not see is still returned, with user null. The field's resolver
// answers null for the hidden target (see gqlgen.yml), which ent's privacy
// rules leave unloaded as if it did not exist.
func nullableHiddenLinks(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		typ := s.Types[gqlName(n)]
		if typ == nil {
			continue
		}
		for _, e := range n.Edges {
			if _, safe := e.Annotations["Filterable"]; safe || !e.Unique || e.Optional {
				continue
			}
			if f := typ.Fields.ForName(lowerFirst(camel(e.Name))); f != nil {
				f.Type.NonNull = false
			}
		}
	}
	return nil
}
