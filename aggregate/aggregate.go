// Package aggregate computes the aggregates of the GraphQL API: per
// question (answer counts, counts per option, distribution, min, max, mean,
// median), per survey (response counts and series per day or week in a
// time zone) and per project (responses, and pins and comments by
// moderation status).
//
// Every aggregate is one SQL statement built on an ent query of the rows it
// counts, run with the request's context: the ent privacy policies filter
// those rows exactly as they filter a connection, so an aggregate counts
// only what the caller could read row by row. The statement groups in the
// database; only its groups come back.
//
// An aggregate asked for one object is computed for every object the same
// query read with it (a page of questions, the questions of a page of
// surveys), in the same statement: Loads records what each query of
// questions, surveys and projects read, for one request, and each
// statement runs once for all of them. So a page of surveys with the stats
// of each survey's questions costs the same few statements whatever the
// number of surveys.
package aggregate

import (
	"context"
	"encoding/json"
	"sync"

	"engage/ent"
)

// Loads records, for one request, the questions, surveys and projects that
// each of its queries read, and the aggregates computed for them.
type Loads struct {
	mu      sync.Mutex
	batches []any       // what each query read: []*ent.Question, []*ent.Survey or []*ent.Project
	indexed int         // how many of batches batchOf indexes
	batchOf map[any]int // a node read, as a pointer, to its batch
	sets    map[setKey]any
}

// setKey names the aggregates of one batch under one filter.
type setKey struct {
	batch int
	where string // the filter, as JSON
}

type loadsKey struct{}

// WithLoads returns a context that records what the queries run with it
// read; the API gives one to each operation.
func WithLoads(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadsKey{}, &Loads{batchOf: map[any]int{}, sets: map[setKey]any{}})
}

// RecordLoads is the interceptor of the queries of questions, surveys and
// projects (ent/schema) that records what they read in the context's
// Loads, if it has one.
func RecordLoads() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			if l, ok := ctx.Value(loadsKey{}).(*Loads); ok && err == nil {
				switch v.(type) {
				case []*ent.Question, []*ent.Survey, []*ent.Project:
					l.mu.Lock()
					l.batches = append(l.batches, v)
					l.mu.Unlock()
				}
			}
			return v, err
		})
	})
}

// setOf returns the aggregates under where of node and of the nodes read
// with it, made by newSet for those nodes the first time they are asked
// for. Without a record of the node (a node a mutation returned), the
// aggregates are node's alone.
func setOf[T, S any](ctx context.Context, node *T, where any, newSet func([]*T) *S) (*S, error) {
	l, ok := ctx.Value(loadsKey{}).(*Loads)
	if !ok {
		return newSet([]*T{node}), nil
	}
	filter, err := json.Marshal(where)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for ; l.indexed < len(l.batches); l.indexed++ {
		switch b := l.batches[l.indexed].(type) {
		case []*ent.Question:
			index(l.batchOf, b, l.indexed)
		case []*ent.Survey:
			index(l.batchOf, b, l.indexed)
		case []*ent.Project:
			index(l.batchOf, b, l.indexed)
		}
	}
	batch, ok := l.batchOf[node]
	if !ok {
		return newSet([]*T{node}), nil
	}
	key := setKey{batch, string(filter)}
	if s, ok := l.sets[key].(*S); ok {
		return s, nil
	}
	s := newSet(l.batches[batch].([]*T))
	l.sets[key] = s
	return s, nil
}

// index maps each node of batch to i; a node read twice keeps its first
// batch.
func index[T any](batchOf map[any]int, batch []*T, i int) {
	for _, n := range batch {
		if _, ok := batchOf[n]; !ok {
			batchOf[n] = i
		}
	}
}

// once is a value computed once, by the first of the resolvers that need
// it, for all of them.
type once[V any] struct {
	sync.Once
	value V
	err   error
}

func (o *once[V]) get(compute func() (V, error)) (V, error) {
	o.Do(func() { o.value, o.err = compute() })
	return o.value, o.err
}

// clientOf is the client of ctx's transaction, in a mutation, so that
// aggregates read what it wrote; else client.
func clientOf(ctx context.Context, client *ent.Client) *ent.Client {
	if tx := ent.FromContext(ctx); tx != nil {
		return tx
	}
	return client
}
