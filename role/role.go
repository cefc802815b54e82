// Package role defines project roles and their order.
package role

import (
	"fmt"
	"io"
	"strconv"
)

// Role is a user's role on a project: VIEWER < MODERATOR < EDITOR < MANAGER.
type Role string

// The project roles, lowest first.
const (
	Viewer    Role = "VIEWER"
	Moderator Role = "MODERATOR"
	Editor    Role = "EDITOR"
	Manager   Role = "MANAGER"
)

// All lists every role, lowest first.
var All = []Role{Viewer, Moderator, Editor, Manager}

// Values lists the role names for ent's enum field.
func (Role) Values() []string {
	vals := make([]string, len(All))
	for i, r := range All {
		vals[i] = string(r)
	}
	return vals
}

// Rank orders roles: 0 for none or unknown, then 1 (VIEWER) to 4 (MANAGER).
func (r Role) Rank() int {
	for i, known := range All {
		if r == known {
			return i + 1
		}
	}
	return 0
}

// AtLeast reports whether r is min or higher.
func (r Role) AtLeast(min Role) bool { return r.Rank() >= min.Rank() && r.Rank() > 0 }

// Max returns the higher of two roles.
func Max(a, b Role) Role {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || Role(s).Rank() == 0 {
		return fmt.Errorf("%v is not a valid ProjectRole", v)
	}
	*r = Role(s)
	return nil
}
