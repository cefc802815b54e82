package api

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// ExpandedSelections parses query and counts its selections as the
// expansion limit does, for tests to see how much work the count takes.
func ExpandedSelections(query string, limit int) (expanded, visited int, err error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return 0, 0, err
	}
	expanded, visited = expandedSelections(doc, limit)
	return expanded, visited, nil
}
