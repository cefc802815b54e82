package api_test

import (
	"engage/internal/apitest"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// nestedNot returns a project filter that is levels filters deep: not
// inside not, around one condition.
func nestedNot(levels int) map[string]any {
	filter := map[string]any{"slug": "nowhere"}
	for range levels - 1 {
		filter = map[string]any{"not": filter}
	}
	return filter
}

// slugsOr returns a project filter of an or of n conditions: n+1 in all.
func slugsOr(n int) map[string]any {
	or := make([]any, n)
	for i := range or {
		or[i] = map[string]any{"slug": fmt.Sprintf("p%d", i)}
	}
	return map[string]any{"or": or}
}

// manyValues lists n different texts.
func manyValues(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("v%d", i)
	}
	return out
}

// TestFilterLimits: where filters deeper than ENGAGE_MAX_FILTER_DEPTH (10)
// or with more conditions in one request than ENGAGE_MAX_FILTER_PREDICATES
// (100) are refused before any SQL runs, whether given inline or in
// variables, however they nest (not, or, hasXWith across types) and however
// they are spread over fields and fragments; so are filters whose lists
// (slugIn...) hold more than 10,000 values in all, which SQLite could not
// take as parameters; filters at the limits run.
func TestFilterLimits(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	const byVariable = `query($w: ProjectWhereInput) { projects(where: $w) { totalCount } }`

	ok := []struct {
		name, query string
		vars        map[string]any
	}{
		{"10 levels deep", byVariable, map[string]any{"w": nestedNot(10)}},
		{"100 conditions", byVariable, map[string]any{"w": slugsOr(99)}},
		{"10,000 listed values", byVariable, map[string]any{"w": map[string]any{"slugIn": manyValues(10000)}}},
		{"10 levels inline, across types", `{ surveys(where: {hasProjectWith: [{not: {not: {not: {not: {not: {not: {not: {not: {slug: "x"}}}}}}}}}]}) { totalCount } }`, nil},
	}
	for _, c := range ok {
		if resp := h.Do(admin, c.query, c.vars); len(resp.Errors) > 0 {
			t.Errorf("%s: got %+v, want no error", c.name, resp.Errors)
		}
	}

	inline := func(filter string) string { return `{ projects(where: ` + filter + `) { totalCount } }` }
	refused := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"11 levels deep", byVariable, map[string]any{"w": nestedNot(11)}, "FILTER_TOO_DEEP"},
		{"9,000 levels deep", byVariable, map[string]any{"w": nestedNot(9000)}, "FILTER_TOO_DEEP"},
		{"11 levels inline", inline(strings.Repeat("{not: ", 10) + `{slug: "x"}` + strings.Repeat("}", 10)), nil, "FILTER_TOO_DEEP"},
		{"11 levels inline, across types", `{ surveys(where: {hasProjectWith: [{not: {not: {not: {not: {not: {not: {not: {not: {not: {slug: "x"}}}}}}}}}}]}) { totalCount } }`, nil, "FILTER_TOO_DEEP"},
		{"101 conditions", byVariable, map[string]any{"w": slugsOr(100)}, "FILTER_TOO_LARGE"},
		{"20,000 conditions", byVariable, map[string]any{"w": slugsOr(20000)}, "FILTER_TOO_LARGE"},
		{"101 conditions inline", inline(`{or: [` + strings.Repeat(`{slug: "x"} `, 100) + `]}`), nil, "FILTER_TOO_LARGE"},
		{"10,001 listed values", byVariable, map[string]any{"w": map[string]any{"slugIn": manyValues(10001)}}, "FILTER_TOO_LARGE"},
		{"35,000 listed values in two lists", byVariable, map[string]any{"w": map[string]any{"slugIn": manyValues(17500), "titleNotIn": manyValues(17500)}}, "FILTER_TOO_LARGE"},
		{"twice 51 conditions", `query($w: ProjectWhereInput) { a: projects(where: $w) { totalCount } b: projects(where: $w) { totalCount } }`, map[string]any{"w": slugsOr(50)}, "FILTER_TOO_LARGE"},
		{"a fragment of 51 conditions spread twice", `query($w: ProjectWhereInput) { ...P a: viewer { __typename } ...P }
			fragment P on Query { projects(where: $w) { totalCount } }`, map[string]any{"w": slugsOr(50)}, "FILTER_TOO_LARGE"},
	}
	for _, c := range refused {
		before := h.Statements.Count()
		resp := doRefusable(h, admin, c.query, c.vars)
		if resp.Status != http.StatusBadRequest || !slices.Equal(resp.Codes(), []string{c.code}) {
			t.Errorf("%s: got status %d, errors %+v; want 400, [%s]", c.name, resp.Status, resp.Errors, c.code)
		}
		if ran := h.Statements.Count() - before; ran != 0 {
			t.Errorf("%s: %d SQL statements ran, want none", c.name, ran)
		}
	}
}
