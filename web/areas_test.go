package web

import (
	"slices"
	"testing"

	"engage/graph"
)

func TestGroupSchemaPlacesEverything(t *testing.T) {
	s := graph.NewSchema(nil, 0).Schema()
	areas, unplaced := groupSchema(s)
	if len(unplaced) > 0 {
		t.Errorf("types in no area: %v; add them to entityAreas", unplaced)
	}
	var keys []string
	seen := map[string]string{}
	for _, a := range areas {
		keys = append(keys, a.Key)
		for _, f := range slices.Concat(a.Queries, a.Mutations) {
			if prev, ok := seen[f.Name]; ok {
				t.Errorf("root field %s is in %s and %s", f.Name, prev, a.Key)
			}
			seen[f.Name] = a.Key
			if f.Description == "" {
				t.Errorf("root field %s has no description", f.Name)
			}
		}
		if a.Key != commonArea && (len(a.Queries) == 0 || len(a.Mutations) == 0 || a.Summary == "") {
			t.Errorf("area %v: want queries, mutations and a summary", a)
		}
	}
	if want := []string{"projects", "surveys", "maps", "tokens", "users", commonArea}; !slices.Equal(keys, want) {
		t.Errorf("areas: got %v, want %v", keys, want)
	}
	for _, f := range slices.Concat(s.Query.Fields, s.Mutation.Fields) {
		if _, ok := seen[f.Name]; !ok && f.Name[0] != '_' {
			t.Errorf("root field %s is in no area", f.Name)
		}
	}

	for field, want := range map[string]string{
		"projects": "projects", "createProject": "projects", "projectMemberships": "projects",
		"surveys": "surveys", "responses": "surveys", "answers": "surveys", "createResponse": "surveys",
		"maps": "maps", "pins": "maps", "moderatePin": "maps",
		"viewer": "tokens", "apiTokens": "tokens", "auditEvents": "tokens",
		"createAPIToken": "tokens", "renameAPIToken": "tokens", "rotateAPIToken": "tokens", "revokeAPIToken": "tokens",
		"users": "users", "teams": "users", "createTeam": "users",
		"node": commonArea, "nodes": commonArea,
	} {
		if got := seen[field]; got != want {
			t.Errorf("root field %s: got area %q, want %q", field, got, want)
		}
	}
	types := map[string]string{}
	for _, a := range areas {
		for _, ty := range a.Types {
			types[ty] = a.Key
		}
	}
	for ty, want := range map[string]string{
		"Project": "projects", "Survey": "surveys", "QuestionKind": "surveys", "Pin": "maps",
		"APIToken": "tokens", "Viewer": "tokens", "APITokenWithSecret": "tokens", "CreateAPITokenInput": "tokens",
		"User": "users", "Team": "users", "Node": commonArea, "PageInfo": commonArea,
	} {
		if got := types[ty]; got != want {
			t.Errorf("type %s: got area %q, want %q", ty, got, want)
		}
	}
	if _, listed := types["ProjectConnection"]; listed {
		t.Error("derived types such as ProjectConnection are listed; want only entities, enums and written types")
	}
}

func TestEntityOf(t *testing.T) {
	for in, want := range map[string]string{
		"ProjectConnection": "Project", "ProjectEdge": "Project", "ProjectOrder": "Project",
		"ProjectOrderField": "Project", "ProjectWhereInput": "Project", "CreateProjectInput": "Project",
		"UpdateAPITokenInput": "APIToken", "Project": "Project", "CreateAPITokenInput": "APIToken",
		"Orderless": "Orderless",
	} {
		if got := entityOf(in); got != want {
			t.Errorf("entityOf(%q): got %q, want %q", in, got, want)
		}
	}
}
