package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// codeInvalidFilter refuses a where parameter that is not a value of its
// GraphQL input type.
const codeInvalidFilter = "INVALID_FILTER"

// where reads the where parameter: the JSON of a value of the GraphQL input
// type inputType (ResponseWhereInput...), into out, the matching ent
// where-input. It takes exactly what the GraphQL API takes in a variable of
// that type, within the same limits of depth and conditions.
//
// The value is validated against the GraphQL schema before it is decoded
// into out: the Go type has fields that the GraphQL type leaves out on
// purpose (personal data, the IDs of links to objects that may be hidden:
// codegen/gqlschema/visibility.go), and a filter on them would reveal what the
// types hide. Decoding only what validation let through, and refusing any
// name the Go type lacks, keeps the two in step.
func (h *Handler) where(raw, inputType string, out any) error {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber() // as the GraphQL transport reads variables
	var value any
	if err := dec.Decode(&value); err != nil {
		return invalidFilter("the where parameter is not JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidFilter("the where parameter has something after its JSON value")
	}
	if _, ok := value.(map[string]any); !ok {
		return invalidFilter("the where parameter must be a JSON object, a " + inputType)
	}
	// The limits first: they bound the work of validating a value nested
	// thousands of levels deep.
	if err := h.limitWhere("where", value, inputType); err != nil {
		code, _ := err.Extensions["code"].(string)
		return refuse(http.StatusBadRequest, code, err.Message)
	}
	op := &ast.OperationDefinition{VariableDefinitions: ast.VariableDefinitionList{{
		Variable:   "where",
		Type:       ast.NamedType(inputType, nil),
		Definition: h.schema.Types[inputType],
	}}}
	vars, err := validator.VariableValues(h.schema, op, map[string]any{"where": value})
	if err != nil {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) {
			return invalidFilter(fmt.Sprintf("%s: %s", strings.TrimPrefix(gqlErr.Path.String(), "variable."), gqlErr.Message))
		}
		return invalidFilter(err.Error())
	}
	coerced, err := json.Marshal(withoutTypename(vars["where"]))
	if err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(coerced))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		var typeErr *json.UnmarshalTypeError
		var timeErr *time.ParseError
		switch {
		case errors.As(err, &typeErr):
			return invalidFilter(fmt.Sprintf("where.%s: not a value of its type", typeErr.Field))
		case errors.As(err, &timeErr), strings.HasPrefix(err.Error(), "Time."):
			// GraphQL validation leaves custom scalars to the server.
			return invalidFilter("where: a Time is text in RFC 3339, such as 2026-01-05T09:00:00Z")
		}
		return invalidFilter("where: " + err.Error())
	}
	return nil
}

func invalidFilter(msg string) error {
	return refuse(http.StatusBadRequest, codeInvalidFilter, msg)
}

// withoutTypename drops the __typename fields that GraphQL accepts in any
// input object, and that name nothing to filter on.
func withoutTypename(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "__typename")
		for k, e := range v {
			v[k] = withoutTypename(e)
		}
	case []any:
		for i, e := range v {
			v[i] = withoutTypename(e)
		}
	}
	return v
}
