// Package rule holds the privacy rules of every entity: the whole permission
// model of Engage API reads from this one package.
package rule

import (
	"context"

	"engage/ent/privacy"
	"engage/viewer"
)

// DenyIfNoViewer denies every operation of an anonymous request.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("viewer is missing")
		}
		return privacy.Skip
	})
}

// AllowIfAdmin allows every operation of an ADMIN, except mutations through a
// read-only token.
func AllowIfAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && v.Admin {
			return privacy.Allow
		}
		return privacy.Skip
	})
}
