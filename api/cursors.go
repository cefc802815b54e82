package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/ent"
)

// cursorCheck refuses, before anything runs, an operation with a cursor
// argument (after, before) that does not decode. A cursor is the client's
// to send back, and entgql's decoder panics on some malformed ones (a map
// that repeats a key), at the top level and inside the eager loads of
// nested connections alike; checked here once, none reaches either.
type cursorCheck struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = cursorCheck{}

func (cursorCheck) ExtensionName() string                   { return "CursorCheck" }
func (cursorCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (cursorCheck) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	return checkCursors(oc.Operation.SelectionSet, oc.Variables, map[string]bool{})
}

// checkCursors checks the cursor arguments of the fields of set, through
// fragments, each fragment once.
func checkCursors(set ast.SelectionSet, vars map[string]any, seen map[string]bool) *gqlerror.Error {
	for _, sel := range set {
		var inner ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				def := s.Definition
				if def == nil || def.Arguments.ForName(arg.Name) == nil || def.Arguments.ForName(arg.Name).Type.Name() != "Cursor" {
					continue
				}
				if v, err := arg.Value.Value(vars); err == nil && v != nil && !decodes(v) {
					err := gqlerror.Errorf("%s: invalid cursor", arg.Name)
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
		if err := checkCursors(inner, vars, seen); err != nil {
			return err
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
