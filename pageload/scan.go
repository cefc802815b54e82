package pageload

import "entgo.io/ent/dialect/sql"

// ScanValuesOnce wraps the ScanValues of a query's spec (ent's spec hook
// calls it, with codegen/entc's template scan_values.tmpl) so that the
// values rows are scanned into are made for the first row and scanned into
// again for the others, instead of a slice and a sql.Null* per column for
// every row: assignValues copies each value of the entity's own columns
// out of them. The value of a column the entity does not know
// (sql.UnknownType, such as a count an order adds) is kept by the node
// itself, so a query with one gets new values for every row, as ent makes
// them. A spec that scans no rows (nil) stays so.
func ScanValuesOnce(scan func(columns []string) ([]any, error)) func(columns []string) ([]any, error) {
	if scan == nil { // a count's spec, which scans no rows
		return nil
	}
	var reused []any
	return func(columns []string) ([]any, error) {
		if reused != nil {
			return reused, nil
		}
		values, err := scan(columns)
		if err != nil {
			return nil, err
		}
		for _, v := range values {
			if _, unknown := v.(*sql.UnknownType); unknown {
				return values, nil
			}
		}
		reused = values
		return values, nil
	}
}
