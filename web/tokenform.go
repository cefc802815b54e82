package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The New token form of /settings/api: what it offers, and how it reads.

// Longest name and description of a token, as package token allows them.
const (
	maxNameLength        = 100
	maxDescriptionLength = 500
)

// expiryPresets are the lifetimes the form offers, in days; the server's
// longest token lifetime may rule some out.
var expiryPresets = []int{7, 30, 60, 90}

// Expiry choices besides a number of days.
const (
	expiryDate  = "date"  // until the end of a chosen day
	expiryNever = "never" // never, where the server allows it
)

// defaultExpiryDays is the lifetime the form starts with: a token is meant
// to expire, and a month is long enough to set up a program and renew it.
const defaultExpiryDays = 30

// tokenForm is the New token form as typed.
type tokenForm struct {
	Name, Description string
	Expiry            string // a number of days from expiryPresets, expiryDate or expiryNever
	ExpiresOn         string // the day, with expiryDate: 2027-06-30
	ReadOnly          bool
	Projects          []string
}

// readTokenForm reads the New token form from its posted values.
func readTokenForm(v url.Values) tokenForm {
	return tokenForm{
		Name:        strings.TrimSpace(v.Get("name")),
		Description: strings.TrimSpace(v.Get("description")),
		Expiry:      v.Get("expiry"),
		ExpiresOn:   strings.TrimSpace(v.Get("expires_on")),
		ReadOnly:    v.Get("read_only") != "",
		Projects:    v["project"],
	}
}

// formError is what to correct in a form, and the field to correct it in
// ("" for the form as a whole).
type formError struct{ Field, Message string }

// On reports whether the error is in field; templates ask it of a nil
// error too.
func (e *formError) On(field string) bool { return e != nil && e.Field == field }

// expiryRules are the expiries the server allows at a moment.
type expiryRules struct {
	now         time.Time     // in UTC
	maxLifetime time.Duration // 0: no limit
}

// allows reports whether a token may live for d.
func (e expiryRules) allows(d time.Duration) bool { return e.maxLifetime <= 0 || d <= e.maxLifetime }

// expiryOption is one choice of the form's expiry.
type expiryOption struct {
	Value, Label string
	Until        string // the day the token would expire, for the label
	Checked      bool
}

// options are the expiries the form offers, chosen marked: the presets the
// server allows, a chosen date and, without a longest lifetime, never.
// With no choice yet, the default is checked, or the longest allowed
// preset.
func (e expiryRules) options(chosen string) []expiryOption {
	var opts []expiryOption
	for _, days := range expiryPresets {
		if e.allows(time.Duration(days) * 24 * time.Hour) {
			opts = append(opts, expiryOption{
				Value: strconv.Itoa(days), Label: strconv.Itoa(days) + " days",
				Until: e.now.Add(time.Duration(days) * 24 * time.Hour).Format("2 Jan 2006"),
			})
		}
	}
	opts = append(opts, expiryOption{Value: expiryDate, Label: "On a date"})
	if e.maxLifetime <= 0 {
		opts = append(opts, expiryOption{Value: expiryNever, Label: "Never"})
	}
	if chosen == "" {
		chosen = defaultChoice(opts)
	}
	for i := range opts {
		opts[i].Checked = opts[i].Value == chosen
	}
	return opts
}

// defaultChoice is the default lifetime when opts offer it, else the
// longest preset they offer, else a date.
func defaultChoice(opts []expiryOption) string {
	choice := expiryDate
	for _, o := range opts {
		if o.Until == "" {
			continue // not a preset
		}
		if choice = o.Value; o.Value == strconv.Itoa(defaultExpiryDays) {
			break
		}
	}
	return choice
}

// firstDay is the earliest day the date field accepts: tomorrow, in UTC.
func (e expiryRules) firstDay() string { return e.now.UTC().AddDate(0, 0, 1).Format(time.DateOnly) }

// lastDay is the latest day the date field accepts: the last whose end
// (a token expires at the end of its day) is within the longest lifetime;
// "" without one.
func (e expiryRules) lastDay() string {
	if e.maxLifetime <= 0 {
		return ""
	}
	return e.now.Add(e.maxLifetime).UTC().Add(-(24*time.Hour - time.Second)).Format(time.DateOnly)
}

// maxDays is the longest lifetime in whole days, for the form's hint; 0
// without one.
func (e expiryRules) maxDays() int { return int(e.maxLifetime / (24 * time.Hour)) }

// expiresAt is the expiry the form chose: nil for never.
func (e expiryRules) expiresAt(f tokenForm) (*time.Time, *formError) {
	switch f.Expiry {
	case expiryNever:
		if e.maxLifetime > 0 {
			return nil, &formError{"expiry", fmt.Sprintf("This server allows tokens of at most %s: choose when the token expires.", plural(e.maxDays(), "day"))}
		}
		return nil, nil
	case expiryDate:
		day, err := time.Parse(time.DateOnly, f.ExpiresOn)
		if err != nil {
			return nil, &formError{"expires_on", "The expiry date must be a date such as 2027-06-30."}
		}
		if f.ExpiresOn < e.firstDay() {
			return nil, &formError{"expires_on", "The expiry date must be tomorrow or later."}
		}
		if last := e.lastDay(); last != "" && f.ExpiresOn > last {
			return nil, &formError{"expires_on", fmt.Sprintf("This server allows tokens of at most %s: choose %s or earlier.", plural(e.maxDays(), "day"), last)}
		}
		end := day.Add(24*time.Hour - time.Second) // the token works until the end of the day, in UTC
		return &end, nil
	}
	days, err := strconv.Atoi(f.Expiry)
	lifetime := time.Duration(days) * 24 * time.Hour
	if err != nil || !slices.Contains(expiryPresets, days) || !e.allows(lifetime) {
		return nil, &formError{"expiry", "Choose when the token expires."}
	}
	at := e.now.Add(lifetime)
	return &at, nil
}

// check returns what is wrong with the form's name and description, if
// anything.
func (f tokenForm) check() *formError {
	switch {
	case f.Name == "":
		return &formError{"name", "Give the token a name, such as the program that will use it."}
	case len(f.Name) > maxNameLength:
		return &formError{"name", fmt.Sprintf("The name can have at most %d characters.", maxNameLength)}
	case utf8.RuneCountInString(f.Description) > maxDescriptionLength:
		return &formError{"description", fmt.Sprintf("The description can have at most %d characters.", maxDescriptionLength)}
	}
	return nil
}

// input is the form as the input of createAPIToken, with its expiry.
func (f tokenForm) input(expiresAt *time.Time) map[string]any {
	input := map[string]any{"name": f.Name, "readOnly": f.ReadOnly}
	if f.Description != "" {
		input["description"] = f.Description
	}
	if len(f.Projects) > 0 {
		input["projectIDs"] = f.Projects
	}
	if expiresAt != nil {
		input["expiresAt"] = expiresAt.UTC().Format(time.RFC3339)
	}
	return input
}
