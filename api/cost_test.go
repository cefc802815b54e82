package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"engage/api"
	"engage/config"
	"engage/internal/apitest"
)

// fragmentBomb returns a query whose fragments each spread the one before
// twice, depth levels deep: about 40 bytes per level that expand to
// 3·2^depth selections.
func fragmentBomb(depth int, leaf string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d }\nfragment F0 on Query { %s }\n", depth, leaf)
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// doRefusable posts query asking for application/graphql-response+json,
// under which the GraphQL-over-HTTP spec has a request refused before
// execution answered with a 4xx status.
func doRefusable(h *apitest.Server, secret, query string, vars map[string]any) apitest.Response {
	req := apitest.GraphQLRequest(query, vars)
	req.Header.Set("Accept", "application/graphql-response+json")
	return h.Send(secret, req)
}

// TestFragmentBombsAreRefusedBeforeValidation: a query whose fragments
// expand to more selections than the complexity limit is refused with
// QUERY_TOO_LARGE before it is validated, while a query whose fragments
// expand to fewer runs as before.
func TestFragmentBombsAreRefusedBeforeValidation(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()

	resp := doRefusable(h, admin, fragmentBomb(20, "__typename"), nil)
	if resp.Status != http.StatusBadRequest || !slices.Equal(resp.Codes(), []string{"QUERY_TOO_LARGE"}) {
		t.Errorf("a fragment bomb 20 levels deep: got status %d, errors %+v; want 400, [QUERY_TOO_LARGE]", resp.Status, resp.Errors)
	}
	// An invalid bomb is refused for its size, not for the field: the
	// refusal comes before validation, which would have named the field.
	if resp := h.Do(admin, fragmentBomb(20, "noSuchField"), nil); !slices.Equal(resp.Codes(), []string{"QUERY_TOO_LARGE"}) {
		t.Errorf("an invalid fragment bomb: got %+v, want [QUERY_TOO_LARGE]", resp.Errors)
	}
	// 10 levels expand to 3,071 selections: within the limit of 50,000.
	var small struct {
		Typename string `json:"__typename"`
	}
	h.MustDo(admin, fragmentBomb(10, "__typename"), nil, &small)
	if small.Typename != "Query" {
		t.Errorf("a fragment bomb 10 levels deep: got __typename %q, want Query", small.Typename)
	}
	for name, query := range map[string]string{
		"a cycle":          `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }`,
		"a missing spread": `query { ...Missing }`,
	} {
		if resp := h.Do(admin, query, nil); !slices.Equal(resp.Codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
			t.Errorf("%s: got %+v, want [GRAPHQL_VALIDATION_FAILED]", name, resp.Errors)
		}
	}
}

// TestExpansionIsCountedOnce: counting a fragment bomb's selections visits
// each selection of its text at most once, however many it expands to.
func TestExpansionIsCountedOnce(t *testing.T) {
	const limit = 50000
	for _, depth := range []int{10, 20, 80} {
		expanded, visited, err := api.ExpandedSelections(fragmentBomb(depth, "__typename"), limit)
		if err != nil {
			t.Fatal(err)
		}
		written := 2 + 2*depth // the operation's spread, F0's field, two spreads per level
		if visited > written {
			t.Errorf("depth %d: visited %d selections, want at most the %d written", depth, visited, written)
		}
		want := limit + 1
		if depth < 20 {
			want = 3<<depth - 1
		}
		if expanded != want {
			t.Errorf("depth %d: counted %d expanded selections, want %d", depth, expanded, want)
		}
	}
}

// BenchmarkFragmentBombRefusal measures how long the server takes to refuse
// a fragment bomb, at several depths: it must grow with the query's size,
// not with its expansion. The complexity limit is low enough that every
// depth is refused.
func BenchmarkFragmentBombRefusal(b *testing.B) {
	h := apitest.NewWith(b, apitest.Options{Configure: func(c *config.Config) { c.MaxComplexity = 1000 }})
	admin := h.Admin()
	for _, depth := range []int{10, 20, 40, 80, 160} {
		query := fragmentBomb(depth, "__typename")
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			n := 0
			for b.Loop() {
				// A new text each time, as an attacker would send, so that
				// the query cache does not answer.
				n++
				resp := h.Do(admin, fmt.Sprintf("# %d\n%s", n, query), nil)
				if len(resp.Errors) == 0 {
					b.Fatal("the bomb was not refused")
				}
			}
		})
	}
}

// TestRepeatedKeysAreRefusedBeforeValidation: validation compares the
// fields of one response key pairwise, so a selection set that repeats a
// key thousands of times (which the token limit allows) is refused with
// QUERY_TOO_LARGE first, whether the fields stand in the set itself or in
// its inline fragments; 100 repeats run.
func TestRepeatedKeysAreRefusedBeforeValidation(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	for name, query := range map[string]string{
		"4,000 fields":                      "{ " + strings.Repeat("a: __typename ", 4000) + "}",
		"2,000 inline fragments of one":     "{ " + strings.Repeat("... { a: __typename } ", 2000) + "}",
		"50 inline fragments of 50, nested": "{ viewer { " + strings.Repeat("... { x: __typename "+strings.Repeat("x: __typename ", 49)+"} ", 50) + "} }",
	} {
		resp := doRefusable(h, admin, query, nil)
		if resp.Status != http.StatusBadRequest || !slices.Equal(resp.Codes(), []string{"QUERY_TOO_LARGE"}) {
			t.Errorf("%s: got status %d, errors %+v; want 400, [QUERY_TOO_LARGE]", name, resp.Status, resp.Errors)
		}
	}
	var out map[string]any
	h.MustDo(admin, "{ "+strings.Repeat("a: __typename ", 100)+"}", nil, &out)
	if out["a"] != "Query" {
		t.Errorf("100 repeats of a: got %v, want a = Query", out)
	}
}
