package export

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"engage/ent"
)

// ndjsonSheet writes responses as NDJSON: one JSON object per line and per
// response, {"id", "submittedAt", "respondentName" and "respondentEmail"
// for callers who may see them, "answers"}, where answers maps each
// question's ID, in position order, to its typed answer (a number for a
// RATING or NUMBER, "YYYY-MM-DD" for a DATE, a list of the chosen options
// for a MULTIPLE_CHOICE, text otherwise) or null.
type ndjsonSheet struct {
	buf     *bufio.Writer
	cols    columns
	answers []*ent.Answer
	line    []byte
}

func openNDJSON(w io.Writer, _ options, cols columns) (sheet, error) {
	return &ndjsonSheet{buf: bufio.NewWriterSize(w, 64<<10), cols: cols, answers: make([]*ent.Answer, len(cols.questions))}, nil
}

func (s *ndjsonSheet) row(r *ent.Response) error {
	b := append(s.line[:0], `{"id":`...)
	b = appendJSON(b, r.ID)
	b = append(b, `,"submittedAt":"`...)
	b = r.SubmittedAt.UTC().AppendFormat(b, timeFormat)
	b = append(b, '"')
	if s.cols.personal {
		b = append(b, `,"respondentName":`...)
		b = appendJSON(b, r.RespondentName)
		b = append(b, `,"respondentEmail":`...)
		b = appendJSON(b, r.RespondentEmail)
	}
	b = append(b, `,"answers":{`...)
	s.cols.answers(r, s.answers)
	for i, a := range s.answers {
		q := s.cols.questions[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, q.ID)
		b = append(b, ':')
		if a == nil {
			b = append(b, "null"...)
			continue
		}
		switch v := typed(a).(type) {
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case time.Time:
			b = append(b, '"')
			b = v.AppendFormat(b, time.DateOnly)
			b = append(b, '"')
		default:
			b = appendJSON(b, v)
		}
	}
	b = append(b, "}}\n"...)
	s.line = b
	_, err := s.buf.Write(b)
	return err
}

func (s *ndjsonSheet) pageDone() error { return s.buf.Flush() }

func (s *ndjsonSheet) end() error { return s.buf.Flush() }

// fail ends the lines with an error object, {"errors": [...]} as GraphQL
// writes errors: no response line has an errors key.
func (s *ndjsonSheet) fail(code, msg string) {
	_ = s.buf.Flush()
	b, _ := json.Marshal(errorBody(code, msg))
	_, _ = s.buf.Write(append(b, '\n'))
	_ = s.buf.Flush()
}

func (s *ndjsonSheet) close() {}

// appendJSON appends v as JSON: strings, numbers, lists of strings and
// nil pointers, which cannot fail to encode.
func appendJSON(b []byte, v any) []byte {
	j, _ := json.Marshal(v)
	return append(b, j...)
}
