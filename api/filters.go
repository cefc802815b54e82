package api

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes of the refusals of filterLimit.
const (
	codeFilterTooDeep  = "FILTER_TOO_DEEP"
	codeFilterTooLarge = "FILTER_TOO_LARGE"
)

func init() {
	// Refusals before execution, like validation errors: 4xx, not 200.
	errcode.RegisterErrorType(codeFilterTooDeep, errcode.KindProtocol)
	errcode.RegisterErrorType(codeFilterTooLarge, errcode.KindProtocol)
}

// maxFilterValues bounds the values that the lists of a request's filters
// (idIn, statusNotIn...) hold in all: each is a parameter of the SQL
// statement, and SQLite takes at most 32,766 of them, PostgreSQL 65,535.
const maxFilterValues = 10000

// filterLimit refuses, before anything runs, an operation whose where
// filters nest deeper than maxDepth or hold more than maxPredicates
// conditions in all. ent turns a filter into SQL by recursion, and each
// database fails on large ones in its own way and only after much work:
// PostgreSQL runs out of stack on not 9,000 levels deep after 5 seconds,
// SQLite refuses an or of 20,000 conditions as too large an expression.
//
// A where filter is the value of any input type whose name ends in
// WhereInput, in the arguments of any field, given inline or in variables.
// It is one level deep, and each filter inside it (not, and, or,
// hasXWith) one level deeper. Each field set in a filter, at any depth,
// is one condition ({not: {titleContains: "a"}} holds two), counted across
// the whole operation, once for every time a fragment is spread.
type filterLimit struct {
	schema        *ast.Schema
	maxDepth      int
	maxPredicates int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = filterLimit{}

func (filterLimit) ExtensionName() string                   { return "FilterLimit" }
func (filterLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l filterLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := filterCount{filterLimit: l, vars: oc.Variables, counted: make(map[*ast.Value]int)}
	return c.selections(oc.Operation.SelectionSet)
}

// filterCount counts the conditions of one operation's filters.
type filterCount struct {
	filterLimit
	vars    map[string]any
	total   int
	values  int                // the values of the lists of values (idIn...) in all
	counted map[*ast.Value]int // the conditions of each argument, once counted
}

// selections counts the filters in the arguments of the fields of set,
// through fragments (which the expansion limit has bounded).
func (c *filterCount) selections(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if err = c.arguments(s); err == nil {
				err = c.selections(s.SelectionSet)
			}
		case *ast.InlineFragment:
			err = c.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				err = c.selections(s.Definition.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *filterCount) arguments(f *ast.Field) *gqlerror.Error {
	if f.Definition == nil {
		return nil
	}
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil || arg.Value == nil {
			continue
		}
		n, ok := c.counted[arg.Value]
		if !ok {
			value, err := arg.Value.Value(c.vars)
			if err != nil {
				continue // validation has checked the value; execution reports it
			}
			var deep bool
			if n, deep = c.count(value, def.Type, 0); deep {
				return c.refusal(f.Alias, true)
			}
			c.counted[arg.Value] = n
		}
		c.total += n
		if err := c.refusal(f.Alias, false); err != nil {
			return err
		}
	}
	return nil
}

// checkWhere is the same limit for one where filter given outside a
// GraphQL operation, such as an export's where parameter: value is the
// filter as decoded JSON, of the input type named inputType, and name
// names it in the refusal.
func (l filterLimit) checkWhere(name string, value any, inputType string) *gqlerror.Error {
	c := filterCount{filterLimit: l}
	n, deep := c.count(value, ast.NonNullNamedType(inputType, nil), 0)
	c.total = n
	return c.refusal(name, deep)
}

// refusal refuses, for the filters named name, a filter deeper than
// maxDepth, or more values or conditions than the limits allow in all.
func (c *filterCount) refusal(name string, deep bool) *gqlerror.Error {
	var err *gqlerror.Error
	switch {
	case deep:
		err = gqlerror.Errorf("%s: a where filter nests more than %d levels deep (through not, and, or and hasXWith)", name, c.maxDepth)
		err.Extensions = map[string]any{"code": codeFilterTooDeep}
	case c.values > maxFilterValues:
		err = gqlerror.Errorf("%s: the where filters of this request list more than %d values", name, maxFilterValues)
		err.Extensions = map[string]any{"code": codeFilterTooLarge}
	case c.total > c.maxPredicates:
		err = gqlerror.Errorf("%s: the where filters of this request hold more than %d conditions", name, c.maxPredicates)
		err.Extensions = map[string]any{"code": codeFilterTooLarge}
	}
	return err
}

// count returns the conditions of the where filters in value, of type typ,
// inside depth where filters already, and whether a filter nests deeper
// than maxDepth. It stops counting past maxPredicates, and going deeper
// past maxDepth: a value nested thousands of levels costs no more than one
// at the limit.
func (c *filterCount) count(value any, typ *ast.Type, depth int) (n int, deep bool) {
	if value == nil {
		return 0, false
	}
	if typ.Elem != nil {
		list, ok := value.([]any)
		if !ok {
			return c.count(value, typ.Elem, depth) // one value given for a list
		}
		return c.countList(list, typ.Elem, depth)
	}
	def := c.schema.Types[typ.NamedType]
	fields, ok := value.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return 0, false
	}
	return c.countFields(fields, def, depth)
}

// countList is count for the elements, of type elem, of a list.
func (c *filterCount) countList(list []any, elem *ast.Type, depth int) (n int, deep bool) {
	for _, v := range list {
		m, deep := c.count(v, elem, depth)
		if n += m; deep || n > c.maxPredicates {
			return n, deep
		}
	}
	return n, false
}

// countFields is count for the fields of an input object of type def: one
// condition each when it is a where filter, one level deeper, and the
// conditions inside each.
func (c *filterCount) countFields(fields map[string]any, def *ast.Definition, depth int) (n int, deep bool) {
	isFilter := strings.HasSuffix(def.Name, "WhereInput")
	if isFilter {
		if depth++; depth > c.maxDepth {
			return 0, true
		}
	}
	// In the schema's order, so that the same value always gives the
	// same answer.
	for _, field := range def.Fields {
		v := fields[field.Name]
		if v == nil {
			continue
		}
		if isFilter {
			n++
			if list, ok := v.([]any); ok && c.schema.Types[field.Type.Name()].Kind != ast.InputObject {
				c.values += len(list)
			}
		}
		m, deep := c.count(v, field.Type, depth)
		if n += m; deep || n > c.maxPredicates {
			return n, deep
		}
	}
	return n, false
}
