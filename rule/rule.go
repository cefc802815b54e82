// Package rule holds the privacy rules of every entity: the whole permission
// model of Engage API reads from this one package.
package rule

import (
	"context"

	"engage/ent"
	"engage/ent/privacy"
	"engage/viewer"
)

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
			return privacy.Denyf("read-only token")
		}
		return privacy.Skip
	})
}

// AllowIfAdmin allows everything to an ADMIN, unless the request comes
// through a token limited to some projects: such a token is held to the
// project rules like anyone else.
func AllowIfAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && v.Admin && v.AllowedProjects == nil {
			return privacy.Allow
		}
		return privacy.Skip
	})
}
