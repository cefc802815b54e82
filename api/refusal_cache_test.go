package api_test

import (
	"net/http"
	"testing"

	"engage/ent/auditevent"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/testdb"
	"engage/token"
)

// TestRefusedTokensAreCached: once a well-formed token has been refused, the
// same request is refused the same way without any SQL statement, so that a
// flood of bad tokens does not reach the database; revoked tokens are still
// audited as before; and a committed change (here, reactivating the owner)
// makes the next request read the database again.
func TestRefusedTokensAreCached(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	revokedTok, revoked := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "revoked"})
	if _, err := token.Revoke(ctx, h.DB.Ent, revokedTok.ID, token.Actor{}); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	inactive := h.NewUser("inactive@example.test", user.RoleSTAFF, true, false)
	inactiveSecret := h.Mint(token.Spec{OwnerID: inactive.ID, Name: "inactive owner"})

	const query = `{ __typename }` // needs no query of its own
	for _, c := range []struct{ name, secret, message string }{
		{"unknown token", token.Generate(), "not valid"},
		{"revoked token", revoked, "revoked"},
		{"owner deactivated", inactiveSecret, "deactivated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := checkUnauthenticated(t, h.DoRaw(c.secret, query, nil), c.message)
			before := h.Statements.Count()
			second := checkUnauthenticated(t, h.DoRaw(c.secret, query, nil), c.message)
			if n := h.Statements.Count() - before; n != 0 {
				t.Errorf("refusing it again took %d SQL statements, want none", n)
			}
			if first != second {
				t.Errorf("messages differ: first %q, second %q", first, second)
			}
		})
	}

	t.Run("revoked token audited as before", func(t *testing.T) {
		n := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(revokedTok.ID), auditevent.ActionEQ(auditevent.ActionTOKEN_REFUSED)).CountX(ctx)
		if n != 1 {
			t.Errorf("TOKEN_REFUSED events: got %d, want 1", n)
		}
	})

	t.Run("reactivated owner", func(t *testing.T) {
		// Through ent, whose hook moves the change epoch as for any change.
		h.DB.Ent.User.UpdateOneID(inactive.ID).SetActive(true).ExecX(ctx)
		resp := h.DoRaw(inactiveSecret, query, nil)
		if resp.Status != http.StatusOK || len(resp.GraphQL(t).Errors) > 0 {
			t.Errorf("after reactivation: got status %d, body %s; want 200 without errors", resp.Status, resp.Body)
		}
	})
}
