// Command generate runs gqlgen with gqlgen.yml, then points the generated
// code at two helpers of package graph (marshal.go) that do what gqlgen's do
// at a fraction of the cost; gqlgen has no option for either. Each costs a
// nested analyst query, of about 1,100 objects, a large share of the
// server's CPU (bench/RESULTS.md):
//
//   - graphql.MarshalSliceConcurrently marshals every element of a list of
//     objects in a goroutine of its own (99designs/gqlgen#3202). Our lists
//     are ent pages that field collection loaded beforehand, so no element
//     waits for anything: growing and collecting 1,100 goroutine stacks per
//     request took half of the server's CPU. marshalSliceInOrder marshals
//     the elements one after another.
//   - graphql.NewDeferredGroup builds the path of every object, for @defer
//     payloads that almost no object has (16% of the CPU).
//     newDeferredGroup leaves the path out, and withPath adds it when a
//     group does hold deferred fields.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(", "marshalSliceInOrder("},
	{"graphql.NewDeferredGroup(ctx)", "newDeferredGroup(ctx)"},
	{"ec.ProcessDeferredGroup(deferred)", "ec.ProcessDeferredGroup(withPath(deferred))"},
}

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func generate() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if err := api.Generate(cfg); err != nil {
		return err
	}
	path := cfg.Exec.Filename
	code, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, r := range rewrites {
		if !bytes.Contains(code, []byte(r.from)) {
			return fmt.Errorf("%s no longer contains %s: check what this gqlgen version generates", path, r.from)
		}
		code = bytes.ReplaceAll(code, []byte(r.from), []byte(r.to))
	}
	return os.WriteFile(path, code, 0o644)
}
