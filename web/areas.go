package web

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// area is one part of the API as the /docs/api page groups it.
type area struct {
	Key       string       `json:"key"`
	Name      string       `json:"name"`
	Summary   string       `json:"summary"`
	Queries   []fieldDoc   `json:"queries"`
	Mutations []fieldDoc   `json:"mutations"`
	Types     []string     `json:"types"`
	Examples  []exampleDoc `json:"examples"`
	Exports   []exportDoc  `json:"exports"`
}

// exportDoc is a file export of an area's data (README: Exports), with a
// path that exports part of the demo data set.
type exportDoc struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Path        string `json:"path"`
}

// IDs of a survey and a map of the demo data set (its IDs are the same on
// every load), for the example paths of the exports.
const (
	demoSurvey = "svy_FwSUd4feqwhgEEDucktGra" // Bike Lane Priorities
	demoMap    = "map_neNdypgSaQ7irFrasjny5b" // Cycling Problem Spots
)

// areaExports are the exports of each area, by area key.
var areaExports = map[string][]exportDoc{
	"surveys": {
		{"Responses as CSV", "GET /exports/surveys/{id}/responses.csv: one row per response in order of submission, one column per question in position order; bom=1 adds the byte order mark Excel needs to read UTF-8.",
			"/exports/surveys/" + demoSurvey + "/responses.csv?bom=1"},
		{"Responses as XLSX", "GET /exports/surveys/{id}/responses.xlsx: the same rows as a workbook, with ratings and numbers as numbers and dates as dates.",
			"/exports/surveys/" + demoSurvey + "/responses.xlsx"},
		{"Responses since a date, as NDJSON", "GET /exports/surveys/{id}/responses.ndjson: one JSON object per response, answers typed by question kind. Every export takes where, the JSON of a ResponseWhereInput, as the responses connection does.",
			"/exports/surveys/" + demoSurvey + "/responses.ndjson?where=" + url.QueryEscape(`{"submittedAtGTE":"2025-12-01T00:00:00Z"}`)},
	},
	"maps": {
		{"Pins and comments as GeoJSON", "GET /exports/maps/{id}/pins.geojson: a FeatureCollection of the pins you may see, each with its comments (every status for moderators). where takes the JSON of a PinWhereInput.",
			"/exports/maps/" + demoMap + "/pins.geojson"},
	},
}

// fieldDoc is a root field with the first paragraph of its description.
type fieldDoc struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// areaFiles are the areas of the API, in the order the page shows them,
// each with the schema file that defines its mutations and extensions.
var areaFiles = []struct{ key, name, file string }{
	{"projects", "Projects", "projects.graphql"},
	{"surveys", "Surveys", "surveys.graphql"},
	{"maps", "Maps", "maps.graphql"},
	{"tokens", "Tokens", "tokens.graphql"},
	{"users", "Users & Teams", "users.graphql"},
}

// commonArea holds what belongs to every area: node lookups, paging and
// the scalars.
const commonArea = "common"

// entityAreas assigns the types that entgql generates into ent.graphql, one
// file for all entities, to their area. The connection, edge, order, filter
// and input types derived from an entity follow it (see entityOf).
var entityAreas = map[string]string{
	"Project": "projects", "ProjectMembership": "projects",
	"ProjectStatus": "projects", "ProjectModeration": "projects", "ProjectRole": "projects",
	"Survey": "surveys", "Question": "surveys", "Response": "surveys", "Answer": "surveys",
	"SurveyStatus": "surveys", "QuestionKind": "surveys",
	"Map": "maps", "Pin": "maps", "Comment": "maps", "ModerationStatus": "maps",
	"APIToken": "tokens", "AuditEvent": "tokens", "AuditEventAction": "tokens",
	"User": "users", "Team": "users", "TeamMembership": "users", "UserRole": "users",
	"Node": commonArea, "PageInfo": commonArea, "Cursor": commonArea, "Time": commonArea,
	"OrderDirection": commonArea, "Query": commonArea, "Mutation": commonArea,
}

// groupSchema groups the root fields and types of s by area, following the
// schema file each is written in and, for ent.graphql, entityAreas. It also
// returns the types it could not place, which then go to the common area.
func groupSchema(s *ast.Schema) ([]area, []string) {
	areas, index := emptyAreas(s)
	for _, f := range rootFields(s.Query) {
		a := &areas[index[fieldArea(f)]]
		a.Queries = append(a.Queries, newFieldDoc(f))
	}
	for _, f := range rootFields(s.Mutation) {
		a := &areas[index[fieldArea(f)]]
		a.Mutations = append(a.Mutations, newFieldDoc(f))
	}
	var unplaced []string
	for _, name := range typeNames(s) {
		def := s.Types[name]
		key, placed := areaOf(def.Position, name)
		if !placed {
			unplaced = append(unplaced, name)
		}
		if listedType(def, name) {
			a := &areas[index[key]]
			a.Types = append(a.Types, name)
		}
	}
	return areas, unplaced
}

// emptyAreas returns the areas in the order the page shows them, the common
// one last, with their position by key.
func emptyAreas(s *ast.Schema) ([]area, map[string]int) {
	areas := make([]area, 0, len(areaFiles)+1)
	index := map[string]int{}
	for _, a := range areaFiles {
		index[a.key] = len(areas)
		areas = append(areas, area{Key: a.key, Name: a.name, Summary: fileSummary(s, a.file), Exports: areaExports[a.key]})
	}
	index[commonArea] = len(areas)
	areas = append(areas, area{Key: commonArea, Name: "Common to every area",
		Summary: "Fetching any object by its ID, paging through lists, and the scalar types."})
	return areas, index
}

// rootFields are the fields of the root type def (none when the schema has
// no such root), without introspection's.
func rootFields(def *ast.Definition) []*ast.FieldDefinition {
	if def == nil {
		return nil
	}
	var fields []*ast.FieldDefinition
	for _, f := range def.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			fields = append(fields, f)
		}
	}
	return fields
}

func newFieldDoc(f *ast.FieldDefinition) fieldDoc {
	return fieldDoc{Name: f.Name, Description: firstParagraph(f.Description)}
}

// typeNames are the names of the types of s, sorted, without the built-in
// and introspection types.
func typeNames(s *ast.Schema) []string {
	names := make([]string, 0, len(s.Types))
	for name, def := range s.Types {
		if !def.BuiltIn && !strings.HasPrefix(name, "__") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// listedType reports whether an area lists the type def named name: the
// entities, enums and written types. Derived types are reachable from their
// entity's page in the doc explorer; the roots are the lists of fields.
func listedType(def *ast.Definition, name string) bool {
	if name == "Query" || name == "Mutation" {
		return false
	}
	return entityOf(name) == name || sourceFile(def.Position) != "ent.graphql"
}

// fieldArea is the area of a root field: that of the file it is written in,
// or for ent.graphql that of the entity it returns.
func fieldArea(f *ast.FieldDefinition) string {
	key, _ := areaOf(f.Position, f.Type.Name())
	return key
}

// areaOf is the area of what is written at pos: that of its schema file,
// or, in ent.graphql, that of the entity named derives from. placed is
// false, and the area the common one, when neither says and the file is
// not common.graphql.
func areaOf(pos *ast.Position, named string) (key string, placed bool) {
	file := sourceFile(pos)
	for _, a := range areaFiles {
		if file == a.file {
			return a.key, true
		}
	}
	if key, ok := entityAreas[entityOf(named)]; ok {
		return key, true
	}
	return commonArea, file == "common.graphql"
}

// entityOf returns the entity a generated type derives from, such as
// Project for ProjectConnection, ProjectWhereInput or CreateProjectInput,
// or name itself.
func entityOf(name string) string {
	for _, suffix := range []string{"OrderField", "Order", "WhereInput", "Connection", "Edge"} {
		if e, ok := strings.CutSuffix(name, suffix); ok && entityAreas[e] != "" {
			return e
		}
	}
	for _, prefix := range []string{"Create", "Update"} {
		if e, ok := strings.CutPrefix(name, prefix); ok {
			if e, ok = strings.CutSuffix(e, "Input"); ok && entityAreas[e] != "" {
				return e
			}
		}
	}
	return name
}

// sourceFile is the base name of the schema file of pos.
func sourceFile(pos *ast.Position) string {
	if pos == nil || pos.Src == nil {
		return ""
	}
	return path.Base(pos.Src.Name)
}

// fileSummary is the summary line that opens a schema file, such as
// "# Projects: engagement projects and who works on them.", without its
// area's name.
func fileSummary(s *ast.Schema, file string) string {
	src := findSource(s, file)
	if src == nil {
		return ""
	}
	first, _, _ := strings.Cut(src.Input, "\n")
	_, summary, ok := strings.Cut(strings.TrimPrefix(first, "#"), ":")
	if summary = strings.TrimSpace(summary); !ok || summary == "" {
		return ""
	}
	return strings.ToUpper(summary[:1]) + summary[1:]
}

// findSource returns the schema file named file, found through the
// position of a type or field defined in it, or nil.
func findSource(s *ast.Schema, file string) *ast.Source {
	for _, def := range s.Types {
		if sourceFile(def.Position) == file {
			return def.Position.Src
		}
		for _, f := range def.Fields {
			if sourceFile(f.Position) == file {
				return f.Position.Src
			}
		}
	}
	return nil
}

// firstParagraph is the first paragraph of a description, on one line.
func firstParagraph(desc string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(desc), "\n\n")
	return strings.Join(strings.Fields(p), " ")
}

// String describes an area for test failures.
func (a area) String() string {
	return fmt.Sprintf("%s: %d queries, %d mutations, %d types, %d examples",
		a.Name, len(a.Queries), len(a.Mutations), len(a.Types), len(a.Examples))
}
