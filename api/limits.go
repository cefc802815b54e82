package api

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/aggregate"
	"engage/answer"
)

// MaxPageSize is the most items one page of a connection may hold; it is
// also the page size when a query gives neither first nor last.
const MaxPageSize = 100

// isConnection reports whether a field returns a Relay connection page.
func isConnection(f *ast.Field) bool {
	return f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection") &&
		f.Definition.Arguments.ForName("first") != nil
}

// walkFields calls fn for every field of set, through fragments.
func walkFields(set ast.SelectionSet, fn func(*ast.Field)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			fn(s)
			walkFields(s.SelectionSet, fn)
		case *ast.InlineFragment:
			walkFields(s.SelectionSet, fn)
		}
	}
}

// queryCache is the parsed-query cache. Before it stores a newly parsed and
// validated query, it rewrites two things, once for every later use:
//
//   - every connection that asks for neither first nor last gets a first of
//     MaxPageSize, so that no page, nested or not, is unbounded;
//   - @defer is dropped, so deferred fragments are answered in the one
//     response: the server has no incremental transport, and gqlgen would
//     otherwise answer the resolved fields of a deferred fragment with a
//     silent null. Incremental delivery lets a server answer inline.
//
// The query is not shared yet at that point, so rewriting it is safe.
type queryCache struct {
	graphql.Cache[*ast.QueryDocument]
}

func (c queryCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	addDefault := func(f *ast.Field) {
		if isConnection(f) && f.Arguments.ForName("first") == nil && f.Arguments.ForName("last") == nil {
			f.Arguments = append(f.Arguments, &ast.Argument{
				Name:  "first",
				Value: &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(MaxPageSize)},
			})
		}
	}
	for _, op := range doc.Operations {
		walkFields(op.SelectionSet, addDefault)
		answerDeferredInline(op.SelectionSet)
	}
	for _, frag := range doc.Fragments {
		walkFields(frag.SelectionSet, addDefault)
		answerDeferredInline(frag.SelectionSet)
	}
	c.Cache.Add(ctx, key, doc)
}

// answerDeferredInline removes @defer from the fragments in set, at any depth.
func answerDeferredInline(set ast.SelectionSet) {
	isDefer := func(d *ast.Directive) bool { return d.Name == "defer" }
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			answerDeferredInline(s.SelectionSet)
		case *ast.InlineFragment:
			s.Directives = slices.DeleteFunc(s.Directives, isDefer)
			answerDeferredInline(s.SelectionSet)
		case *ast.FragmentSpread:
			s.Directives = slices.DeleteFunc(s.Directives, isDefer)
		}
	}
}

// limits refuses, before anything runs, operations that ask for pages
// larger than MaxPageSize or whose estimated cost exceeds maxComplexity. The
// cost of a field is 1 plus the cost of its selections, and a connection's
// selections count once per item of the page it asks for.
type limits struct {
	es            graphql.ExecutableSchema
	maxComplexity int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = limits{}

func (limits) ExtensionName() string                   { return "Limits" }
func (limits) Validate(graphql.ExecutableSchema) error { return nil }

func (l limits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var tooLarge *gqlerror.Error
	check := func(f *ast.Field) {
		if tooLarge != nil || !isConnection(f) {
			return
		}
		args := f.ArgumentMap(oc.Variables)
		for _, name := range []string{"first", "last"} {
			if n, ok := asInt(args[name]); ok && (n < 0 || n > MaxPageSize) {
				tooLarge = gqlerror.Errorf("%s: %s must be between 0 and %d, got %d", f.Alias, name, MaxPageSize, n)
				tooLarge.Extensions = map[string]any{"code": codeBadInput}
			}
		}
	}
	walkFields(oc.Operation.SelectionSet, check)
	for _, frag := range oc.Doc.Fragments {
		walkFields(frag.SelectionSet, check)
	}
	if tooLarge != nil {
		return tooLarge
	}
	cost := complexity.Calculate(ctx, pageCost{l.es}, oc.Operation, oc.Variables)
	if cost > l.maxComplexity {
		err := gqlerror.Errorf("the query would cost %d, more than the limit of %d: ask for smaller pages (first/last) or fewer nested lists", cost, l.maxComplexity)
		err.Extensions = map[string]any{"code": "COMPLEXITY_LIMIT"}
		return err
	}
	return nil
}

// pageCost prices connections by the size of the page they ask for, and
// aggregates by the rows they read and the lists they return.
type pageCost struct{ graphql.ExecutableSchema }

// aggregateCost is what an aggregate (the stats of a question, a survey or
// a project) costs besides its selections: it reads every row it counts,
// so it is priced as a full page of them.
const aggregateCost = MaxPageSize

func (p pageCost) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	switch typeName + "." + field {
	case "Question.stats", "Survey.stats", "Project.stats":
		return aggregateCost + childComplexity, true
	case "QuestionStats.distribution":
		return 1 + aggregate.MaxDistributionValues*childComplexity, true
	case "SurveyStats.series":
		return 1 + seriesBuckets(args)*childComplexity, true
	}
	for _, name := range []string{"first", "last"} {
		if n, ok := asInt(args[name]); ok {
			return 1 + childComplexity*max(n, 1), true
		}
	}
	return p.ExecutableSchema.Complexity(ctx, typeName, field, childComplexity, args)
}

// asInt reads an argument value as parsed from a literal or a variable.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case *int:
		return *n, n != nil
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// seriesBuckets is the number of buckets of a series with args, or the
// most a series may have when they do not say (the series then refuses
// them).
func seriesBuckets(args map[string]any) int {
	interval, _ := args["interval"].(string)
	from, _ := args["from"].(string)
	to, _ := args["to"].(string)
	start, errFrom := answer.ParseDate(from)
	end, errTo := answer.ParseDate(to)
	if errFrom != nil || errTo != nil {
		return aggregate.MaxBuckets
	}
	n, err := aggregate.Buckets(aggregate.Interval(interval), start, end)
	if err != nil {
		return aggregate.MaxBuckets
	}
	return n
}
