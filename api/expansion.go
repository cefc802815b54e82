package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// codeQueryTooLarge refuses a query whose fragments expand to more
// selections than the server walks.
const codeQueryTooLarge = "QUERY_TOO_LARGE"

func init() {
	// A refusal before execution, like a validation error: 4xx, not 200.
	errcode.RegisterErrorType(codeQueryTooLarge, errcode.KindProtocol)
}

// expansionLimit refuses, before gqlgen validates a query, a query whose
// operations hold more than max selections once every fragment spread is
// replaced by its fragment. A few bytes of fragments that each spread the
// one before twice expand to millions of selections, and every walk that
// follows spreads (validation, the depth and cost limits, execution) pays
// for each of them. Counting with each fragment's size computed once costs
// time linear in the query's text instead.
//
// Every selection costs at least 1 in the complexity limit, so max is that
// limit's: a query with more selections could not pass it anyway.
//
// It runs before gqlgen parses the query (an OperationParameterMutator), so
// it parses it itself; only for queries the query cache does not hold, all
// of which it has checked when they came first.
type expansionLimit struct {
	cache      graphql.Cache[*ast.QueryDocument]
	tokenLimit int
	max        int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = expansionLimit{}

func (expansionLimit) ExtensionName() string                   { return "ExpansionLimit" }
func (expansionLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l expansionLimit) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if _, ok := l.cache.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.tokenLimit)
	if err != nil {
		return nil // gqlgen parses it again and reports the error
	}
	if key := repeatedKey(doc); key != "" {
		err := gqlerror.Errorf("the query selects %q more than %d times in one selection set", key, maxSameKey)
		err.Extensions = map[string]any{"code": codeQueryTooLarge}
		return err
	}
	if n, _ := expandedSelections(doc, l.max); n > l.max {
		err := gqlerror.Errorf("the query holds more than %d selections once its fragments are expanded: spread fewer fragments", l.max)
		err.Extensions = map[string]any{"code": codeQueryTooLarge}
		return err
	}
	return nil
}

// expandedSelections counts the selections of doc's operations with every
// fragment spread replaced by its fragment, and the selections it visited
// to count them: each selection of the text at most once. A count above
// limit stops counting; it returns limit+1 then. Spreads of fragments that do
// not exist or that spread themselves count 1: validation refuses them.
func expandedSelections(doc *ast.QueryDocument, limit int) (expanded, visited int) {
	e := expansion{
		fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		sizes:     make(map[string]int, len(doc.Fragments)),
		max:       limit,
	}
	for _, f := range doc.Fragments {
		if _, dup := e.fragments[f.Name]; !dup {
			e.fragments[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		if expanded = e.add(expanded, e.size(op.SelectionSet)); expanded > limit {
			break
		}
	}
	return expanded, e.visited
}

// expansion holds the expanded size of each fragment, once counted.
type expansion struct {
	fragments map[string]*ast.FragmentDefinition
	sizes     map[string]int // -1 while the fragment is being counted
	max       int
	visited   int
}

func (e *expansion) size(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		e.visited++
		n = e.add(n, 1)
		switch s := sel.(type) {
		case *ast.Field:
			n = e.add(n, e.size(s.SelectionSet))
		case *ast.InlineFragment:
			n = e.add(n, e.size(s.SelectionSet))
		case *ast.FragmentSpread:
			n = e.add(n, e.fragmentSize(s.Name))
		}
		if n > e.max {
			break
		}
	}
	return n
}

func (e *expansion) fragmentSize(name string) int {
	if n, ok := e.sizes[name]; ok {
		return max(n, 0) // a cycle counts nothing more
	}
	f := e.fragments[name]
	if f == nil {
		return 0
	}
	e.sizes[name] = -1
	n := e.size(f.SelectionSet)
	e.sizes[name] = n
	return n
}

// add adds without passing max+1, so that no count overflows.
func (e *expansion) add(a, b int) int { return min(a+b, e.max+1) }

// maxSameKey bounds how often one selection set may select the same
// response key. Validation compares the fields of one key pairwise (they
// must be mergeable), so 4,000 of them, which the token limit allows, cost
// seconds; no honest query repeats a key more than a few times.
const maxSameKey = 100

// repeatedKey returns a response key that some selection set of doc's text
// selects more than maxSameKey times, counting the fields of its inline
// fragments with its own (validation merges them), or "".
func repeatedKey(doc *ast.QueryDocument) string {
	var inSet func(set ast.SelectionSet) string
	// count adds the keys of set and of its inline fragments to keys, and
	// checks the sets of its fields on their own.
	var count func(set ast.SelectionSet, keys map[string]int) string
	count = func(set ast.SelectionSet, keys map[string]int) string {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if keys[s.Alias]++; keys[s.Alias] > maxSameKey {
					return s.Alias
				}
				if key := inSet(s.SelectionSet); key != "" {
					return key
				}
			case *ast.InlineFragment:
				if key := count(s.SelectionSet, keys); key != "" {
					return key
				}
			}
		}
		return ""
	}
	inSet = func(set ast.SelectionSet) string {
		if len(set) == 0 {
			return ""
		}
		return count(set, make(map[string]int, len(set)))
	}
	for _, op := range doc.Operations {
		if key := inSet(op.SelectionSet); key != "" {
			return key
		}
	}
	for _, f := range doc.Fragments {
		if key := inSet(f.SelectionSet); key != "" {
			return key
		}
	}
	return ""
}
