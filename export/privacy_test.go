package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"engage/ent/project"
	"engage/ent/user"
	"engage/gid"
	"engage/testdb"
	"engage/token"
)

// caller is a token to export with, and whether it may see the personal
// data of a project (by slug).
type caller struct {
	name     string
	secret   string
	personal func(slug string) bool
}

// callers are the demo personas, a manager of one project, a read-only
// token and a token limited to one project of the restricted team.
func callers(s *server) []caller {
	s.t.Helper()
	tokens := s.Demo()
	ctx := testdb.System()
	userID := func(email string) string { return s.DB.Ent.User.Query().Where(user.Email(email)).OnlyIDX(ctx) }
	housing := s.DB.Ent.Project.Query().Where(project.Slug("affordable-housing-strategy")).OnlyIDX(ctx)
	always := func(string) bool { return true }
	never := func(string) bool { return false }
	return []caller{
		{"admin", tokens["admin"], always},
		{"editor", tokens["editor"], never},
		{"viewer", tokens["viewer"], never},
		{"moderator", tokens["moderator"], never},
		{"manager of one project", s.Mint(token.Spec{OwnerID: userID("priya.patel@demo.engage.test"), Name: "manager"}),
			func(slug string) bool { return slug == "downtown-bike-network" }},
		{"read-only editor", s.Mint(token.Spec{OwnerID: userID("editor@demo.engage.test"), Name: "read-only", ReadOnly: true}), never},
		{"admin limited to one project", s.Mint(token.Spec{OwnerID: userID("admin@demo.engage.test"), Name: "limited", ProjectIDs: []string{housing}}), always},
	}
}

// graphQLResponse is a response as GraphQL answers it.
type graphQLResponse struct {
	ID                              string
	SubmittedAt                     time.Time
	RespondentName, RespondentEmail *string
	Answers                         struct {
		Edges []struct {
			Node struct {
				Value    string
				Question struct{ ID string }
			}
		}
	}
}

// surveyByGraphQL reads a survey as the caller sees it through GraphQL:
// nil when hidden, else its project's slug, its questions in position
// order and its responses matching where, in order of submission.
func surveyByGraphQL(s *server, secret, id string, where map[string]any) (found bool, slug string, questions []string, responses []graphQLResponse) {
	s.t.Helper()
	const query = `query($id: ID!, $after: Cursor, $where: ResponseWhereInput) { node(id: $id) { ... on Survey {
		project { slug }
		questions(first: 100, orderBy: {field: POSITION}) { edges { node { id } } }
		responses(first: 100, after: $after, where: $where, orderBy: {field: SUBMITTED_AT}) {
			pageInfo { hasNextPage endCursor }
			edges { node { id submittedAt respondentName respondentEmail answers(first: 20) { edges { node { value question { id } } } } } }
		} } } }`
	var after any
	for {
		var out struct {
			Node *struct {
				Project   struct{ Slug string }
				Questions struct {
					Edges []struct{ Node struct{ ID string } }
				}
				Responses struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node graphQLResponse }
				}
			}
		}
		s.graphql(secret, query, map[string]any{"id": id, "after": after, "where": where}, &out)
		if out.Node == nil {
			return false, "", nil, nil
		}
		slug, questions = out.Node.Project.Slug, nil
		for _, e := range out.Node.Questions.Edges {
			questions = append(questions, e.Node.ID)
		}
		for _, e := range out.Node.Responses.Edges {
			responses = append(responses, e.Node)
		}
		if !out.Node.Responses.PageInfo.HasNextPage {
			return true, slug, questions, responses
		}
		after = out.Node.Responses.PageInfo.EndCursor
	}
}

// TestExportsMatchGraphQL is the differential test of survey exports: for
// every caller, survey and filter, the export holds exactly the responses
// GraphQL gives the same caller for the same filter, in the same order,
// with the same answers, and personal data only for callers who may see it;
// a survey GraphQL hides answers 404 with the very body of a survey that
// does not exist.
func TestExportsMatchGraphQL(t *testing.T) {
	s := newServer(t)
	cs := callers(s)
	surveys := s.DB.Ent.Survey.Query().IDsX(testdb.System())
	filters := []map[string]any{nil, {"or": []any{
		map[string]any{"submittedAtLT": "2025-12-01T00:00:00Z"},
		map[string]any{"hasAnswersWith": []any{map[string]any{"valueContains": "Bus"}}},
	}}}
	missing := s.get(cs[0].secret, "/exports/surveys/"+gid.New(gid.Survey)+"/responses.csv", nil)
	if missing.Status != http.StatusNotFound || errorCode(t, missing) != "NOT_FOUND" {
		t.Fatalf("a survey that does not exist: got %d %s, want 404 NOT_FOUND", missing.Status, missing.Body)
	}

	rows := map[string]int{} // responses the admin exported, by filter
	for _, c := range cs {
		for _, id := range surveys {
			for fi, where := range filters {
				found, slug, questions, want := surveyByGraphQL(s, c.secret, id, where)
				query := url.Values{}
				if where != nil {
					b, _ := json.Marshal(where)
					query.Set("where", string(b))
				}
				name := fmt.Sprintf("%s, survey %s, filter %d", c.name, id, fi)
				if !found {
					for _, ext := range []string{"csv", "xlsx", "ndjson"} {
						resp := s.get(c.secret, "/exports/surveys/"+id+"/responses."+ext, query)
						if resp.Status != http.StatusNotFound || !bytes.Equal(resp.Body, missing.Body) {
							t.Errorf("%s: hidden from GraphQL, the %s export got %d %.100q; want 404 exactly as a missing survey: %s", name, ext, resp.Status, resp.Body, missing.Body)
						}
					}
					continue
				}
				if c.name == "admin" {
					rows[fmt.Sprint(fi)] += len(want)
				}
				personal := c.personal(slug)
				checkCSV(t, name, s.export(c.secret, "/exports/surveys/"+id+"/responses.csv", query).Body, personal, questions, want)
				checkNDJSON(t, name, s.export(c.secret, "/exports/surveys/"+id+"/responses.ndjson", query).Body, personal, want)
				if fi == 0 {
					checkXLSX(t, name, s.export(c.secret, "/exports/surveys/"+id+"/responses.xlsx", query).Body, want)
				}
			}
		}
	}
	if rows["0"] == 0 || rows["1"] == 0 || rows["1"] >= rows["0"] {
		t.Errorf("the admin exported %d responses without a filter and %d with one: want some, and fewer with the filter", rows["0"], rows["1"])
	}
}

// checkCSV compares a CSV export with GraphQL's responses: the same IDs in
// the same order, times, personal data where allowed (and no such columns
// elsewhere), and each question's answer in its column.
func checkCSV(t *testing.T, name string, body []byte, personal bool, questions []string, want []graphQLResponse) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Errorf("%s: reading the CSV: %v", name, err)
		return
	}
	fixed := []string{"id", "submittedAt"}
	if personal {
		fixed = append(fixed, "respondentName", "respondentEmail")
	}
	if header := records[0]; !slices.Equal(header[:min(len(fixed), len(header))], fixed) || len(header) != len(fixed)+len(questions) {
		t.Errorf("%s: CSV header %q; want %q and %d questions", name, header, fixed, len(questions))
		return
	}
	if len(records)-1 != len(want) {
		t.Errorf("%s: the CSV has %d responses, GraphQL %d", name, len(records)-1, len(want))
		return
	}
	for i, g := range want {
		row := make([]string, 0, len(fixed)+len(questions))
		row = append(row, g.ID, g.SubmittedAt.UTC().Format(time.RFC3339Nano))
		if personal {
			row = append(row, inert(deref(g.RespondentName)), inert(deref(g.RespondentEmail)))
		}
		values := map[string]string{}
		for _, a := range g.Answers.Edges {
			values[a.Node.Question.ID] = a.Node.Value
		}
		for _, q := range questions {
			row = append(row, inertText(values[q]))
		}
		if !slices.Equal(records[i+1], row) {
			t.Errorf("%s: CSV row %d:\ngot  %q\nwant %q", name, i+1, records[i+1], row)
			return
		}
	}
}

// checkNDJSON compares an NDJSON export's IDs and personal data with
// GraphQL's responses.
func checkNDJSON(t *testing.T, name string, body []byte, personal bool, want []graphQLResponse) {
	t.Helper()
	lines := ndjsonLines(t, body)
	if len(lines) != len(want) {
		t.Errorf("%s: the NDJSON has %d responses, GraphQL %d", name, len(lines), len(want))
		return
	}
	for i, g := range want {
		line := lines[i]
		_, hasName := line["respondentName"]
		_, hasEmail := line["respondentEmail"]
		switch {
		case line["id"] != g.ID:
			t.Errorf("%s: NDJSON line %d is response %v, GraphQL's is %s", name, i+1, line["id"], g.ID)
		case hasName != personal || hasEmail != personal:
			t.Errorf("%s: NDJSON line %d has respondentName %t and respondentEmail %t, want %t", name, i+1, hasName, hasEmail, personal)
		case personal && (fmt.Sprint(line["respondentEmail"]) != fmt.Sprint(anyOf(g.RespondentEmail)) || fmt.Sprint(line["respondentName"]) != fmt.Sprint(anyOf(g.RespondentName))):
			t.Errorf("%s: NDJSON line %d has %v and %v, GraphQL %v and %v", name, i+1, line["respondentName"], line["respondentEmail"], anyOf(g.RespondentName), anyOf(g.RespondentEmail))
		default:
			continue
		}
		return
	}
}

// checkXLSX compares an XLSX export's IDs with GraphQL's responses.
func checkXLSX(t *testing.T, name string, body []byte, want []graphQLResponse) {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: opening the workbook: %v", name, err)
		return
	}
	defer book.Close()
	ids, err := book.GetCols("Responses")
	if err != nil || len(ids) == 0 {
		t.Errorf("%s: reading the first column: %v", name, err)
		return
	}
	wantIDs := []string{"id"}
	for _, g := range want {
		wantIDs = append(wantIDs, g.ID)
	}
	if !slices.Equal(ids[0], wantIDs) {
		t.Errorf("%s: XLSX ids %q, want GraphQL's %q", name, ids[0], wantIDs)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func anyOf(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// inert is the CSV guard against formulas: text that starts with =, +, -,
// @, a tab or a carriage return gets a leading apostrophe.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// inertText is inert for an answer, except a number, which stays as it is.
func inertText(s string) string {
	if _, err := fmt.Sscanf(s, "%g", new(float64)); err == nil && strings.Trim(s, "-0123456789.") == "" {
		return s
	}
	return inert(s)
}

// graphQLPin is a pin as GraphQL answers it.
type graphQLPin struct {
	ID, Status  string
	AuthorEmail *string
	Comments    struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Status  string
				AuthorEmail *string
			}
		}
	}
}

// mapByGraphQL reads a map's pins as the caller sees them through GraphQL,
// with their comments: found is false when the map is hidden.
func mapByGraphQL(s *server, secret, id string, where map[string]any) (found bool, slug string, pins []graphQLPin) {
	s.t.Helper()
	const query = `query($id: ID!, $after: Cursor, $where: PinWhereInput) { node(id: $id) { ... on Map {
		project { slug }
		pins(first: 100, after: $after, where: $where) {
			pageInfo { hasNextPage endCursor }
			edges { node { id status authorEmail comments(first: 50) { totalCount edges { node { id status authorEmail } } } } }
		} } } }`
	var after any
	for {
		var out struct {
			Node *struct {
				Project struct{ Slug string }
				Pins    struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node graphQLPin }
				}
			}
		}
		s.graphql(secret, query, map[string]any{"id": id, "after": after, "where": where}, &out)
		if out.Node == nil {
			return false, "", nil
		}
		for _, e := range out.Node.Pins.Edges {
			pins = append(pins, e.Node)
		}
		if !out.Node.Pins.PageInfo.HasNextPage {
			return true, out.Node.Project.Slug, pins
		}
		after = out.Node.Pins.PageInfo.EndCursor
	}
}

// exportedPin is a feature of a GeoJSON export.
type exportedPin struct {
	Type     string
	ID       string
	Geometry struct {
		Type        string
		Coordinates []float64
	}
	Properties map[string]json.RawMessage
}

// TestGeoJSONMatchesGraphQL is the differential test of map exports: for
// every caller, map and filter, the FeatureCollection holds exactly the
// pins GraphQL gives the same caller, each with the comments GraphQL gives
// (all of them, with their status, for moderators; published ones for
// others), authorEmail only for callers who may see personal data; a map
// GraphQL hides answers 404 exactly as one that does not exist.
func TestGeoJSONMatchesGraphQL(t *testing.T) {
	s := newServer(t)
	cs := callers(s)
	maps := s.DB.Ent.ProjectMap.Query().IDsX(testdb.System())
	filters := []map[string]any{nil, {"categoryIn": []any{"Safety", "Idea", "Site"}}}
	missing := s.get(cs[0].secret, "/exports/maps/"+gid.New(gid.Map)+"/pins.geojson", nil)
	if missing.Status != http.StatusNotFound || errorCode(t, missing) != "NOT_FOUND" {
		t.Fatalf("a map that does not exist: got %d %s, want 404 NOT_FOUND", missing.Status, missing.Body)
	}
	statuses := map[string]bool{} // of the comments the moderator exported
	for _, c := range cs {
		for _, id := range maps {
			for fi, where := range filters {
				name := fmt.Sprintf("%s, map %s, filter %d", c.name, id, fi)
				found, slug, want := mapByGraphQL(s, c.secret, id, where)
				query := url.Values{}
				if where != nil {
					b, _ := json.Marshal(where)
					query.Set("where", string(b))
				}
				path := "/exports/maps/" + id + "/pins.geojson"
				if !found {
					if resp := s.get(c.secret, path, query); resp.Status != http.StatusNotFound || !bytes.Equal(resp.Body, missing.Body) {
						t.Errorf("%s: hidden from GraphQL, the export got %d %s; want 404 exactly as a missing map", name, resp.Status, resp.Body)
					}
					continue
				}
				resp := s.export(c.secret, path, query)
				if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
					t.Errorf("%s: Content-Type %q, want application/geo+json", name, ct)
				}
				var got struct {
					Type     string
					Features []exportedPin
				}
				if err := json.Unmarshal(resp.Body, &got); err != nil || got.Type != "FeatureCollection" {
					t.Errorf("%s: not a FeatureCollection (%v): %.200s", name, err, resp.Body)
					continue
				}
				if c.name == "moderator" {
					for _, f := range got.Features {
						var comments []struct{ Status string }
						_ = json.Unmarshal(f.Properties["comments"], &comments)
						for _, cm := range comments {
							statuses[cm.Status] = true
						}
					}
				}
				checkPins(t, name, got.Features, want, c.personal(slug))
			}
		}
	}
	if len(statuses) < 2 {
		t.Errorf("the moderator exported comments in statuses %v, want published ones and others", statuses)
	}
}

// checkPins compares exported features with GraphQL's pins: the same pins
// (by ID), statuses, emails where allowed, and comments.
func checkPins(t *testing.T, name string, got []exportedPin, want []graphQLPin, personal bool) {
	t.Helper()
	slices.SortFunc(want, func(a, b graphQLPin) int { return strings.Compare(a.ID, b.ID) })
	if len(got) != len(want) {
		t.Errorf("%s: %d features, GraphQL has %d pins", name, len(got), len(want))
		return
	}
	for i, f := range got {
		w := want[i]
		var status string
		_ = json.Unmarshal(f.Properties["status"], &status)
		email, hasEmail := f.Properties["authorEmail"]
		var comments []struct {
			ID, Status  string
			AuthorEmail *string
		}
		_ = json.Unmarshal(f.Properties["comments"], &comments)
		if w.Comments.TotalCount > len(w.Comments.Edges) {
			t.Fatalf("%s: pin %s has %d comments, more than one page", name, w.ID, w.Comments.TotalCount)
		}
		var wantComments, gotComments []string
		for _, e := range w.Comments.Edges {
			wantComments = append(wantComments, e.Node.ID+" "+e.Node.Status+" "+fmt.Sprint(anyOf(e.Node.AuthorEmail)))
		}
		for _, c := range comments {
			gotComments = append(gotComments, c.ID+" "+c.Status+" "+fmt.Sprint(anyOf(c.AuthorEmail)))
		}
		slices.Sort(wantComments)
		slices.Sort(gotComments)
		switch {
		case f.Type != "Feature" || f.ID != w.ID || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2:
			t.Errorf("%s: feature %d is %+v, want pin %s as a Point", name, i, f, w.ID)
		case status != w.Status:
			t.Errorf("%s: pin %s has status %s, GraphQL %s", name, w.ID, status, w.Status)
		case hasEmail != personal:
			t.Errorf("%s: pin %s has authorEmail %t, want %t", name, w.ID, hasEmail, personal)
		case personal && string(email) != jsonOf(w.AuthorEmail):
			t.Errorf("%s: pin %s has authorEmail %s, GraphQL %s", name, w.ID, email, jsonOf(w.AuthorEmail))
		case !slices.Equal(gotComments, wantComments):
			t.Errorf("%s: pin %s has comments %q, GraphQL %q", name, w.ID, gotComments, wantComments)
		case !personal && strings.Contains(string(f.Properties["comments"]), "authorEmail"):
			t.Errorf("%s: pin %s has comments with authorEmail", name, w.ID)
		default:
			continue
		}
		return
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
