// Command gqlgen runs gqlgen with gqlgen.yml, then points the generated
// executor (graph/generated.go) at package gqlexec, which does what some of
// gqlgen's helpers do at a fraction of the cost; gqlgen has no option for
// any. codegen/README.md gives each rewrite, its measured gain and the test
// that guards it (rewrite.go makes them).
//
// A rewrite changes the syntax tree of the generated file, never a match of
// its text, and only in the functions that gqlgen's own model of the schema
// says it writes for that kind of thing (an object, a list, a field read
// from a struct field): generation stops unless the places it finds are
// exactly one in each of those functions and none elsewhere.
package main

import (
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	gqlcodegen "github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"

	"engage/codegen"
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "codegen/gqlgen:", err)
		os.Exit(1)
	}
}

func generate() error {
	skips, err := codegen.Skipped()
	if err != nil {
		return err
	}
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if skips.Has("time-scalar") {
		// gqlgen's own Time scalar instead of graph.Time.
		delete(cfg.Models, "Time")
	}
	var m model
	if err := api.Generate(cfg, api.AddPlugin(&m)); err != nil {
		return err
	}
	if m.data == nil {
		return fmt.Errorf("gqlgen generated %s without handing its model to plugins", cfg.Exec.Filename)
	}
	path := cfg.Exec.Filename
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := rewrite(path, src, m.data, skips)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// model is a gqlgen plugin that keeps the model gqlgen writes its code
// from: the rewrites read from it where each must change the code.
type model struct{ data *gqlcodegen.Data }

func (*model) Name() string { return "engage-model" }

func (m *model) GenerateCode(data *gqlcodegen.Data) error {
	m.data = data
	return nil
}
