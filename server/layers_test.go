package server_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayersImportNoOuterLayer keeps the layers of the HTTP handler apart:
// api, the GraphQL handler, imports no page code and not the composition;
// web, the pages, imports not the composition that mounts them.
func TestLayersImportNoOuterLayer(t *testing.T) {
	for pkg, forbidden := range map[string][]string{
		"engage/api": {"engage/web", "engage/server"},
		"engage/web": {"engage/server"},
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, pkg) { // the package itself comes last
			t.Fatalf("go list -deps %s: got %v, want the package and its dependencies", pkg, deps)
		}
		for _, f := range forbidden {
			for _, dep := range deps {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		}
	}
}
