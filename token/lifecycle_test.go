package token_test

import (
	"context"
	"errors"
	"strings"
	"testing"

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
