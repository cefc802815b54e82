package pageload

import (
	"context"
	"database/sql/driver"
	"testing"
)

type survey struct{ ID string }

type responseQuery struct{ where []string }

// TestParentsOfLoadNamesOnlyTheLoads checks that a context marks as loads
// of a connection exactly the queries it was made for: any other query run
// with it, of the same type or not, is an ordinary read.
func TestParentsOfLoadNamesOnlyTheLoads(t *testing.T) {
	nodes := []*survey{{ID: "s1"}}
	load, other := &responseQuery{}, &responseQuery{}
	ctx := WithChildLoads(context.Background(), []driver.Value{"s1"}, nodes, load)
	if got, ok := ParentsOfLoad(ctx, load).([]*survey); !ok || len(got) != 1 || got[0] != nodes[0] {
		t.Errorf("the load: parents %v, want the surveys it loads for", got)
	}
	if got := ParentsOfLoad(ctx, other); got != nil {
		t.Errorf("another response query: parents %v, want none", got)
	}
	if got := ParentsOfLoad(context.Background(), load); got != nil {
		t.Errorf("the load outside its context: parents %v, want none", got)
	}
}
