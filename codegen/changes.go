// Package codegen names the changes that the generators under it (entc,
// gqlgen) make to what ent, entgql and gqlgen write, so that each can be
// left out of a build to measure it: list them, separated by commas, in
// ENGAGE_CODEGEN_SKIP when running go generate ./... (README.md, "Leaving a
// change out").
package codegen

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// SkipVariable is the environment variable that lists the changes to leave
// out.
const SkipVariable = "ENGAGE_CODEGEN_SKIP"

// Changes are the names of the changes, as README.md's table gives them.
var Changes = []string{
	// codegen/entc: ent's and entgql's templates.
	"count-for-totalcount",
	"extra-row-for-pageinfo",
	"pages-per-parent",
	"no-parent-list",
	"counts-per-parent",
	"read-parents",
	"undecodable-nested-cursor",
	"nested-order-list",
	"cursor-predicates",
	"null-order",
	"scan-values-once",
	// codegen/gqlgen: gqlgen's executor.
	"slice-in-order",
	"no-deferred-group",
	"object-fields",
	"struct-fields",
	"time-scalar",
}

// Skips is the set of changes to leave out.
type Skips map[string]bool

// Skipped returns the changes that ENGAGE_CODEGEN_SKIP lists, or an error
// when it names one that does not exist: a misspelt name would otherwise
// measure nothing.
func Skipped() (Skips, error) {
	skips := Skips{}
	for name := range strings.SplitSeq(os.Getenv(SkipVariable), ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(Changes, name) {
			return nil, fmt.Errorf("%s names %q, which is no change of codegen/README.md", SkipVariable, name)
		}
		skips[name] = true
	}
	return skips, nil
}

// Has reports whether the change name is left out. It panics on a name
// that Changes lacks: a generator asking for one is a bug.
func (s Skips) Has(name string) bool {
	if !slices.Contains(Changes, name) {
		panic(fmt.Sprintf("codegen: no change is named %q", name))
	}
	return s[name]
}
