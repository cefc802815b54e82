package export

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"engage/ent"
)

// codeTooManyRows refuses an XLSX export with more responses than a sheet
// holds.
const codeTooManyRows = "TOO_MANY_ROWS"

// sheetName is the name of the one sheet of an XLSX export.
const sheetName = "Responses"

// xlsxSheet writes responses as an XLSX workbook of one sheet, with typed
// cells: ratings and numbers as numbers, dates as dates, submittedAt as a
// date and time in UTC, the options of a MULTIPLE_CHOICE answer one per
// line in one cell, and text as text (never a formula). excelize's stream
// writer keeps the rows in a temporary file, not in memory; the workbook,
// a zip archive, is sent once the last row is written, so an XLSX export
// that fails answers with an error status rather than a broken file.
type xlsxSheet struct {
	w       io.Writer
	file    *excelize.File
	stream  *excelize.StreamWriter
	cols    columns
	answers []*ent.Answer
	cells   []any
	lastRow int // the sheet's last row written, from 1
	// dateStyle and timeStyle show dates and times as such.
	dateStyle, timeStyle int
}

func openXLSX(w io.Writer, _ options, cols columns) (sheet, error) {
	f := excelize.NewFile()
	s := &xlsxSheet{w: w, file: f, cols: cols, answers: make([]*ent.Answer, len(cols.questions))}
	if err := s.start(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return s, nil
}

// start names the sheet, makes the styles and writes the header row, bold
// and frozen above the rows.
func (s *xlsxSheet) start() error {
	f := s.file
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	var err error
	if s.dateStyle, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil { // a short date
		return err
	}
	timeFormat := "yyyy-mm-dd hh:mm:ss"
	if s.timeStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFormat}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if s.stream, err = f.NewStreamWriter(sheetName); err != nil {
		return err
	}
	if err := s.stream.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := s.cols.header()
	cells := make([]any, len(header))
	for i, name := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: name}
	}
	s.lastRow = 1
	return s.stream.SetRow("A1", cells)
}

func (s *xlsxSheet) row(r *ent.Response) error {
	if s.lastRow++; s.lastRow > excelize.TotalRows {
		return refuse(http.StatusUnprocessableEntity, codeTooManyRows, fmt.Sprintf(
			"an XLSX sheet holds at most %d responses: narrow the export with where, or export CSV or NDJSON", excelize.TotalRows-1))
	}
	c := append(s.cells[:0], r.ID, excelize.Cell{StyleID: s.timeStyle, Value: r.SubmittedAt.UTC()})
	if s.cols.personal {
		c = append(c, stringOrNil(r.RespondentName), stringOrNil(r.RespondentEmail))
	}
	s.cols.answers(r, s.answers)
	for _, a := range s.answers {
		if a == nil {
			c = append(c, nil)
			continue
		}
		switch v := typed(a).(type) {
		case time.Time:
			c = append(c, excelize.Cell{StyleID: s.dateStyle, Value: v})
		case []string:
			c = append(c, strings.Join(v, "\n"))
		default:
			c = append(c, v)
		}
	}
	s.cells = c
	cell, err := excelize.CoordinatesToCellName(1, s.lastRow)
	if err != nil {
		return err
	}
	return s.stream.SetRow(cell, c)
}

// pageDone has nothing to send: the workbook is sent whole at the end.
func (s *xlsxSheet) pageDone() error { return nil }

func (s *xlsxSheet) end() error {
	if err := s.stream.Flush(); err != nil {
		return err
	}
	return s.file.Write(s.w)
}

// fail cuts the connection: the zip archive was being sent.
func (s *xlsxSheet) fail(code, msg string) { abort(code, msg) }

func (s *xlsxSheet) close() { _ = s.file.Close() }

// stringOrNil is an empty cell for a null text.
func stringOrNil(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}
