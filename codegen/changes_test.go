package codegen

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeNamesEveryChange checks that README.md's table gives each
// change that can be left out, by the name ENGAGE_CODEGEN_SKIP takes.
func TestReadmeNamesEveryChange(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Changes {
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README.md has no row for the change %q", name)
		}
	}
}

// TestSkippedRefusesUnknownNames checks that ENGAGE_CODEGEN_SKIP is read
// as a list of changes, and that a name of no change is an error.
func TestSkippedRefusesUnknownNames(t *testing.T) {
	t.Setenv(SkipVariable, " slice-in-order,read-parents ,")
	skips, err := Skipped()
	if err != nil || len(skips) != 2 || !skips.Has("slice-in-order") || !skips.Has("read-parents") || skips.Has("struct-fields") {
		t.Errorf("got %v, %v; want slice-in-order and read-parents", skips, err)
	}
	t.Setenv(SkipVariable, "slice-in-order,sliceinorder")
	if _, err := Skipped(); err == nil {
		t.Errorf("a misspelt name was accepted")
	}
}
