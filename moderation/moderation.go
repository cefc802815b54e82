// Package moderation defines the moderation status of public contributions
// (pins and comments).
package moderation

import (
	"fmt"
	"io"
	"strconv"
)

// Status is where a pin or comment stands in moderation.
type Status string

// The moderation statuses.
const (
	Pending   Status = "PENDING"
	Published Status = "PUBLISHED"
	Rejected  Status = "REJECTED"
	Hidden    Status = "HIDDEN"
)

// All lists every status.
var All = []Status{Pending, Published, Rejected, Hidden}

// Values lists the status names for ent's enum field.
func (Status) Values() []string {
	vals := make([]string, len(All))
	for i, s := range All {
		vals[i] = string(s)
	}
	return vals
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s Status) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *Status) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if ok {
		for _, known := range All {
			if Status(str) == known {
				*s = known
				return nil
			}
		}
	}
	return fmt.Errorf("%v is not a valid ModerationStatus", v)
}
