package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"

	"engage/ent"
)

// csvSheet writes responses as CSV (RFC 4180, UTF-8, a header row). Each
// cell is the text GraphQL answers: an answer's value as stored (the
// options of a MULTIPLE_CHOICE one per line, in one quoted cell), times in
// RFC 3339 in UTC.
type csvSheet struct {
	buf     *bufio.Writer
	w       *csv.Writer
	cols    columns
	answers []*ent.Answer
	record  []string
}

// bom is the UTF-8 byte order mark, by which Excel tells UTF-8 CSV apart.
const bom = "\uFEFF"

func openCSV(w io.Writer, opts options, cols columns) (sheet, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	if opts.bom {
		_, _ = buf.WriteString(bom)
	}
	s := &csvSheet{buf: buf, w: csv.NewWriter(buf), cols: cols, answers: make([]*ent.Answer, len(cols.questions))}
	header := cols.header()
	for i, name := range header {
		header[i] = inert(name)
	}
	return s, s.w.Write(header)
}

func (s *csvSheet) row(r *ent.Response) error {
	rec := append(s.record[:0], r.ID, r.SubmittedAt.UTC().Format(timeFormat))
	if s.cols.personal {
		rec = append(rec, inert(deref(r.RespondentName)), inert(deref(r.RespondentEmail)))
	}
	s.cols.answers(r, s.answers)
	for _, a := range s.answers {
		switch {
		case a == nil:
			rec = append(rec, "")
		case isText(typed(a)):
			rec = append(rec, inert(a.Value))
		default: // a number or a date, written as stored
			rec = append(rec, a.Value)
		}
	}
	s.record = rec
	return s.w.Write(rec)
}

func (s *csvSheet) pageDone() error {
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		return err
	}
	return s.buf.Flush()
}

func (s *csvSheet) end() error { return s.pageDone() }

func (s *csvSheet) fail(code, msg string) { abort(code, msg) }

func (s *csvSheet) close() {}

// isText reports whether a typed answer is text rather than a number or a
// date.
func isText(v any) bool {
	switch v.(type) {
	case string, []string:
		return true
	}
	return false
}

// inert keeps a spreadsheet from reading text as a formula (CSV injection):
// text that starts with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, as OWASP advises. Numbers and dates are written as
// they are; the NDJSON and XLSX exports carry the text unchanged.
func inert(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
