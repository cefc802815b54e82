package examples

import (
	"testing"
	"testing/fstest"

	"engage/token"
)

func TestMask(t *testing.T) {
	secret := token.Generate()
	in := `{"data":{"t":{"secret":"` + secret + `","id":"tok_x","name":"A <b> & c","n":1.50,"ok":true,"none":null,"list":[{"id":"a"},{"id":""}],"empty":{}}}}`
	want := `{
  "data": {
    "t": {
      "secret": "<secret>",
      "id": "<id>",
      "name": "A <b> & c",
      "n": 1.50,
      "ok": true,
      "none": null,
      "list": [
        {
          "id": "<id>"
        },
        {
          "id": ""
        }
      ],
      "empty": {}
    }
  }
}
`
	got, err := Mask([]byte(in), []string{"secret", "id"})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("Mask:\ngot  %s\nwant %s", got, want)
	}
}

func TestMaskChecksSecrets(t *testing.T) {
	got, err := Mask([]byte(`{"secret":"not-a-token"}`), []string{"secret"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"secret\": \"not-a-token\"\n}\n"; string(got) != want {
		t.Errorf("a malformed secret: got %q, want it left as it is: %q", got, want)
	}
}

func TestMaskRefusesBadJSON(t *testing.T) {
	for _, in := range []string{`{"a":`, `{} {}`, ``} {
		if _, err := Mask([]byte(in), nil); err == nil {
			t.Errorf("Mask(%q): got no error, want one", in)
		}
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"tokens/rename.graphql":        {Data: []byte("# Title: Rename\n# Description: Renames a token;\n#   it keeps its secret.\n# Setup: token\n# Masked: id, prefix\n# Note: Replace <token-id>.\n\nmutation R($id: ID!) {\n  renameAPIToken(id: $id, name: \"x\") { id }\n}\n")},
		"tokens/rename.variables.json": {Data: []byte(`{"id": "<token-id>"}`)},
		"tokens/rename.response.json":  {Data: []byte("{\"data\": {}}\n")},
	}
	exs, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 1 {
		t.Fatalf("got %d examples, want 1", len(exs))
	}
	e := exs[0]
	if e.Key() != "tokens/rename" || e.Title != "Rename" || e.Description != "Renames a token; it keeps its secret." ||
		e.Setup != SetupToken || len(e.Masked) != 2 || e.Masked[1] != "prefix" || !e.Mutation ||
		e.Note != "Replace <token-id>." || string(e.Variables) != `{"id": "<token-id>"}` || string(e.Response) != `{"data": {}}` {
		t.Errorf("got %+v", e)
	}
	if e.Operation[0] != 'm' {
		t.Errorf("the operation keeps the header: %q", e.Operation)
	}

	for name, src := range map[string]string{
		"no title":    "# Description: x\nquery { a }\n",
		"unknown key": "# Title: t\n# Description: d\n# Colour: red\nquery { a }\n",
		"no op":       "# Title: t\n# Description: d\n",
		"bad setup":   "# Title: t\n# Description: d\n# Setup: magic\nquery { a }\n",
	} {
		if _, err := LoadFS(fstest.MapFS{"a/b.graphql": {Data: []byte(src)}}); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}
