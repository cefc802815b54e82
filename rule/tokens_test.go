package rule_test

import (
	"context"
	"testing"
	"time"

	"engage/ent"
	"engage/rule"
	"engage/token"
)

// TestTokenRules checks the mutation policy of API tokens
// (rule/tokens.go): who may mint, the limit of live tokens, that a token
// minted or rotated through a token never exceeds it, and who may rename,
// rotate and revoke.
func TestTokenRules(t *testing.T) {
	w := newWorld(t)
	id := func(name string) string { return w.id(t, name) }

	type mint struct {
		owner    string
		expires  *time.Time
		projects []string
	}
	mints := func(m mint) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			create := newToken(c, id(m.owner)).SetNillableExpiresAt(m.expires)
			for _, p := range m.projects {
				create.AddAllowedProjectIDs(id(p))
			}
			return create.Exec(ctx)
		}
	}
	// holding gives owner, with the system's rights, live tokens past
	// those of the world, and a revoked and an expired one, which do not
	// count, before the write.
	holding := func(owner string, live int, write func(context.Context, *ent.Client) error) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			past := time.Now().Add(-time.Hour)
			creates := []*ent.APITokenCreate{newToken(c, id(owner)).SetRevokedAt(past), newToken(c, id(owner)).SetExpiresAt(past)}
			for range live {
				creates = append(creates, newToken(c, id(owner)))
			}
			c.APIToken.CreateBulk(creates...).ExecX(rule.System(ctx))
			return write(ctx, c)
		}
	}
	rotate := func(tok string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			secret := token.Generate()
			return c.APIToken.UpdateOneID(id(tok)).SetPrefix(token.Display(secret)).SetSecretHash(token.Hash(secret)).Exec(ctx)
		}
	}
	// rotateNew rotates a token of owner made first with the system's
	// rights.
	rotateNew := func(m mint) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			create := newToken(c, id(m.owner)).SetNillableExpiresAt(m.expires)
			for _, p := range m.projects {
				create.AddAllowedProjectIDs(id(p))
			}
			tok := create.SaveX(rule.System(ctx))
			secret := token.Generate()
			return c.APIToken.UpdateOneID(tok.ID).SetPrefix(token.Display(secret)).SetSecretHash(token.Hash(secret)).Exec(ctx)
		}
	}
	rename := func(tok string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.APIToken.UpdateOneID(id(tok)).SetName("renamed").Exec(ctx)
		}
	}
	revoke := func(tok string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			return c.APIToken.UpdateOneID(id(tok)).SetRevokedAt(time.Now()).Exec(ctx)
		}
	}
	later, earlier := tokenExpiry.Add(time.Minute), tokenExpiry.Add(-time.Minute)
	const (
		outlives    = "cannot expire after it"
		widens      = "must be limited to some of its projects"
		beyondLimit = "at most 100 live tokens"
	)

	w.check(t, []write{
		// Who may mint: administrators and users with API access, for
		// themselves only.
		{"outsider", "mints a token (has API access)", mints(mint{owner: "outsider"}), allowed},
		{"administrator", "mints a token", mints(mint{owner: "admin"}), allowed},
		{"viewer", "mints a token (has no API access)", mints(mint{owner: "viewer"}), refused("may not mint API tokens")},
		{"outsider", "mints a token for the manager", mints(mint{owner: "manager"}), denied},
		{"administrator", "mints a token for the outsider", mints(mint{owner: "outsider"}), denied},
		{"read-only token", "mints a token", mints(mint{owner: "editor"}), refused("read-only")},
		{"manager", "mints a token limited to closed", mints(mint{owner: "manager", projects: []string{"closed"}}), allowed},
		{"outsider", "mints a token limited to closed, which they cannot see", mints(mint{owner: "outsider", projects: []string{"closed"}}), notFound("input.projectIDs")},

		// At most 100 live tokens, administrators included; revoked and
		// expired ones do not count.
		{"outsider", "mints a 100th live token", holding("outsider", 98, mints(mint{owner: "outsider"})), allowed},
		{"outsider", "mints a 101st live token", holding("outsider", 99, mints(mint{owner: "outsider"})), refused(beyondLimit)},
		{"administrator", "mints a 101st live token", holding("admin", 99, mints(mint{owner: "admin"})), refused(beyondLimit)},

		// A token minted through a token expires no later and reaches no
		// project that token cannot.
		{"manager's teamless token", "mints a token for teamless expiring with it", mints(mint{"manager", &tokenExpiry, []string{"teamless"}}), allowed},
		{"manager's teamless token", "mints a token for teamless expiring before it", mints(mint{"manager", &earlier, []string{"teamless"}}), allowed},
		{"manager's teamless token", "mints a token for teamless that never expires", mints(mint{"manager", nil, []string{"teamless"}}), refused(outlives)},
		{"manager's teamless token", "mints a token for teamless expiring after it", mints(mint{"manager", &later, []string{"teamless"}}), refused(outlives)},
		{"manager's teamless token", "mints a token for every project", mints(mint{"manager", &earlier, nil}), refused(widens)},
		{"manager's teamless token", "mints a token for closed", mints(mint{"manager", &earlier, []string{"closed"}}), notFound("input.projectIDs")},
		{"manager's teamless token", "mints a token for teamless and closed", mints(mint{"manager", &earlier, []string{"teamless", "closed"}}), notFound("input.projectIDs")},
		{"admin's closed token", "mints a token for every project", mints(mint{owner: "admin"}), refused(widens)},
		{"admin's closed token", "mints a token for closed", mints(mint{"admin", nil, []string{"closed"}}), allowed},

		// Rotating gives a new secret to what a token can do: through a
		// token, only to tokens that do not exceed it.
		{"manager's teamless token", "rotates itself", rotate("manager on teamless"), allowed},
		{"manager's teamless token", "rotates a token of the manager that never expires", rotateNew(mint{"manager", nil, []string{"teamless"}}), refused(outlives)},
		{"manager's teamless token", "rotates a token of the manager for every project", rotateNew(mint{"manager", &earlier, nil}), refused(widens)},
		{"manager's teamless token", "rotates a token of the manager for teamless and closed", rotateNew(mint{"manager", &earlier, []string{"teamless", "closed"}}), refused("can only reach projects that token reaches")},
		{"admin's closed token", "rotates the outsider's token", rotate("outsider token"), refused(widens)},
		{"manager", "rotates a token of their own for every project", rotateNew(mint{owner: "manager"}), allowed},

		// Renaming and revoking: the owner, or an administrator.
		{"editor", "renames their token", rename("editor read-only"), allowed},
		{"manager's teamless token", "renames itself", rename("manager on teamless"), allowed},
		{"editor", "renames the outsider's token", rename("outsider token"), missing},
		{"editor", "revokes the outsider's token", revoke("outsider token"), missing},
		{"administrator", "revokes the outsider's token", revoke("outsider token"), allowed},
		{"administrator", "renames the outsider's token", rename("outsider token"), allowed},
		// A project-limited token of an administrator sees every token
		// but changes only its owner's, like a token of anyone else.
		{"admin's closed token", "revokes the outsider's token", revoke("outsider token"), missing},
		{"admin's closed token", "revokes itself", revoke("admin on closed"), allowed},
		{"read-only token", "revokes itself", revoke("editor read-only"), refused("read-only")},
	})
}
