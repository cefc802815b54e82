// Package gid makes and reads the opaque global IDs of every entity.
//
// A global ID is a short type prefix, an underscore and 22 random base62
// characters (about 131 bits from crypto/rand), for example
// "prj_4fT9x0QmZb1c8LkPqR2sVw". IDs are not sequential, so they reveal neither
// how many objects exist nor when they were made, and the prefix lets a node
// lookup find the table without a query.
package gid

import (
	"crypto/rand"
	"errors"
	"strings"
)

// Prefixes of each entity's IDs; Tables maps them to their table names.
const (
	User              = "usr"
	Team              = "tem"
	TeamMembership    = "tmm"
	Project           = "prj"
	ProjectMembership = "pmm"
	Survey            = "svy"
	Question          = "qst"
	Response          = "rsp"
	Answer            = "ans"
	Map               = "map"
	Pin               = "pin"
	Comment           = "cmt"
	APIToken          = "tok"
	AuditEvent        = "aud"
)

// Tables maps each ID prefix to the SQL table of its entity.
var Tables = map[string]string{
	User:              "users",
	Team:              "teams",
	TeamMembership:    "team_memberships",
	Project:           "projects",
	ProjectMembership: "project_memberships",
	Survey:            "surveys",
	Question:          "questions",
	Response:          "responses",
	Answer:            "answers",
	Map:               "maps",
	Pin:               "pins",
	Comment:           "comments",
	APIToken:          "api_tokens",
	AuditEvent:        "audit_events",
}

const (
	alphabet   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	randomLen  = 22
	maxByteVal = 248 // largest multiple of 62 below 256: rejection sampling keeps the draw uniform
)

// ErrInvalid is returned for a string that is not a well-formed global ID.
var ErrInvalid = errors.New("invalid ID")

// New returns a fresh global ID with the given prefix.
func New(prefix string) string {
	return prefix + "_" + Random(randomLen)
}

// Random returns n uniformly random base62 characters from crypto/rand.
func Random(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		for _, b := range buf {
			if b < maxByteVal && len(out) < n {
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out)
}

// Table returns the table of the entity that id names, or ErrInvalid when id
// is not a well-formed global ID of a known type.
func Table(id string) (string, error) {
	prefix, rest, ok := strings.Cut(id, "_")
	table, known := Tables[prefix]
	if !ok || !known || len(rest) != randomLen || strings.Trim(rest, alphabet) != "" {
		return "", ErrInvalid
	}
	return table, nil
}
