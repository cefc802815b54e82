package readparents

import (
	"context"
	"testing"
)

type (
	survey        struct{ ID string }
	project       struct{ ID string }
	responseQuery struct{ where []string }
)

// TestOnlyMarkedLoadsHaveParents checks what a mark says: the queries it
// was made for load children of its parents, of their type; any other
// query run with the same context, of the same type or not, is an ordinary
// read, as is the load under another context or parents of another type.
func TestOnlyMarkedLoadsHaveParents(t *testing.T) {
	surveys := []*survey{{ID: "svy_1"}, {ID: "svy_2"}}
	load, other := &responseQuery{}, &responseQuery{}
	ctx := Mark(context.Background(), surveys, load)

	if got, ok := Parents[survey](ctx, load); !ok || len(got) != 2 || got[0] != surveys[0] {
		t.Errorf("the load: parents %v, %v; want the surveys it loads for", got, ok)
	}
	for name, c := range map[string]struct {
		ctx   context.Context
		query any
	}{
		"another query of the same type": {ctx, other},
		"a query of another type":        {ctx, &struct{}{}},
		"the load without its context":   {context.Background(), load},
	} {
		if got, ok := Parents[survey](c.ctx, c.query); ok {
			t.Errorf("%s: parents %v, want none", name, got)
		}
	}
	if got, ok := Parents[project](ctx, load); ok {
		t.Errorf("the load, asked for parents of another type: parents %v, want none", got)
	}

	// A mark for the next level replaces this one: its loads are marked,
	// this level's are not (they have already run with ctx).
	next := &responseQuery{}
	inner := Mark(ctx, []*project{{ID: "prj_1"}}, next)
	if _, ok := Parents[project](inner, next); !ok {
		t.Errorf("the next level's load is not marked")
	}
	if _, ok := Parents[survey](inner, load); ok {
		t.Errorf("this level's load is still marked under the next level's context")
	}
}
