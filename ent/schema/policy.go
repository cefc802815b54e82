package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/mixin"

	"engage/rule"
)

// privacyMixin is the base of every entity's privacy policy: it denies
// anonymous requests and read-only tokens before the entity's own policy
// (from package rule, which holds the whole permission model) runs.
type privacyMixin struct{ mixin.Schema }

func (privacyMixin) Policy() ent.Policy { return rule.BasePolicy() }
