package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"engage/aggregate"
)

// aggregateLoads gives each operation its record of the questions, surveys
// and projects its queries read, so that an aggregate asked under a page of
// them is computed for the whole page at once (package aggregate).
type aggregateLoads struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = aggregateLoads{}

func (aggregateLoads) ExtensionName() string                   { return "AggregateLoads" }
func (aggregateLoads) Validate(graphql.ExecutableSchema) error { return nil }

func (aggregateLoads) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(aggregate.WithLoads(ctx))
}
