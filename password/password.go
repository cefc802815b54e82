// Package password hashes and checks login passwords with bcrypt.
package password

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// MinLength is the shortest password accepted.
const MinLength = 12

// Hash returns the bcrypt hash of a password of acceptable length.
func Hash(password string) (string, error) {
	if len(password) < MinLength {
		return "", fmt.Errorf("the password must have at least %d characters", MinLength)
	}
	if len(password) > 72 {
		return "", errors.New("the password must have at most 72 bytes") // bcrypt's limit
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// Matches reports whether password is the one hash was made from.
func Matches(hash, password string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
