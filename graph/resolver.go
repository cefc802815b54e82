// Package graph holds the GraphQL resolvers. They stay thin: ent does the
// work, and ent privacy rules (package rule) decide who may do it.
package graph

import (
	"context"
	"time"

	"engage/gid"
	"engage/rule"
	"engage/token"
	"engage/viewer"
	"github.com/99designs/gqlgen/graphql"

	"engage/ent"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	client *ent.Client
	// tokenMaxLifetime, when positive, is the longest an API token may live.
	tokenMaxLifetime time.Duration
}

// NewSchema returns the executable GraphQL schema backed by client.
func NewSchema(client *ent.Client, tokenMaxLifetime time.Duration) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  &Resolver{client: client, tokenMaxLifetime: tokenMaxLifetime},
		Directives: DirectiveRoot{Personal: personalData},
	})
}

// personalData implements @personal: the value of a personal field, or null
// when the caller may not see it. Types it does not know stay hidden.
func personalData(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	v := viewer.FromContext(ctx)
	var visible bool
	switch o := obj.(type) {
	case *ent.Response:
		visible = rule.MaySeePersonalData(v, o.ProjectID)
	case *ent.Pin:
		visible = rule.MaySeePersonalData(v, o.ProjectID)
	case *ent.Comment:
		visible = rule.MaySeePersonalData(v, o.ProjectID)
	case *ent.User:
		visible = rule.MaySeeEmail(v, o.ID)
	}
	if !visible {
		return nil, nil
	}
	return next(ctx)
}

// Viewer is the GraphQL Viewer: the caller of the request.
type Viewer struct{ *viewer.Viewer }

// actor is who acts in this request, for the audit trail.
func actor(ctx context.Context) token.Actor {
	v := viewer.FromContext(ctx)
	return token.Actor{UserID: v.UserID, IP: v.IP}
}

// nodeTable tells node and nodes which table an ID belongs to, from its prefix.
func nodeTable(_ context.Context, id string) (string, error) { return gid.Table(id) }

// hiddenAsNull answers null, without an error, for a linked object that
// privacy hides from the caller (ent reports it as not found): the object
// that links to it stays readable (a membership whose user the caller may
// not see).
func hiddenAsNull[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}
