package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/mixin"

	"engage/ent/privacy"
	"engage/rule"
)

// privacyMixin carries the rules every entity shares. It runs before the
// entity's own policy and never allows on its own account, except for
// administrators who act without project restrictions.
type privacyMixin struct{ mixin.Schema }

func (privacyMixin) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.DenyIfReadOnly(),
			rule.AllowIfAdmin(),
		},
	}
}

// policy builds an entity's own policy from its query and mutation rules and
// ends each list with a deny, so whatever no rule allows is refused.
func policy(query privacy.QueryPolicy, mutation privacy.MutationPolicy) ent.Policy {
	return privacy.Policy{
		Query:    append(query, privacy.AlwaysDenyRule()),
		Mutation: append(mutation, privacy.AlwaysDenyRule()),
	}
}
