// Package readparents is the mark that tells package rule a query reads
// only children of parents this request has already read, the one fact
// besides the viewer that a privacy rule of Engage API trusts. Package rule
// says what the mark allows (allowChildrenOf, PERMISSIONS.md); the code
// that loads connections (package pageload, which ent's generated queries
// call) sets it for the queries it builds that way, and for no other. The
// package imports no generated code, so that both can use it.
package readparents

import (
	"context"

	"entgo.io/ent"
)

type key struct{}

// mark names the loads of one set of parents.
type mark struct {
	parents any         // []*P, as the request read them
	loads   []ent.Query // each reads only children of parents
}

// Mark returns ctx for running loads, queries each of which reads only
// children of parents, nodes of one type that this request read through
// their own privacy policy. Only the query objects loads are marked: any
// other query run with the returned context is not, whatever its type. A
// mark replaces any that ctx holds.
func Mark[P any](ctx context.Context, parents []*P, loads ...ent.Query) context.Context {
	return context.WithValue(ctx, key{}, &mark{parents: parents, loads: loads})
}

// Parents returns the parents of q when ctx marks q as a load of children
// of parents of type P, and whether it does.
func Parents[P any](ctx context.Context, q ent.Query) ([]*P, bool) {
	m, ok := ctx.Value(key{}).(*mark)
	if !ok {
		return nil, false
	}
	parents, ok := m.parents.([]*P)
	if !ok {
		return nil, false
	}
	for _, load := range m.loads {
		if load == q {
			return parents, true
		}
	}
	return nil, false
}
