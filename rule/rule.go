// Package rule holds the whole permission model of Engage API as ent
// privacy rules: who may see and change what. Every entity's policy is
// declared in policies.go from the small rules in this file, and the SQL
// predicates that decide visibility are in scope.go. Its subpackage
// readparents is the one fact besides the viewer that a rule trusts: the
// mark, set by the code that loads connections, of queries that read only
// children of parents the request has read (allowChildrenOf).
//
// The model is PRODUCT.md section 2; PERMISSIONS.md states it and maps each
// point to the rule that implements it.
package rule

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"engage/ent"
	"engage/ent/privacy"
	"engage/rule/readparents"
	"engage/viewer"
)

// Refusal is a denial whose message is safe and useful to show the caller,
// such as why a token cannot be minted. It wraps privacy.Deny.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// Unwrap makes a Refusal a privacy denial.
func (r *Refusal) Unwrap() error { return privacy.Deny }

// refuse denies with a reason the caller may read.
func refuse(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}

// DenyIfNoViewer denies every operation of an anonymous request.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("anonymous request")
		}
		return privacy.Skip
	})
}

// DenyIfReadOnly denies every mutation made through a read-only token.
func DenyIfReadOnly() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
		if v := viewer.FromContext(ctx); v != nil && v.ReadOnly {
			return refuse("this token is read-only")
		}
		return privacy.Skip
	})
}

// AllowIfAdmin allows everything to an ADMIN, unless the request comes
// through a token limited to some projects: such a token is held to the
// project rules like anyone else.
func AllowIfAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v.Admin && !v.Restricted() {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// allowChildrenOf allows, with no filter of its own, a query that loads a
// connection of parents of type P that this request has already read, for
// entities visible exactly when that parent is. Such a load reads only the
// parents' children, and the parents passed their own policy for the same
// viewer: filtering every child again would repeat, row by row, a check
// already made. The loading code (pageload) marks those queries, and only
// them, with readparents.Mark.
func allowChildrenOf[P any]() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		if _, ok := readparents.Parents[P](ctx, q); ok {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// filter allows a query of type Q after limiting it to the rows that
// visible matches for the viewer. Filtering happens in SQL, on every path
// that reads Q: lists, counts, node lookups and eager-loaded edges.
func filter[Q interface{ Where(...P) Q }, P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		typed, ok := q.(Q)
		if !ok {
			return privacy.Denyf("unexpected query type %T", q)
		}
		typed.Where(visible(viewer.FromContext(ctx)))
		return privacy.Allow
	})
}
