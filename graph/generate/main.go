// Command generate runs gqlgen with gqlgen.yml, then makes the generated
// code marshal the elements of a list one after another.
//
// gqlgen marshals every element of a list of objects in a goroutine of its
// own (graphql.MarshalSliceConcurrently; gqlgen has no option against it,
// see 99designs/gqlgen#3202). Our lists are ent pages loaded beforehand by
// field collection, so no element waits for anything: the analysts' nested
// query started over 1,100 goroutines per request to marshal data already
// in memory, and growing their stacks and collecting them took half of the
// server's CPU. graph.marshalSliceInOrder does the same work in order.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

const (
	concurrent = "graphql.MarshalSliceConcurrently("
	inOrder    = "marshalSliceInOrder("
)

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
	if !bytes.Contains(code, []byte(concurrent)) {
		return fmt.Errorf("%s no longer calls %s: check what this gqlgen version generates", path, concurrent)
	}
	return os.WriteFile(path, bytes.ReplaceAll(code, []byte(concurrent), []byte(inOrder)), 0o644)
}
