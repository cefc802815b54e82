package rule

import (
	"context"

	"engage/ent/privacy"
)

// System returns ctx for work the system does on its own behalf, which no
// privacy rule restricts: finding the caller of a request, the session
// store, usage counters, audit events, the hooks that read a parent to
// validate or complete a write the rules have already allowed, the demo
// loader, operator commands, benchmarks and tests. It is the one bypass of
// the permission model; nothing that takes a GraphQL request's input as a
// query runs with it.
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}
