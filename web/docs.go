package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"engage/graph"
	"engage/web/examples"
)

// DocsAssetsPath is where the built GraphiQL page's files are served.
const DocsAssetsPath = "/docs/assets/"

// docsCSP is the Content-Security-Policy of /docs/api. Scripts, workers,
// fonts and stylesheets come from this server only, and the page's
// configuration is data in a JSON script tag, not code. Styles also allow
// 'unsafe-inline' because Monaco, GraphiQL's editor, writes <style>
// elements at run time and takes no nonce; and images data: URLs, which
// those styles use for the wavy underline of an error in the editor (data:
// images run no code).
const docsCSP = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// defaultQuery is what a new visitor finds in the editor.
// Its lines are short enough for the editor's width at 1280 pixels, beside
// the panel and the response, and on a phone.
const defaultQuery = `# Welcome to the Engage API.
#
# Queries run as you, with your
# login session. To try an API
# token, open Headers below and
# enter:
# {"Authorization":
#  "Bearer eng_…"}
#
# The panel on the left groups
# the API by area and has
# examples; Docs has every type
# and field. Run with Ctrl+Enter
# (⌘+Enter on a Mac).
query WhoAmI {
  viewer {
    user {
      name
      email
      role
    }
    token {
      name
    }
  }
}
`

// docsConfig is the configuration of the /docs/api page, rendered into it as
// JSON for the script (see docs/ui/src/config.js).
type docsConfig struct {
	Endpoint     string            `json:"endpoint"`
	Workers      map[string]string `json:"workers"`
	DefaultQuery string            `json:"defaultQuery"`
	Areas        []area            `json:"areas"`
}

// exampleDoc is an example as the page shows it.
type exampleDoc struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Note        string `json:"note"`
	Query       string `json:"query"`
	Variables   string `json:"variables"`
	Response    string `json:"response"`
}

// buildDocsConfig groups the schema by area and adds the example library.
func buildDocsConfig() (docsConfig, error) {
	areas, _ := groupSchema(graph.NewSchema(nil, 0).Schema())
	exs, err := examples.Load()
	if err != nil {
		return docsConfig{}, err
	}
	if err := addExamples(areas, exs); err != nil {
		return docsConfig{}, err
	}
	for i := range areas {
		// Empty lists are [] in the JSON, not null, for the script's sake.
		a := &areas[i]
		a.Queries, a.Mutations = nonNil(a.Queries), nonNil(a.Mutations)
		a.Types, a.Examples, a.Exports = nonNil(a.Types), nonNil(a.Examples), nonNil(a.Exports)
	}
	return docsConfig{
		Endpoint: "/graphql",
		Workers: map[string]string{
			"editor":  DocsAssetsPath + "workers/editor.worker.js",
			"json":    DocsAssetsPath + "workers/json.worker.js",
			"graphql": DocsAssetsPath + "workers/graphql.worker.js",
		},
		DefaultQuery: defaultQuery,
		Areas:        areas,
	}, nil
}

// addExamples adds each example to its area: queries first, then
// mutations, each in file name order.
func addExamples(areas []area, exs []examples.Example) error {
	slices.SortStableFunc(exs, func(a, b examples.Example) int {
		switch {
		case a.Mutation == b.Mutation:
			return 0
		case a.Mutation:
			return 1
		default:
			return -1
		}
	})
	byKey := map[string]int{}
	for i, a := range areas {
		byKey[a.Key] = i
	}
	for _, ex := range exs {
		i, ok := byKey[ex.Area]
		if !ok {
			return fmt.Errorf("example %s: no area %q", ex.Key(), ex.Area)
		}
		areas[i].Examples = append(areas[i].Examples, exampleDoc{
			Name: ex.Name, Title: ex.Title, Description: ex.Description, Note: ex.Note,
			Query: ex.Operation, Variables: indent(ex.Variables), Response: indent(ex.Response),
		})
	}
	return nil
}

// nonNil returns xs, or an empty slice for nil.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// indent returns a JSON value indented by two spaces, or "" for none.
func indent(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// docsData fills templates/docs.html.
type docsData struct {
	layout
	Config     docsConfig
	AssetsPath string
}

// docsPage serves GraphiQL to signed-in users.
func (p *Pages) docsPage(w http.ResponseWriter, r *http.Request) {
	u, ok := p.requireUser(w, r)
	if !ok {
		return
	}
	cfg, err := p.docsConfig()
	if err != nil {
		p.serverError(w, r, "building the docs page", err)
		return
	}
	p.renderPage(w, r, http.StatusOK, "docs.html", docsCSP, docsData{
		layout:     layout{User: u, Page: "docs", Title: "API documentation"},
		Config:     cfg,
		AssetsPath: DocsAssetsPath,
	})
}
