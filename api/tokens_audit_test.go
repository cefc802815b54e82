package api_test

// Who sees which API tokens and the audit events about them, what the
// audit trail records, and the usage counters (PRODUCT.md section 3).

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/testdb"
	"engage/token"
)

// TestTokenAndAuditVisibility: owners see their tokens and the events about
// them; ADMINs see all; no field exposes the secret or its hash.
func TestTokenAndAuditVisibility(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	admin := h.Admin()
	adminID := userID(h, apitest.AdminEmail)
	alice := h.NewUser("alice@example.test", user.RoleSTAFF, true, true)
	bob := h.NewUser("bob@example.test", user.RoleSTAFF, true, true)
	aliceSecret := h.Mint(token.Spec{OwnerID: alice.ID, Name: "alice 1"})
	createToken(h, aliceSecret, map[string]any{"name": "alice 2"})
	bobTok, bobSecret := h.MintToken(token.Spec{OwnerID: bob.ID, Name: "bob 1"})
	createToken(h, bobSecret, map[string]any{"name": "bob 2"})
	// An ADMIN acts on Bob's token: the event is about Bob's token.
	h.MustDo(admin, `mutation($id: ID!) { renameAPIToken(id: $id, name: "bob 1, renamed") { id } }`, map[string]any{"id": bobTok.ID}, nil)

	type tokens struct {
		APITokens struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID    string
					Owner struct{ ID string }
				}
			}
		}
	}
	tokenOwners := func(secret string) map[string]string {
		t.Helper()
		var out tokens
		h.MustDo(secret, `{ apiTokens(first: 100) { totalCount edges { node { id owner { id } } } } }`, nil, &out)
		got := map[string]string{}
		for _, e := range out.APITokens.Edges {
			got[e.Node.ID] = e.Node.Owner.ID
		}
		if out.APITokens.TotalCount != len(got) {
			t.Errorf("apiTokens totalCount %d, but %d listed", out.APITokens.TotalCount, len(got))
		}
		return got
	}
	dbTokens := func(owners ...string) map[string]string {
		q := h.DB.Ent.APIToken.Query()
		if owners != nil {
			q.Where(apitoken.OwnerIDIn(owners...))
		}
		out := map[string]string{}
		for _, tok := range q.AllX(ctx) {
			out[tok.ID] = tok.OwnerID
		}
		return out
	}

	t.Run("STAFF see their own tokens", func(t *testing.T) {
		if got, want := tokenOwners(aliceSecret), dbTokens(alice.ID); !reflect.DeepEqual(got, want) || len(want) != 2 {
			t.Errorf("apiTokens of Alice: got %v, want %v", got, want)
		}
		var out struct{ Viewer tokens }
		h.MustDo(aliceSecret, `{ viewer { apiTokens { totalCount } } }`, nil, &out)
		if out.Viewer.APITokens.TotalCount != 2 {
			t.Errorf("viewer.apiTokens of Alice: totalCount %d, want 2", out.Viewer.APITokens.TotalCount)
		}
		if nodeVisible(t, h, aliceSecret, bobTok.ID) {
			t.Errorf("Alice sees Bob's token through node")
		}
	})

	t.Run("ADMIN sees every token with its owner", func(t *testing.T) {
		want := dbTokens()
		if got := tokenOwners(admin); !reflect.DeepEqual(got, want) {
			t.Errorf("apiTokens of the admin: got %v, want %v", got, want)
		}
		if len(want) != 5 || !slices.Contains(mapsValues(want), adminID) {
			t.Errorf("set-up: want 5 tokens including the admin's, have %v", want)
		}
	})

	events := func(secret string) []string {
		t.Helper()
		var out struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		h.MustDo(secret, `{ auditEvents(first: 100) { totalCount edges { node { id action token { id } } } } }`, nil, &out)
		var ids []string
		for _, e := range out.AuditEvents.Edges {
			ids = append(ids, e.Node.ID)
		}
		if out.AuditEvents.TotalCount != len(ids) {
			t.Errorf("auditEvents totalCount %d, but %d listed", out.AuditEvents.TotalCount, len(ids))
		}
		slices.Sort(ids)
		return ids
	}
	dbEvents := func(owner string) []string {
		q := h.DB.Ent.AuditEvent.Query()
		if owner != "" {
			q.Where(auditevent.HasTokenWith(apitoken.OwnerID(owner)))
		}
		ids := q.IDsX(ctx)
		slices.Sort(ids)
		return ids
	}

	t.Run("ADMIN sees every audit event", func(t *testing.T) {
		if got, want := events(admin), dbEvents(""); !slices.Equal(got, want) {
			t.Errorf("auditEvents of the admin: got %v, want %v", got, want)
		}
	})

	t.Run("owners see the events about their tokens", func(t *testing.T) {
		for name, u := range map[string]struct {
			id, secret string
			want       int
		}{"Alice": {alice.ID, aliceSecret, 2}, "Bob": {bob.ID, bobSecret, 3}} {
			want := dbEvents(u.id)
			if got := events(u.secret); !slices.Equal(got, want) || len(want) != u.want {
				t.Errorf("auditEvents of %s: got %v, want %v (%d events)", name, got, want, u.want)
			}
		}
	})

	t.Run("APIToken has no secret or hash field", func(t *testing.T) {
		var out struct {
			Type struct{ Fields []struct{ Name string } } `json:"__type"`
		}
		h.MustDo(aliceSecret, `{ __type(name: "APIToken") { fields { name } } }`, nil, &out)
		if len(out.Type.Fields) == 0 {
			t.Fatal("introspection found no fields on APIToken")
		}
		for _, f := range out.Type.Fields {
			if name := strings.ToLower(f.Name); strings.Contains(name, "secret") || strings.Contains(name, "hash") {
				t.Errorf("APIToken has a field %q", f.Name)
			}
		}
	})
}

func mapsValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestTokenAuditTrail: each change of a token is audited once with who did
// it and from where; refused uses of revoked and expired tokens are audited,
// boundedly.
func TestTokenAuditTrail(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	own := h.Mint(token.Spec{OwnerID: staff.ID, Name: "own"})

	c := createToken(h, own, map[string]any{"name": "audited"})
	h.MustDo(own, `mutation($id: ID!) { renameAPIToken(id: $id, name: "audited, renamed") { id } }`, map[string]any{"id": c.Token.ID}, nil)
	revoked := rotateToken(h, own, c.Token.ID).Secret // the secret the revoked token had last
	h.MustDo(own, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": c.Token.ID}, nil)

	t.Run("create, rename, rotate, revoke", func(t *testing.T) {
		got := map[auditevent.Action]int{}
		for _, e := range h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(c.Token.ID)).AllX(ctx) {
			got[e.Action]++
			if e.ActorID == nil || *e.ActorID != staff.ID || e.IP != clientIP {
				actor := "<none>"
				if e.ActorID != nil {
					actor = *e.ActorID
				}
				t.Errorf("%s event: actor %s, ip %q; want actor %s, ip %s", e.Action, actor, e.IP, staff.ID, clientIP)
			}
		}
		want := map[auditevent.Action]int{
			auditevent.ActionTOKEN_CREATED: 1, auditevent.ActionTOKEN_RENAMED: 1,
			auditevent.ActionTOKEN_ROTATED: 1, auditevent.ActionTOKEN_REVOKED: 1,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events: got %v, want %v", got, want)
		}
	})

	expiredTok, expired := storeToken(h, staff.ID, "expired", ptr(time.Now().Add(-time.Hour)))

	for _, tc := range []struct {
		name, id, secret, reason string
	}{
		{"the revoked token", c.Token.ID, revoked, "revoked"},
		{"an expired token", expiredTok.ID, expired, "expired"},
	} {
		t.Run("30 uses of "+tc.name, func(t *testing.T) {
			for range 30 {
				if resp := h.DoRaw(tc.secret, `{ viewer { user { id } } }`, nil); resp.Status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.Status)
				}
			}
			refused := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(tc.id), auditevent.ActionEQ(auditevent.ActionTOKEN_REFUSED)).AllX(ctx)
			if len(refused) != 1 {
				t.Fatalf("TOKEN_REFUSED events: got %d, want 1", len(refused))
			}
			if e := refused[0]; e.IP != clientIP || e.Details["reason"] != tc.reason {
				t.Errorf("TOKEN_REFUSED event: ip %q, details %v; want ip %s, reason %s", e.IP, e.Details, clientIP, tc.reason)
			}
		})
	}
}

// TestUsageCounters: uses are counted in memory and written by Flush, not
// on every request.
func TestUsageCounters(t *testing.T) {
	h := apitest.New(t)
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	tok, secret := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "counted"})
	for i := range 5 {
		var out struct {
			Viewer struct {
				Token struct {
					UseCount   int
					LastUsedAt *time.Time
				}
			}
		}
		h.MustDo(secret, `{ viewer { token { useCount lastUsedAt } } }`, nil, &out)
		if out.Viewer.Token.UseCount != 0 || out.Viewer.Token.LastUsedAt != nil {
			t.Errorf("request %d reads useCount %d, lastUsedAt %v; want 0 and null before a flush", i+1, out.Viewer.Token.UseCount, out.Viewer.Token.LastUsedAt)
		}
	}
	stored := h.DB.Ent.APIToken.GetX(testdb.System(), tok.ID)
	if stored.UseCount != 0 || stored.LastUsedAt != nil || stored.LastUsedIP != nil {
		t.Errorf("before a flush: use_count %d, last_used_at %v, last_used_ip %v; want 0 and nulls", stored.UseCount, stored.LastUsedAt, stored.LastUsedIP)
	}
	if err := h.Usage.Flush(context.Background()); err != nil {
		t.Fatalf("flush: %v", err)
	}
	stored = h.DB.Ent.APIToken.GetX(testdb.System(), tok.ID)
	if stored.UseCount != 5 || stored.LastUsedAt == nil || stored.LastUsedIP == nil || *stored.LastUsedIP != clientIP {
		t.Errorf("after a flush: use_count %d, last_used_at %v, last_used_ip %v; want 5, a time, %s", stored.UseCount, stored.LastUsedAt, stored.LastUsedIP, clientIP)
	}
}
