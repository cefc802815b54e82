package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/ent"
	"engage/pageload"
)

// argumentCheck refuses, before anything runs, an operation with a cursor
// argument (after, before) that does not decode, or an orderBy that names
// a field twice. A cursor is the client's to send back, and entgql's
// decoder panics on some malformed ones (a map that repeats a key), at the
// top level and inside the eager loads of nested connections alike;
// checked here once, none reaches either. A field given twice in an
// ordering is a mistake (its second direction could never matter), and
// refusing it bounds an ordering's length by its type's order fields.
type argumentCheck struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = argumentCheck{}

func (argumentCheck) ExtensionName() string                   { return "ArgumentCheck" }
func (argumentCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (argumentCheck) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	return checkArguments(oc.Operation.SelectionSet, oc.Variables, map[string]bool{})
}

// checkArguments checks the cursor and orderBy arguments of the fields of
// set, through fragments, each fragment once.
func checkArguments(set ast.SelectionSet, vars map[string]any, seen map[string]bool) *gqlerror.Error {
	for _, sel := range set {
		var inner ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				if err := checkArgument(s, arg, vars); err != nil {
					err.Path = ast.Path{ast.PathName(s.Alias)}
					err.Extensions = map[string]any{"code": codeBadInput}
					return err
				}
			}
			inner = s.SelectionSet
		case *ast.InlineFragment:
			inner = s.SelectionSet
		case *ast.FragmentSpread:
			if s.Definition == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			inner = s.Definition.SelectionSet
		}
		if err := checkArguments(inner, vars, seen); err != nil {
			return err
		}
	}
	return nil
}

// checkArgument checks one argument of field f: a cursor must decode, an
// orderBy must not name a field twice.
func checkArgument(f *ast.Field, arg *ast.Argument, vars map[string]any) *gqlerror.Error {
	if f.Definition == nil || f.Definition.Arguments.ForName(arg.Name) == nil {
		return nil
	}
	isCursor := f.Definition.Arguments.ForName(arg.Name).Type.Name() == "Cursor"
	if !isCursor && arg.Name != "orderBy" {
		return nil // the value of no other argument is read
	}
	v, err := arg.Value.Value(vars)
	switch {
	case err != nil || v == nil:
	case isCursor:
		if !decodes(v) {
			return gqlerror.Errorf("%s: invalid cursor", arg.Name)
		}
	default:
		terms, _ := pageload.OrderList(v).([]any)
		seen := map[any]bool{}
		for _, term := range terms {
			m, _ := term.(map[string]any)
			field := m["field"]
			if seen[field] {
				return gqlerror.Errorf("orderBy: %v is given twice; give each field once", field)
			}
			seen[field] = true
		}
	}
	return nil
}

// decodes reports whether v decodes as a cursor, without panicking.
func decodes(v any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	var c ent.Cursor
	return c.UnmarshalGQL(v) == nil
}
