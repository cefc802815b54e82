package main

import (
	"bytes"
	"testing"

	"entgo.io/ent/entc/gen"

	"engage/codegen"
)

// TestEditsFailUnlessTheirTextOccursOnce checks applyEdits: an edit is made
// where its text occurs, in nested templates too, and generation stops when
// the text is missing or occurs more than once; a change left out is not
// made.
func TestEditsFailUnlessTheirTextOccursOnce(t *testing.T) {
	parse := func() *gen.Template {
		return gen.MustParse(gen.NewTemplate("t").Parse(`{{ define "a" }}x := limit(1){{ if .}}y := once(2){{ end }}{{ end }}{{ define "b" }}z := twice(3) twice(4){{ end }}`))
	}
	run := func(tmpl *gen.Template, name string) string {
		var out bytes.Buffer
		if err := tmpl.ExecuteTemplate(&out, name, true); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}

	tmpl := parse()
	if err := applyEdits(tmpl, "t", []edit{{"read-parents", "once(", "done("}}, codegen.Skips{}); err != nil || run(tmpl, "a") != "x := limit(1)y := done(2)" {
		t.Errorf("an edit inside an if: %v, %q", err, run(tmpl, "a"))
	}
	for name, e := range map[string]edit{
		"missing":    {"read-parents", "never(", "done("},
		"repeated":   {"read-parents", "twice(", "done("},
		"everywhere": {"read-parents", " := ", " = "},
	} {
		if err := applyEdits(parse(), "t", []edit{e}, codegen.Skips{}); err == nil {
			t.Errorf("%s: the edit was made", name)
		}
	}
	tmpl = parse()
	if err := applyEdits(tmpl, "t", []edit{{"read-parents", "never(", "done("}}, codegen.Skips{"read-parents": true}); err != nil || run(tmpl, "a") != "x := limit(1)y := once(2)" {
		t.Errorf("a change left out: %v, %q", err, run(tmpl, "a"))
	}
}
