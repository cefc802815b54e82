package token_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"engage/ent/auditevent"
	"engage/rule"
	"engage/testdb"
	"engage/token"
)

// TestMintDescription: a token keeps the description it was minted with,
// trimmed, and one longer than 500 characters (of any size) is refused.
func TestMintDescription(t *testing.T) {
	db := testdb.Open(t)
	ctx := rule.System(context.Background())
	owner := db.Ent.User.Create().SetEmail("ada@example.test").SetName("Ada").SetRole("ADMIN").SaveX(ctx)

	tok, _, err := token.Mint(ctx, db.Ent, token.Spec{OwnerID: owner.ID, Name: "export", Description: "  Nightly export to the warehouse \n"}, token.Actor{})
	if err != nil {
		t.Fatalf("Mint with a description: %v", err)
	}
	if got, want := db.Ent.APIToken.GetX(ctx, tok.ID).Description, "Nightly export to the warehouse"; got != want {
		t.Errorf("description: got %q, want %q", got, want)
	}

	longest := strings.Repeat("é", 500) // 1,000 bytes
	if _, _, err := token.Mint(ctx, db.Ent, token.Spec{OwnerID: owner.ID, Name: "longest", Description: longest}, token.Actor{}); err != nil {
		t.Errorf("Mint with 500 two-byte characters: got %v, want nil", err)
	}
	_, _, err = token.Mint(ctx, db.Ent, token.Spec{OwnerID: owner.ID, Name: "too long", Description: longest + "e"}, token.Actor{})
	if !errors.Is(err, token.ErrInvalidSpec) {
		t.Errorf("Mint with 501 characters: got %v, want token.ErrInvalidSpec", err)
	}
}

// TestRenameDescription: a rename with a description replaces it, trimmed;
// without one it keeps it; an empty one removes it; one over 500
// characters is refused and changes nothing. The audit event says what
// was set.
func TestRenameDescription(t *testing.T) {
	db := testdb.Open(t)
	ctx := rule.System(context.Background())
	owner := db.Ent.User.Create().SetEmail("ada@example.test").SetName("Ada").SetRole("ADMIN").SaveX(ctx)
	tok, _, err := token.Mint(ctx, db.Ent, token.Spec{OwnerID: owner.ID, Name: "export", Description: "Nightly"}, token.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	text := func(s string) *string { return &s }
	for _, c := range []struct {
		name        string
		description *string
		want        string
	}{
		{"export (finance)", text("  Nightly export to the warehouse \n"), "Nightly export to the warehouse"},
		{"export", nil, "Nightly export to the warehouse"},
		{"export", text(""), ""},
	} {
		got, err := token.Rename(ctx, db.Ent, tok.ID, c.name, c.description, token.Actor{UserID: owner.ID})
		if err != nil || got.Name != c.name || got.Description != c.want || db.Ent.APIToken.GetX(ctx, tok.ID).Description != c.want {
			t.Errorf("Rename(%q, %v): got %+v, %v; want the description %q", c.name, c.description, got, err, c.want)
		}
	}
	var details []string
	for _, e := range db.Ent.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionTOKEN_RENAMED)).AllX(ctx) {
		details = append(details, fmt.Sprint(e.Details))
	}
	slices.Sort(details)
	if want := []string{"map[description: name:export]", "map[description:Nightly export to the warehouse name:export (finance)]", "map[name:export]"}; !slices.Equal(details, want) {
		t.Errorf("the renames' audit details: %q, want %q", details, want)
	}
	if _, err := token.Rename(ctx, db.Ent, tok.ID, "renamed", text(strings.Repeat("e", 501)), token.Actor{}); !errors.Is(err, token.ErrInvalidSpec) {
		t.Errorf("Rename with 501 characters: got %v, want token.ErrInvalidSpec", err)
	}
	if got := db.Ent.APIToken.GetX(ctx, tok.ID).Name; got != "export" {
		t.Errorf("a refused rename changed the name to %q", got)
	}
}
