// Package graph holds the GraphQL resolvers. They stay thin: ent does the
// work, and ent privacy rules (package rule) decide who may do it.
package graph

import (
	"context"

	"engage/gid"
	"github.com/99designs/gqlgen/graphql"

	"engage/ent"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct{ client *ent.Client }

// NewSchema returns the executable GraphQL schema backed by client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{client: client}})
}

// nodeTable tells node and nodes which table an ID belongs to, from its prefix.
func nodeTable(_ context.Context, id string) (string, error) { return gid.Table(id) }
