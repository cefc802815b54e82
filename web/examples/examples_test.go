package examples_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"engage/config"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/usage"
	"engage/web/examples"
	"engage/web/examples/runner"
)

// areas are the folders of the library, one per area of the API.
var areas = []string{"projects", "surveys", "maps", "tokens", "users"}

func TestLibraryCoversEveryArea(t *testing.T) {
	exs, err := examples.Load()
	if err != nil {
		t.Fatal(err)
	}
	perArea := map[string]int{}
	ops := ""
	for _, ex := range exs {
		perArea[ex.Area]++
		ops += ex.Operation
		if !slices.Contains(areas, ex.Area) {
			t.Errorf("%s: got area %q, want one of %v", ex.Key(), ex.Area, areas)
		}
		if ex.Response == nil {
			t.Errorf("%s: no recorded response; run go run ./web/examples/record", ex.Key())
		}
		needsToken := strings.Contains(string(ex.Variables), examples.TokenPlaceholder)
		if needsToken && ex.Setup != examples.SetupToken {
			t.Errorf("%s: the variables mention %s but Setup is %q, want %q", ex.Key(), examples.TokenPlaceholder, ex.Setup, examples.SetupToken)
		}
		if needsToken && !strings.Contains(ex.Note, examples.TokenPlaceholder) {
			t.Errorf("%s: the Note must tell readers to replace %s", ex.Key(), examples.TokenPlaceholder)
		}
	}
	for _, a := range areas {
		if perArea[a] < 3 {
			t.Errorf("area %s: got %d examples, want at least 3", a, perArea[a])
		}
	}
	for _, m := range []string{"createAPIToken", "renameAPIToken", "rotateAPIToken", "revokeAPIToken"} {
		if !strings.Contains(ops, m+"(") {
			t.Errorf("no example runs %s", m)
		}
	}
	// The analyst's deep query: projects → surveys → responses → answers.
	deep := regexp.MustCompile(`(?s)projects\(.*surveys\(.*responses\(.*answers\(`)
	if !deep.MatchString(ops) {
		t.Error("no example nests projects → surveys → responses → answers")
	}
}

// TestExamplesRunOnDemoData runs every example as the demo administrator on
// freshly loaded demo data and compares its response with the recorded one.
func TestExamplesRunOnDemoData(t *testing.T) {
	exs, err := examples.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler := server.New(server.Deps{
		DB: db, Config: config.Default(), Logger: logger,
		Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger),
	})
	ctx := context.Background()
	env, err := runner.Setup(ctx, handler, db.Ent)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range runner.Order(exs) {
		t.Run(ex.Key(), func(t *testing.T) {
			resp, err := env.Run(ctx, ex)
			if err != nil {
				t.Fatal(err)
			}
			got, err := examples.Mask(resp, ex.Masked)
			if err != nil {
				t.Fatal(err)
			}
			want, err := examples.Mask(ex.Response, nil)
			if err != nil {
				t.Fatalf("the recorded response: %v", err)
			}
			if string(got) != string(want) {
				t.Errorf("the response differs from %s.response.json (re-record with go run ./web/examples/record if the change is intended):\n%s",
					ex.Key(), diff(string(got), string(want)))
			}
		})
	}
}

// diff shows the first line where got and want differ, with some context.
func diff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		gl, wl := line(g, i), line(w, i)
		if gl != wl {
			from := max(0, i-3)
			return "line " + strconv.Itoa(i+1) + ":\n got  " + gl + "\n want " + wl + "\ncontext (got):\n" + strings.Join(g[from:min(len(g), i+3)], "\n")
		}
	}
	return "(no line differs)"
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end>"
}
