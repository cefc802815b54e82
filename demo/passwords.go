package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"engage/ent"
	"engage/password"
	"engage/rule"
)

// passwordAlphabet has no characters that are easily confused (0 and O, 1,
// l and I), since people read the passwords off a terminal.
const passwordAlphabet = "23456789abcdefghijkmnpqrstuvwxyz"

// GivePasswords gives each persona a new random login password, so that
// one can sign in to the web pages as any of them at once, and returns the
// passwords in the order of personas. They are new at every call: no
// password is in the demo's code or data, and only their hashes are stored.
func GivePasswords(ctx context.Context, client *ent.Client, personas []Persona) ([]string, error) {
	passwords := make([]string, len(personas))
	for i, p := range personas {
		passwords[i] = newPassword()
		hash, err := password.Hash(passwords[i])
		if err != nil {
			return nil, err
		}
		if err := client.User.UpdateOneID(p.UserID).SetPasswordHash(hash).Exec(rule.System(ctx)); err != nil {
			return nil, fmt.Errorf("demo: giving %s a password: %w", p.Email, err)
		}
	}
	return passwords, nil
}

// newPassword returns 16 random characters of passwordAlphabet (80 bits) in
// groups of four, such as "k7qm-2xvd-9hpt-4nce".
func newPassword() string {
	var groups [4]string
	for i := range groups {
		b := make([]byte, 4)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		for j := range b {
			b[j] = passwordAlphabet[int(b[j])%len(passwordAlphabet)] // 256 is a multiple of 32: no bias
		}
		groups[i] = string(b)
	}
	return strings.Join(groups[:], "-")
}
