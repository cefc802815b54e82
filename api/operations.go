package api

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/semaphore"
)

// operationLimit runs at most a fixed number of GraphQL operations at once;
// the others wait for a turn in the order they came (semaphore.Weighted
// serves its waiters first come, first served), for as long as their
// client waits. Parsing and validation come before it, writing the
// response after, so a slow reader holds no turn.
//
// Without it every operation runs at once, and they share the CPUs and the
// database by chance: the unlucky ones take much longer than the median.
// In line, an operation waits for those ahead of it and then runs among
// few (bench/RESULTS.md: the nested query at 16 clients on 2 CPUs).
type operationLimit struct {
	turns            *semaphore.Weighted
	running, waiting *atomic.Int64 // operations now, for /metrics
}

// newOperationLimit returns the limit of n operations at once.
func newOperationLimit(n int) operationLimit {
	return operationLimit{semaphore.NewWeighted(int64(n)), new(atomic.Int64), new(atomic.Int64)}
}

// collectors are the metrics of the line: operations running and waiting
// their turn now.
func (l operationLimit) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "engage_graphql_operations_running",
			Help: "GraphQL operations running now.",
		}, func() float64 { return float64(l.running.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "engage_graphql_operations_waiting",
			Help: "GraphQL operations waiting for their turn now (ENGAGE_MAX_CONCURRENT_OPERATIONS).",
		}, func() float64 { return float64(l.waiting.Load()) }),
	}
}

func (operationLimit) ExtensionName() string                   { return "OperationLimit" }
func (operationLimit) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse waits for a turn, then runs the operation. A request
// refused before it ran has no need of a turn.
func (l operationLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if refusedBeforeExecution(ctx) {
		return next(ctx)
	}
	l.waiting.Add(1)
	err := l.turns.Acquire(ctx, 1)
	l.waiting.Add(-1)
	if err != nil {
		// The client left, or its deadline passed, before the turn came.
		return &graphql.Response{Errors: gqlerror.List{{
			Message:    "the request took too long",
			Extensions: map[string]any{"code": codeUnavailable},
		}}}
	}
	l.running.Add(1)
	defer func() {
		l.running.Add(-1)
		l.turns.Release(1)
	}()
	return next(ctx)
}
