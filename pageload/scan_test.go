package pageload

import (
	"database/sql"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
)

// TestScanValuesAreMadeOncePerQuery checks ScanValuesOnce, which every
// query's rows are scanned through: the values of the entity's own columns
// are made for the first row and handed out again for the next, and values
// with a column the entity does not know are made anew for every row.
func TestScanValuesAreMadeOncePerQuery(t *testing.T) {
	// scanValues makes values as an entity's generated scanValues does: a
	// sql.Null* per column it knows, an UnknownType for any other.
	scanValues := func(columns []string) ([]any, error) {
		values := make([]any, len(columns))
		for i, c := range columns {
			if c == "answers_count" {
				values[i] = new(entsql.UnknownType)
			} else {
				values[i] = new(sql.NullString)
			}
		}
		return values, nil
	}
	own := []string{"id", "submitted_at", "survey_id"}
	scan := ScanValuesOnce(scanValues)
	first, _ := scan(own)
	second, _ := scan(own)
	if len(first) != len(own) || &first[0] != &second[0] || first[1] != second[1] {
		t.Errorf("the values of a second row were made again")
	}

	scan = ScanValuesOnce(scanValues)
	withCount := append(own, "answers_count")
	first, _ = scan(withCount)
	second, _ = scan(withCount)
	if &first[0] == &second[0] || first[3] == second[3] {
		t.Errorf("values with a column the entity does not know were handed out twice")
	}
}
