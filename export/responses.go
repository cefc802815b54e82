package export

import (
	"context"
	"io"
	"net/http"

	"entgo.io/ent/dialect/sql"

	"engage/ent"
	entanswer "engage/ent/answer"
	"engage/ent/predicate"
	"engage/ent/question"
	"engage/ent/response"
	"engage/gid"
	"engage/rule"
)

// responseFormat is one file format of a survey's responses.
type responseFormat struct {
	ext, contentType string
	// params are the query parameters the format takes.
	params []string
	// open starts the file on w, with its header.
	open func(w io.Writer, opts options, cols columns) (sheet, error)
}

// options are the query parameters of an export, read before it starts.
type options struct {
	bom bool // CSV: start with a byte order mark, for Excel
}

// sheet writes a survey's responses in one format, one row per response.
type sheet interface {
	// row writes one response.
	row(r *ent.Response) error
	// pageDone sends the rows written so far on their way.
	pageDone() error
	// end completes the file.
	end() error
	// fail ends a file whose first bytes were sent, so that its reader
	// can tell that it is incomplete.
	fail(code, msg string)
	// close releases what the sheet holds (temporary files), whatever
	// happened.
	close()
}

// responseFormats are the formats of /exports/surveys/{id}/responses.EXT.
var responseFormats = []responseFormat{
	{"csv", "text/csv; charset=utf-8; header=present", []string{"where", "bom"}, openCSV},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{"where"}, openXLSX},
	{"ndjson", "application/x-ndjson", []string{"where"}, openNDJSON},
}

// surveyResponses serves a survey's responses in format f.
func (h *Handler) surveyResponses(f responseFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		e := h.begin(w, r, map[string]any{"survey": id, "format": f.ext})
		out, err := e.responses(id, f)
		if out != nil {
			defer out.close()
		}
		e.finish(err, func(code, msg string) { out.fail(code, msg) })
	}
}

// responses writes the responses of survey id that the caller may see, in
// order of submission, in format f; it returns the sheet it wrote them to,
// if it got so far.
func (e *export) responses(id string, f responseFormat) (sheet, error) {
	q, err := params(e.r, f.params...)
	if err != nil {
		return nil, err
	}
	if err := checkID(id, gid.Survey, "survey"); err != nil {
		return nil, err
	}
	var opts options
	if opts.bom, err = boolParam(q, "bom"); err != nil {
		return nil, err
	}
	var where *ent.ResponseWhereInput
	if q.Has("where") {
		where = new(ent.ResponseWhereInput)
		if err := e.h.where(q.Get("where"), "ResponseWhereInput", where); err != nil {
			return nil, err
		}
		e.details["filtered"] = true
	}
	release, err := e.h.acquire()
	if err != nil {
		return nil, err
	}
	defer release()

	ctx := e.r.Context()
	tx, err := e.h.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }() // it only read
	s, err := tx.Survey.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, notFound("survey")
	} else if err != nil {
		return nil, err
	}
	questions, err := s.QueryQuestions().Order(question.ByPosition(), question.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	query, err := where.Filter(tx.Response.Query().Where(response.SurveyID(s.ID)))
	if err != nil {
		return nil, invalidFilter("where: " + err.Error()) // such as an empty not
	}
	attachment(e.w, f.contentType, "responses-"+s.ID+"."+f.ext)
	cols := newColumns(questions, rule.MaySeePersonalData(e.viewer, s.ProjectID))
	out, err := f.open(e.w, opts, cols)
	if err != nil {
		return nil, err
	}
	return out, e.pages(ctx, query, out)
}

// pages reads the responses of query in pages, ordered by submission time
// and ID, each page starting after the last row of the one before, and
// writes them to out.
func (e *export) pages(ctx context.Context, query *ent.ResponseQuery, out sheet) error {
	var last *ent.Response
	for {
		page := query.Clone().Order(response.BySubmittedAt(), response.ByID()).Limit(e.h.pageSize).WithAnswers()
		if last != nil {
			page.Where(submittedAfter(last))
		}
		rows, err := page.All(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := out.row(r); err != nil {
				return err
			}
			e.rows++
		}
		if err := out.pageDone(); err != nil {
			return err
		}
		e.pageDone()
		if len(rows) < e.h.pageSize {
			return out.end()
		}
		last = rows[len(rows)-1]
	}
}

// submittedAfter matches the responses after r in the order of the export:
// (submitted_at, id) > (r's), which both databases read as a range of the
// (survey_id, submitted_at, id) index.
func submittedAfter(r *ent.Response) predicate.Response {
	return func(s *sql.Selector) {
		s.Where(sql.CompositeGT(s.Columns(response.FieldSubmittedAt, response.FieldID), r.SubmittedAt, r.ID))
	}
}

// columns are the columns of a survey export: the response's ID and time of
// submission, the respondent's name and email for callers who may see
// personal data, and one column per question in position order.
type columns struct {
	questions []*ent.Question
	index     map[string]int // a question's column among the questions, by ID
	personal  bool
}

func newColumns(questions []*ent.Question, personal bool) columns {
	index := make(map[string]int, len(questions))
	for i, q := range questions {
		index[q.ID] = i
	}
	return columns{questions: questions, index: index, personal: personal}
}

// header names the columns: the fields as GraphQL names them, then each
// question's prompt.
func (c columns) header() []string {
	h := []string{"id", "submittedAt"}
	if c.personal {
		h = append(h, "respondentName", "respondentEmail")
	}
	for _, q := range c.questions {
		h = append(h, q.Prompt)
	}
	return h
}

// answers puts r's answers in the order of the questions into into (of
// len(c.questions)), nil where r has none.
func (c columns) answers(r *ent.Response, into []*ent.Answer) {
	clear(into)
	for _, a := range r.Edges.Answers {
		if i, ok := c.index[a.QuestionID]; ok {
			into[i] = a
		}
	}
}

// typed is an answer's value as its question's kind types it (the typed
// columns its hooks write): an int for a RATING, a float64 for a NUMBER, a
// date (midnight UTC) for a DATE, the chosen options for a MULTIPLE_CHOICE,
// and the text itself otherwise, or when it does not read as its kind
// (written before answers were validated).
func typed(a *ent.Answer) any {
	switch {
	case a.Rating != nil:
		return *a.Rating
	case a.Number != nil:
		return *a.Number
	case a.Date != nil:
		return a.Date.UTC()
	case a.QuestionKind == entanswer.QuestionKindMULTIPLE_CHOICE && a.Choices != nil:
		return a.Choices
	}
	return a.Value
}
