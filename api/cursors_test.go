package api_test

import (
	"bytes"
	"engage/internal/apitest"
	"slices"
	"strconv"
	"testing"

	"entgo.io/contrib/entgql"
)

// cursorOf writes a cursor as the API would, with any value in it.
func cursorOf(t *testing.T, id string, value any) string {
	t.Helper()
	var b bytes.Buffer
	entgql.Cursor[string]{ID: id, Value: value}.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		t.Fatalf("unquoting cursor %s: %v", b.String(), err)
	}
	return s
}

// TestMalformedCursorsAreBadInput: a cursor that does not decode, or whose
// value no order field holds (a list, a map), is the client's mistake, at
// the top level and on a nested connection alike: BAD_USER_INPUT, never
// INTERNAL_SERVER_ERROR.
func TestMalformedCursorsAreBadInput(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	h.MustDo(admin, `mutation { createProject(input: {title: "Cursors", slug: "cursors"}) { id } }`, nil, nil)
	cursors := map[string]string{
		"garbage":          "garbage",
		"a list value":     cursorOf(t, "prj_x", []any{1, 2}),
		"a map value":      cursorOf(t, "prj_x", map[string]any{"a": 1}),
		"a nested list ID": cursorOf(t, "prj_x", []any{[]any{"x"}}),
		// A map that repeats its key "v", on which entgql's decoder panics
		// (found by FuzzCursor).
		"a repeated key": "gqF2un0000000000000000000000000000000000oXap000000000000",
	}
	queries := map[string]string{
		"top level, by title": `query($c: Cursor) { projects(after: $c, orderBy: {field: TITLE}) { edges { node { id } } } }`,
		"top level, by ID":    `query($c: Cursor) { projects(after: $c) { edges { node { id } } } }`,
		"nested, by status":   `query($c: Cursor) { projects { edges { node { surveys(after: $c, orderBy: {field: STATUS}) { edges { node { id } } } } } } }`,
		"nested, by ID":       `query($c: Cursor) { projects { edges { node { surveys(before: $c, last: 5) { totalCount edges { node { id } } } } } } }`,
	}
	for cname, cursor := range cursors {
		for qname, query := range queries {
			resp := h.Do(admin, query, map[string]any{"c": cursor})
			if codes := resp.Codes(); len(codes) == 0 || slices.ContainsFunc(codes, func(c string) bool { return c != "BAD_USER_INPUT" }) {
				t.Errorf("%s, %s: got status %d, errors %+v; want BAD_USER_INPUT", cname, qname, resp.Status, resp.Errors)
			}
		}
	}
	// A value of another order field's kind: PostgreSQL would parse text
	// as the column's time, a fraction as its whole number.
	for _, c := range []struct{ name, order, cursor string }{
		{"text for a time", "CREATED_AT", cursorOf(t, "prj_x", "Project 1")},
		{"a number for a time", "CREATED_AT", cursorOf(t, "prj_x", 7)},
		{"a boolean for text", "TITLE", cursorOf(t, "prj_x", true)},
		{"a value for the ID order", "", cursorOf(t, "prj_x", "Project 1")},
	} {
		order := ""
		if c.order != "" {
			order = ", orderBy: {field: " + c.order + "}"
		}
		resp := h.Do(admin, `query($c: Cursor) { projects(after: $c`+order+`) { edges { node { id } } } }`, map[string]any{"c": c.cursor})
		if !slices.Equal(resp.Codes(), []string{"BAD_USER_INPUT"}) {
			t.Errorf("%s: got status %d, errors %+v; want BAD_USER_INPUT", c.name, resp.Status, resp.Errors)
		}
	}
	// A cursor the API wrote still works.
	var page struct {
		Projects struct{ Edges []struct{ Cursor string } }
	}
	h.MustDo(admin, `{ projects(orderBy: {field: CREATED_AT}) { edges { cursor } } }`, nil, &page)
	h.MustDo(admin, `query($c: Cursor) { projects(after: $c, orderBy: {field: CREATED_AT}) { edges { cursor } } }`,
		map[string]any{"c": page.Projects.Edges[0].Cursor}, nil)
}
