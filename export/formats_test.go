package export_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"engage/ent/question"
	"engage/ent/survey"
	"engage/testdb"
)

// fixture is a survey with a question of every kind, created in an order
// other than their positions, and three responses submitted in an order
// other than their creation.
type fixture struct {
	surveyID  string
	responses []string // IDs, in order of submission
}

// prompts are the questions' prompts in position order.
var prompts = []string{"Your name for the project?", "How do you travel?", "How satisfied are you?", "Years in the city", "When did you move here?", "Do you rent?", "Anything else?"}

var day = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func newFixture(s *server) fixture {
	s.t.Helper()
	ctx, c := testdb.System(), s.DB.Ent
	p := c.Project.Create().SetTitle("Fixture").SetSlug("fixture").SetStatus("PUBLISHED").SaveX(ctx)
	sv := c.Survey.Create().SetTitle("Travel").SetStatus(survey.StatusOPEN).SetProjectID(p.ID).SaveX(ctx)
	kinds := []struct {
		pos  int
		kind question.Kind
		opts []string
	}{
		{2, question.KindRATING, nil},
		{0, question.KindSHORT_TEXT, nil},
		{6, question.KindLONG_TEXT, nil},
		{1, question.KindMULTIPLE_CHOICE, []string{"Bus", "Bike", "Walk"}},
		{4, question.KindDATE, nil},
		{3, question.KindNUMBER, nil},
		{5, question.KindSINGLE_CHOICE, []string{"Yes", "No"}},
	}
	q := map[int]string{} // position to ID
	for _, k := range kinds {
		q[k.pos] = c.Question.Create().SetSurveyID(sv.ID).SetPosition(k.pos).SetKind(k.kind).SetPrompt(prompts[k.pos]).SetOptions(k.opts).SaveX(ctx).ID
	}
	respond := func(at time.Time, name *string, answers map[int]string) string {
		r := c.Response.Create().SetSurveyID(sv.ID).SetSubmittedAt(at).SetNillableRespondentName(name).SetNillableRespondentEmail(name).SaveX(ctx)
		for pos, v := range answers {
			c.Answer.Create().SetResponseID(r.ID).SetQuestionID(q[pos]).SetValue(v).ExecX(ctx)
		}
		return r.ID
	}
	ann := "ann@example.test"
	second := respond(day.Add(48*time.Hour), nil, map[int]string{2: "5"})
	first := respond(day, &ann, map[int]string{
		0: `=HYPERLINK("http://evil.example")`, 1: "Bus\nWalk", 2: "4", 3: "-3.5", 4: "2026-02-01", 5: "Yes", 6: "Line one\nLine two, \"quoted\"",
	})
	third := respond(day.Add(72*time.Hour), nil, map[int]string{0: "Ünïcödé ✓", 3: "12"})
	return fixture{surveyID: sv.ID, responses: []string{first, second, third}}
}

func (f fixture) path(ext string) string {
	return "/exports/surveys/" + f.surveyID + "/responses." + ext
}

// TestCSV checks the CSV export: a header row with the response's fields
// and the questions' prompts in position order, one row per response in
// order of submission, a MULTIPLE_CHOICE answer in one cell with its
// options one per line, UTF-8 with a BOM only when asked, and text that a
// spreadsheet would run as a formula made inert.
func TestCSV(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	f := newFixture(s)

	resp := s.export(admin, f.path("csv"), nil)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
		t.Errorf("Content-Type: got %q, want text/csv in UTF-8", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="responses-`+f.surveyID+`.csv"` {
		t.Errorf("Content-Disposition: got %q", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("Cache-Control: got %q, want private, no-store: the file may hold personal data", cc)
	}
	if bytes.HasPrefix(resp.Body, []byte("\uFEFF")) {
		t.Errorf("the CSV starts with a BOM without bom=1")
	}
	rows, err := csv.NewReader(bytes.NewReader(resp.Body)).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV: %v\n%s", err, resp.Body)
	}
	want := [][]string{
		append([]string{"id", "submittedAt", "respondentName", "respondentEmail"}, prompts...),
		{f.responses[0], "2026-03-01T09:30:00Z", "ann@example.test", "ann@example.test",
			`'=HYPERLINK("http://evil.example")`, "Bus\nWalk", "4", "-3.5", "2026-02-01", "Yes", "Line one\nLine two, \"quoted\""},
		{f.responses[1], "2026-03-03T09:30:00Z", "", "", "", "", "5", "", "", "", ""},
		{f.responses[2], "2026-03-04T09:30:00Z", "", "", "Ünïcödé ✓", "", "", "12", "", "", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows:\ngot  %q\nwant %q", rows, want)
	}

	withBOM := s.export(admin, f.path("csv"), url.Values{"bom": {"1"}})
	if !bytes.Equal(withBOM.Body, append([]byte("\uFEFF"), resp.Body...)) {
		t.Errorf("with bom=1: got %q..., want the same CSV after a UTF-8 BOM", withBOM.Body[:min(20, len(withBOM.Body))])
	}
	if resp := s.get(admin, f.path("csv"), url.Values{"bom": {"yes please"}}); resp.Status != http.StatusBadRequest || errorCode(t, resp) != "BAD_REQUEST" {
		t.Errorf("bom=yes please: got %d %s, want 400 BAD_REQUEST", resp.Status, resp.Body)
	}
}

// TestNDJSON checks the NDJSON export: one object per response, in order
// of submission, with its answers by question ID in position order, typed
// by the question's kind, and null where unanswered.
func TestNDJSON(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	f := newFixture(s)

	resp := s.export(admin, f.path("ndjson"), nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type: got %q, want application/x-ndjson", ct)
	}
	lines := strings.Split(strings.TrimSuffix(string(resp.Body), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), resp.Body)
	}
	questions := questionIDs(s, f.surveyID)
	wantFirst := `{"id":"` + f.responses[0] + `","submittedAt":"2026-03-01T09:30:00Z","respondentName":"ann@example.test","respondentEmail":"ann@example.test","answers":{` +
		`"` + questions[0] + `":"=HYPERLINK(\"http://evil.example\")",` +
		`"` + questions[1] + `":["Bus","Walk"],` +
		`"` + questions[2] + `":4,` +
		`"` + questions[3] + `":-3.5,` +
		`"` + questions[4] + `":"2026-02-01",` +
		`"` + questions[5] + `":"Yes",` +
		`"` + questions[6] + `":"Line one\nLine two, \"quoted\""}}`
	if lines[0] != wantFirst {
		t.Errorf("first line:\ngot  %s\nwant %s", lines[0], wantFirst)
	}
	var second struct {
		ID              string
		RespondentName  *string
		RespondentEmail *string
		Answers         map[string]any
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatalf("second line: %v", err)
	}
	if second.ID != f.responses[1] || second.RespondentName != nil || second.RespondentEmail != nil || len(second.Answers) != len(questions) {
		t.Errorf("second line: got %+v, want response %s with null personal data and every question", second, f.responses[1])
	}
	for i, id := range questions {
		v, ok := second.Answers[id]
		if want := any(nil); i == 2 {
			want = float64(5)
			if v != want {
				t.Errorf("second line, question %d: got %v, want %v", i, v, want)
			}
		} else if !ok || v != nil {
			t.Errorf("second line, question %d: got %v (present %t), want null", i, v, ok)
		}
	}
}

// TestXLSX checks the XLSX export, read back with excelize: one sheet, a
// header row, ratings and numbers as numbers, dates and submission times as
// dates, a MULTIPLE_CHOICE answer in one cell, and text as text (a formula
// stays text).
func TestXLSX(t *testing.T) {
	s := newServer(t)
	admin := s.Admin()
	f := newFixture(s)

	resp := s.export(admin, f.path("xlsx"), nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type: got %q", ct)
	}
	book, err := excelize.OpenReader(bytes.NewReader(resp.Body))
	if err != nil {
		t.Fatalf("opening the workbook: %v", err)
	}
	defer book.Close()
	if got := book.GetSheetList(); !slices.Equal(got, []string{"Responses"}) {
		t.Fatalf("sheets: got %q, want [Responses]", got)
	}
	rows, err := book.GetRows("Responses", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"id", "submittedAt", "respondentName", "respondentEmail"}, prompts...); !slices.Equal(rows[0], want) {
		t.Errorf("header: got %q, want %q", rows[0], want)
	}
	if len(rows) != 4 || rows[1][0] != f.responses[0] || rows[2][0] != f.responses[1] || rows[3][0] != f.responses[2] {
		t.Fatalf("rows: got %q, want the 3 responses in order of submission", rows)
	}

	// cell checks one cell of the first response: its type, raw value and
	// number format (0 for none).
	cell := func(col int, wantType excelize.CellType, wantValue string, wantFormat int) {
		t.Helper()
		name, _ := excelize.CoordinatesToCellName(col, 2)
		typ, _ := book.GetCellType("Responses", name)
		value, _ := book.GetCellValue("Responses", name, excelize.Options{RawCellValue: true})
		styleID, _ := book.GetCellStyle("Responses", name)
		format := 0
		if style, err := book.GetStyle(styleID); err == nil {
			format = style.NumFmt
			if style.CustomNumFmt != nil {
				format = -1
			}
		}
		if typ != wantType || value != wantValue || format != wantFormat {
			t.Errorf("%s (%s): got type %v, value %q, format %d; want type %v, value %q, format %d",
				name, rows[0][col-1], typ, value, format, wantType, wantValue, wantFormat)
		}
	}
	const serialOf20260301_0930 = "46082.395833333336" // 2026-03-01 09:30 UTC in Excel's days since 1899-12-30
	cell(1, excelize.CellTypeInlineString, f.responses[0], 0)
	cell(2, excelize.CellTypeUnset, serialOf20260301_0930, -1) // a date and time: a number with a custom format
	cell(5, excelize.CellTypeInlineString, `=HYPERLINK("http://evil.example")`, 0)
	cell(6, excelize.CellTypeInlineString, "Bus\nWalk", 0)
	cell(7, excelize.CellTypeUnset, "4", 0)    // a number
	cell(8, excelize.CellTypeUnset, "-3.5", 0) // a number
	cell(9, excelize.CellTypeUnset, "46054", 14)
	cell(10, excelize.CellTypeInlineString, "Yes", 0)
	if formulas, _ := book.GetCellFormula("Responses", "E2"); formulas != "" {
		t.Errorf("the text of E2 became the formula %q", formulas)
	}
}

// questionIDs lists the IDs of a survey's questions in position order.
func questionIDs(s *server, surveyID string) []string {
	s.t.Helper()
	qs := s.DB.Ent.Question.Query().Where(question.SurveyID(surveyID)).Order(question.ByPosition()).AllX(testdb.System())
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	return ids
}

// ndjsonLines splits an NDJSON body into its decoded lines.
func ndjsonLines(t testing.TB, body []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", len(out)+1, err, sc.Bytes())
		}
		out = append(out, line)
	}
	return out
}
