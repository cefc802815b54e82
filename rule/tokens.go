package rule

import (
	"context"
	"slices"
	"time"

	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/predicate"
	"engage/ent/privacy"
	"engage/ent/project"
	"engage/viewer"
)

// MaxActiveTokens is how many live (neither revoked nor expired) tokens one
// user may have.
const MaxActiveTokens = 100

// DenyTokenBeyondLimits refuses, for everyone including administrators:
// a token past the per-user limit of live tokens, and a token minted or
// rotated through a token that would outlive it or reach projects it cannot.
// (A read-only token cannot mint at all: it runs no mutation.)
func DenyTokenBeyondLimits() privacy.MutationRule {
	return privacy.APITokenMutationRuleFunc(func(ctx context.Context, m *ent.APITokenMutation) error {
		v := viewer.FromContext(ctx)
		switch {
		case m.Op().Is(ent.OpCreate):
			owner, _ := m.OwnerID()
			live, err := m.Client().APIToken.Query().Where(apitoken.OwnerID(owner), Live(time.Now())).Count(ctx)
			if err != nil {
				return err
			}
			if live >= MaxActiveTokens {
				return refuse("a user may have at most %d live tokens; revoke one first", MaxActiveTokens)
			}
			projects := m.AllowedProjectsIDs()
			visible, err := visibleAll(ctx, m.Client().Project.Query().Where(project.IDIn(projects...)), projects)
			if err != nil {
				return err
			}
			if !visible {
				return notFound(argIn + "projectIDs") // a token cannot name projects the caller cannot see (for a project-limited token: outside its list)
			}
			expires, _ := m.ExpiresAt()
			return withinCallerToken(v, expiresPtr(expires), projects)
		case m.Op().Is(ent.OpUpdateOne) && v.TokenID != "":
			if _, rotating := m.SecretHash(); !rotating {
				return privacy.Skip // renaming and revoking never widen what a token can do
			}
			id, _ := m.ID()
			target, err := m.Client().APIToken.Query().Where(apitoken.ID(id)).Only(ctx)
			if err != nil {
				return err
			}
			// Every project the token reaches counts, whether the caller
			// sees it or not: a hidden one is the very escalation to refuse.
			projects, err := target.QueryAllowedProjects().IDs(System(ctx))
			if err != nil {
				return err
			}
			return withinCallerToken(v, target.ExpiresAt, projects)
		}
		return privacy.Skip
	})
}

// withinCallerToken refuses a token (new, or rotated to a new secret) that
// would exceed the token of the request: expire later, or reach a project
// the calling token cannot.
func withinCallerToken(v *viewer.Viewer, expires *time.Time, projects []string) error {
	if v.TokenID == "" {
		return privacy.Skip
	}
	if v.TokenExpiresAt != nil && (expires == nil || expires.After(*v.TokenExpiresAt)) {
		return refuse("a token minted with a token cannot expire after it (%s)", v.TokenExpiresAt.UTC().Format(time.RFC3339))
	}
	if v.Restricted() {
		if len(projects) == 0 {
			return refuse("a token minted with a project-limited token must be limited to some of its projects")
		}
		for _, p := range projects {
			if !slices.Contains(v.AllowedProjects, p) {
				return refuse("a token minted with a project-limited token can only reach projects that token reaches")
			}
		}
	}
	return privacy.Skip
}

func expiresPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Live matches tokens that are neither revoked nor expired at now.
func Live(now time.Time) predicate.APIToken {
	return apitoken.And(apitoken.RevokedAtIsNil(), apitoken.Or(apitoken.ExpiresAtIsNil(), apitoken.ExpiresAtGT(now)))
}

// AllowMintingOwnToken lets a user with API access (every administrator
// has it) mint a token for themself, and denies everyone, administrators
// included, a token for someone else: only the system mints those
// (engage token create).
func AllowMintingOwnToken() privacy.MutationRule {
	return privacy.APITokenMutationRuleFunc(func(ctx context.Context, m *ent.APITokenMutation) error {
		if !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		if owner, _ := m.OwnerID(); owner != v.UserID {
			return privacy.Denyf("tokens are minted for oneself")
		}
		if !v.Admin && !v.APIAccess {
			return refuse("your account may not mint API tokens; ask an administrator for API access")
		}
		return privacy.Allow
	})
}

// AllowChangingOwnToken lets owners rename, rotate and revoke their tokens:
// the update only reaches tokens the viewer owns.
func AllowChangingOwnToken() privacy.MutationRule {
	return privacy.APITokenMutationRuleFunc(func(ctx context.Context, m *ent.APITokenMutation) error {
		if !m.Op().Is(ent.OpUpdateOne) {
			return privacy.Skip
		}
		m.Where(apitoken.OwnerID(viewer.FromContext(ctx).UserID))
		return privacy.Allow
	})
}
