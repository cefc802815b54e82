// Package viewer carries the authenticated caller of a request in its context.
//
// Authentication middleware puts a Viewer in the context; the privacy rules in
// package rule read it. A context without a Viewer is anonymous and is denied
// everything.
package viewer

import (
	"context"
	"time"

	"engage/role"
)

// Viewer is the caller: a user, acting through a session or an API token.
type Viewer struct {
	// UserID is the ID of the user the request acts for.
	UserID string
	// Admin is true when the user has the ADMIN role.
	Admin bool
	// APIAccess is true when the user may mint API tokens (always for ADMIN).
	APIAccess bool
	// TokenID is the API token used, empty for a session.
	TokenID string
	// ReadOnly forbids every mutation (a read-only token).
	ReadOnly bool
	// AllowedProjects, when not nil, limits the token to these project IDs.
	AllowedProjects []string
	// TokenExpiresAt is when the token used expires, nil for never.
	TokenExpiresAt *time.Time
	// ProjectRoles are the user's ProjectMembership roles, by project ID.
	ProjectRoles map[string]role.Role
	// TeamRoles are the user's TeamMembership roles, by team ID.
	TeamRoles map[string]role.Role
	// ManagedProjects are the projects on which the user is MANAGER through
	// a membership (of the project or of its team).
	ManagedProjects map[string]bool
	// IP is the client address of the request, for the audit trail.
	IP string
}

// Restricted reports whether the request may reach only some projects.
func (v *Viewer) Restricted() bool { return v.AllowedProjects != nil }

type ctxKey struct{}

// NewContext returns a copy of ctx that carries v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or nil when the request is anonymous.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}
