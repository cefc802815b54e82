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

// TestEdgeFiltersOnlyReachVisibleObjects lists every where-filter that
// crosses an edge. ent evaluates such filters without the target's privacy
// rules, so each is offered only where the target is visible whenever the
// source is (the edge is marked filterable in ent/schema); a new one must be
// added here, with its reason, on purpose.
func TestEdgeFiltersOnlyReachVisibleObjects(t *testing.T) {
	safe := map[string]string{
		"AnswerWhereInput.question":           "an answer's question is in the answer's (visible) survey",
		"AnswerWhereInput.response":           "an answer is visible exactly when its response is",
		"APITokenWhereInput.owner":            "tokens are visible to their owner (or to an administrator, who sees every user)",
		"APITokenWhereInput.auditEvents":      "events about a token are visible to whoever sees the token",
		"AuditEventWhereInput.token":          "an event is visible exactly when its token is",
		"CommentWhereInput.pin":               "a visible comment's pin is visible",
		"MapWhereInput.project":               "a map is visible exactly when its project is",
		"PinWhereInput.map":                   "a visible pin's map is visible",
		"ProjectMembershipWhereInput.project": "a membership is visible exactly when its project is",
		"ProjectWhereInput.maps":              "a project's maps are visible exactly when it is",
		"ProjectWhereInput.memberships":       "a project's memberships are visible exactly when it is",
		"QuestionWhereInput.answers":          "answers are visible exactly when their survey, the question's survey, is",
		"QuestionWhereInput.survey":           "a question is visible exactly when its survey is",
		"ResponseWhereInput.answers":          "answers are visible exactly when their response is",
		"ResponseWhereInput.survey":           "a response is visible exactly when its survey is",
		"SurveyWhereInput.project":            "a visible survey's project is visible",
		"SurveyWhereInput.questions":          "questions are visible exactly when their survey is",
		"SurveyWhereInput.responses":          "responses are visible exactly when their survey is",
		"TeamMembershipWhereInput.team":       "a membership is visible exactly when its team is",
		"TeamWhereInput.memberships":          "a team's memberships are visible exactly when it is",
	}
	s := graph.NewSchema(nil, 0).Schema()
	found := map[string]bool{}
	for name, def := range s.Types {
		if !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		for _, f := range def.Fields {
			edge, ok := strings.CutPrefix(f.Name, "has")
			if !ok || edge == "" || edge[0] < 'A' || edge[0] > 'Z' {
				continue
			}
			edge = strings.TrimSuffix(edge, "With")
			key := name + "." + strings.ToLower(edge[:1]) + edge[1:]
			found[key] = true
			if safe[key] == "" {
				t.Errorf("where-filter %s.%s crosses an edge that is not known to be safe; take filterable off the edge in ent/schema, or add it here with the reason it is safe", name, f.Name)
			}
		}
	}
	for key := range safe {
		if !found[key] {
			t.Errorf("the safe edge filter %s is not in the schema any more; remove it from this list", key)
		}
	}
}

// TestFiltersTestOnlyWhatTypesShow: every where-filter field and order
// field tests a field that its type shows to every caller who sees the
// object, never one the type leaves out (such as the ID of a link to a
// hidden user or team) or one that answers null to some callers (@personal).
// gqlschema's filterOnlyWhatTypesShow makes it so; the differential test
// checks what each filter returns.
func TestFiltersTestOnlyWhatTypesShow(t *testing.T) {
	c := schemaCatalog()
	if len(c.list) != len(typeNames) {
		t.Errorf("%d root connections with where-filters, want one per entity (%d)", len(c.list), len(typeNames))
	}
	shown := func(f *filterable, field string) bool {
		fd := f.object.Fields.ForName(field)
		return fd != nil && !isPersonal(fd)
	}
	for _, f := range c.list {
		for _, fd := range f.where.Fields {
			name := fd.Name
			switch {
			case name == "and" || name == "or" || name == "not":
			case edgeName(f.object, name) != "":
				if !shown(f, edgeName(f.object, name)) {
					t.Errorf("%s.%s crosses an edge that type %s does not show", f.where.Name, name, f.typ)
				}
			default:
				if field, _ := splitPredicate(f.object, name); !shown(f, field) {
					t.Errorf("%s.%s tests %s, which type %s does not show to every caller", f.where.Name, name, field, f.typ)
				}
			}
		}
		for _, v := range f.order {
			if !shown(f, orderFieldName(v)) {
				t.Errorf("%s can be ordered by %s, which type %s does not show to every caller", f.root, v, f.typ)
			}
		}
	}
}
