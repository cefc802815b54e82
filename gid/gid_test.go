package gid_test

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"engage/gid"
)

// wellFormed is the format of a global ID as the package comment states
// it, written independently of Table: a known prefix, an underscore and 22
// base62 characters.
var wellFormed = regexp.MustCompile(`^(` + strings.Join(slices.Sorted(maps.Keys(gid.Tables)), "|") + `)_[0-9A-Za-z]{22}$`)

func TestNewRoundTrips(t *testing.T) {
	for prefix, want := range gid.Tables {
		id := gid.New(prefix)
		if got, err := gid.Table(id); err != nil || got != want {
			t.Errorf("Table(New(%q)) = %q, %v; want %q, nil", prefix, got, err, want)
		}
	}
}

// FuzzTable checks that Table accepts exactly the well-formed IDs, names
// the table of their prefix, and refuses everything else with ErrInvalid,
// whatever the bytes: node lookups and ID arguments pass client input
// straight to it.
func FuzzTable(f *testing.F) {
	for prefix := range gid.Tables {
		id := gid.New(prefix)
		f.Add(id)
		f.Add(id[:len(id)-1])
		f.Add(id + "0")
		f.Add(strings.ToUpper(prefix) + id[len(prefix):])
	}
	for _, s := range []string{"", "_", "prj", "prj_", "prj__4fT9x0QmZb1c8LkPqR2sV", "xyz_4fT9x0QmZb1c8LkPqR2sVw",
		"prj_4fT9x0QmZb1c8LkPqR2sV\x00", "prj_4fT9x0QmZb1c8LkPqR2sVé", "prj_4fT9x0QmZb1c8LkPq_2sVw", " prj_4fT9x0QmZb1c8LkPqR2sVw"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		table, err := gid.Table(id)
		if want := wellFormed.MatchString(id); want != (err == nil) {
			t.Fatalf("Table(%q) = %q, %v; want accepted: %v", id, table, err, want)
		}
		if err != nil {
			if !errors.Is(err, gid.ErrInvalid) || table != "" {
				t.Fatalf("Table(%q) = %q, %v; want \"\", ErrInvalid", id, table, err)
			}
			return
		}
		prefix, _, _ := strings.Cut(id, "_")
		if want := gid.Tables[prefix]; table != want {
			t.Fatalf("Table(%q) = %q, want %q", id, table, want)
		}
	})
}
