package ent

import (
	"testing"

	"engage/ent/response"
)

// TestScanValuesAreMadeOncePerQuery checks scanValuesOnce, which every
// query's rows are scanned through: the values of the entity's own columns
// are made for the first row and handed out again for the next, and values
// with a column the entity does not know are made anew for every row.
func TestScanValuesAreMadeOncePerQuery(t *testing.T) {
	scan := scanValuesOnce(func(columns []string) ([]any, error) { return (*Response).scanValues(nil, columns) })
	own := []string{response.FieldID, response.FieldSubmittedAt, response.FieldSurveyID}
	first, _ := scan(own)
	second, _ := scan(own)
	if len(first) != len(own) || &first[0] != &second[0] || first[1] != second[1] {
		t.Errorf("the values of a second row were made again")
	}

	scan = scanValuesOnce(func(columns []string) ([]any, error) { return (*Response).scanValues(nil, columns) })
	withCount := append(own, "answers_count")
	first, _ = scan(withCount)
	second, _ = scan(withCount)
	if &first[0] == &second[0] || first[3] == second[3] {
		t.Errorf("values with a column the entity does not know were handed out twice")
	}
}
