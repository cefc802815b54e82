package pageload

import (
	"context"
	"testing"

	"engage/rule/readparents"
)

type survey struct{ ID string }

type responseQuery struct{ where []string }

// TestChildLoadsAreMarkedForPrivacyRules checks that MarkChildLoads, which
// the generated loaders call, sets package rule's mark on exactly the loads
// it is given.
func TestChildLoadsAreMarkedForPrivacyRules(t *testing.T) {
	surveys := []*survey{{ID: "svy_1"}}
	load, other := &responseQuery{}, &responseQuery{}
	ctx := MarkChildLoads(context.Background(), surveys, load)
	if got, ok := readparents.Parents[survey](ctx, load); !ok || len(got) != 1 || got[0] != surveys[0] {
		t.Errorf("the load: parents %v, %v; want the surveys", got, ok)
	}
	if _, ok := readparents.Parents[survey](ctx, other); ok {
		t.Errorf("another query run with the load's context is marked")
	}
}
