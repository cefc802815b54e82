// Package examples is the library of example operations shown on the
// /docs/api page: per area of the API, files that hold an operation with a
// short header, its variables, and its response recorded on the demo data.
//
// An example named NAME in area AREA is up to three files:
//
//	AREA/NAME.graphql        the header, then the operation
//	AREA/NAME.variables.json the variables, if any
//	AREA/NAME.response.json  the response on the demo data, as the demo admin
//
// The header is a block of comment lines at the top of NAME.graphql:
//
//	# Title: Rename a token
//	# Description: Gives a token a new name; its secret stays the same.
//	#   Lines indented after the key continue it.
//	# Setup: token
//	# Masked: prefix, updatedAt
//	# Note: Replace <token-id> with the ID of one of your tokens.
//
// Title and Description are required. Setup "token" makes the runner mint a
// token named "Nightly export" first and put its ID wherever the variables
// say "<token-id>". Masked lists the JSON keys whose values are random by
// nature (secrets, prefixes, new IDs, timestamps of now): the recorded
// response shows "<key>" in their place, and a run matches it when those
// values are non-empty strings (for "secret": a well-formed token secret).
//
// The test suite runs every example on freshly loaded demo data and compares
// its response with the recorded one; `go run ./web/examples/record`
// records them again.
package examples

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// files holds the example library of this package's folder.
//
//go:embed */*.graphql */*.json
var files embed.FS

// FS returns the example files, as embedded in the binary.
func FS() fs.FS { return files }

// TokenPlaceholder is what the variables of a "Setup: token" example say in
// place of the ID of the token that the setup mints.
const TokenPlaceholder = "<token-id>"

// SetupToken is the Setup of examples that need a token of the caller.
const SetupToken = "token"

// Example is one example operation.
type Example struct {
	Area        string   // the folder: projects, surveys, maps, tokens or users
	Name        string   // the file name without extension
	Title       string   // a short title
	Description string   // what the operation does and when to use it
	Note        string   // what a reader must change before running it, if anything
	Setup       string   // "" or SetupToken
	Masked      []string // JSON keys whose values are random by nature
	Operation   string   // the GraphQL document, without the header
	Mutation    bool     // whether the operation is a mutation
	// Variables is the JSON object of variables, or nil when there are none.
	Variables json.RawMessage
	// Response is the recorded response, or nil when none is recorded yet.
	Response json.RawMessage
}

// Key is the example's area and name, such as "tokens/rename-token".
func (e Example) Key() string { return e.Area + "/" + e.Name }

// Load reads the examples embedded in the binary.
func Load() ([]Example, error) { return LoadFS(files) }

// LoadFS reads every example in fsys, ordered by area and name.
func LoadFS(fsys fs.FS) ([]Example, error) {
	paths, err := fs.Glob(fsys, "*/*.graphql")
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	var out []Example
	for _, p := range paths {
		e, err := load(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("example %s: %w", p, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func load(fsys fs.FS, p string) (Example, error) {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Example{}, err
	}
	e := Example{Area: path.Dir(p), Name: strings.TrimSuffix(path.Base(p), ".graphql")}
	header, op := splitHeader(string(src))
	for key, value := range header {
		switch key {
		case "title":
			e.Title = value
		case "description":
			e.Description = value
		case "note":
			e.Note = value
		case "setup":
			e.Setup = value
		case "masked":
			for k := range strings.SplitSeq(value, ",") {
				if k = strings.TrimSpace(k); k != "" {
					e.Masked = append(e.Masked, k)
				}
			}
		default:
			return e, fmt.Errorf("unknown header key %q", key)
		}
	}
	switch {
	case e.Title == "" || e.Description == "":
		return e, errors.New("the header needs a Title and a Description")
	case e.Setup != "" && e.Setup != SetupToken:
		return e, fmt.Errorf("unknown Setup %q, want %q", e.Setup, SetupToken)
	case strings.TrimSpace(op) == "":
		return e, errors.New("no operation after the header")
	}
	e.Operation = strings.TrimSpace(op) + "\n"
	e.Mutation = strings.HasPrefix(strings.TrimSpace(op), "mutation")
	base := strings.TrimSuffix(p, ".graphql")
	if e.Variables, err = readJSON(fsys, base+".variables.json"); err != nil {
		return e, err
	}
	if e.Response, err = readJSON(fsys, base+".response.json"); err != nil {
		return e, err
	}
	return e, nil
}

// splitHeader parses the leading comment block of src into lowercase keys
// and values, and returns the rest of src.
func splitHeader(src string) (map[string]string, string) {
	header := map[string]string{}
	key := ""
	lines := strings.SplitAfter(src, "\n")
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		if !strings.HasPrefix(line, "#") {
			break
		}
		text := strings.TrimPrefix(line, "#")
		if k, v, ok := strings.Cut(strings.TrimSpace(text), ":"); ok && !strings.HasPrefix(text, "   ") && !strings.Contains(k, " ") {
			key = strings.ToLower(k)
			header[key] = strings.TrimSpace(v)
			continue
		}
		if key != "" && strings.TrimSpace(text) != "" {
			header[key] += " " + strings.TrimSpace(text)
		}
	}
	return header, strings.Join(lines[i:], "")
}

// readJSON returns the JSON file at p, checked and compacted for display by
// the caller, or nil when there is no such file.
func readJSON(fsys fs.FS, p string) (json.RawMessage, error) {
	b, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s is not valid JSON", p)
	}
	return bytes.TrimSpace(b), nil
}
