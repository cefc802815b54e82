// Package token makes and checks API token secrets.
//
// A secret is "eng_", 32 random base62 characters from crypto/rand (about
// 190 bits) and a 6-character base62 checksum: the CRC32 (IEEE) of the
// random characters. The fixed prefix lets secret scanners recognise a
// leaked token, and the checksum lets Check reject a mistyped or truncated
// token without a database lookup. CRC32 detects every burst error of up to
// 32 bits, so any change of a single character is always caught.
//
// Only Hash of a secret is stored; Display is the short prefix shown to
// people so they can tell their tokens apart.
package token

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"engage/gid"
)

// Prefix begins every secret.
const Prefix = "eng_"

const (
	alphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	randomLen   = 32
	checksumLen = 6 // 62^6 > 2^32, so any CRC32 fits
	displayLen  = 4
	secretLen   = len(Prefix) + randomLen + checksumLen
)

// ErrMalformed is wrapped by every error of Check, so errors.Is(err,
// ErrMalformed) tells a badly formed token from other failures.
var ErrMalformed = errors.New("malformed API token")

// The errors of Check name what is wrong but never repeat the secret, so
// they are safe to log.
var (
	errPrefix   = fmt.Errorf("%w: it does not begin with %q", ErrMalformed, Prefix)
	errLength   = fmt.Errorf("%w: it is not %d characters long", ErrMalformed, secretLen)
	errAlphabet = fmt.Errorf("%w: it has a character outside 0-9, A-Z and a-z after the prefix", ErrMalformed)
	errChecksum = fmt.Errorf("%w: its checksum does not match (mistyped or truncated?)", ErrMalformed)
)

// Generate returns a new secret: Prefix, 32 random base62 characters and
// their 6-character checksum.
func Generate() string {
	random := gid.Random(randomLen)
	return Prefix + random + checksum(random)
}

// Check validates the shape and checksum of s without any I/O. It returns
// nil for a well-formed secret and otherwise an error wrapping ErrMalformed.
func Check(s string) error {
	if !strings.HasPrefix(s, Prefix) {
		return errPrefix
	}
	if len(s) != secretLen {
		return errLength
	}
	body := s[len(Prefix):]
	if strings.Trim(body, alphabet) != "" {
		return errAlphabet
	}
	random, sum := body[:randomLen], body[randomLen:]
	if checksum(random) != sum {
		return errChecksum
	}
	return nil
}

// Hash returns the hex-encoded SHA-256 of the secret: what the database
// stores. The secret has about 190 random bits, so a fast unsalted hash
// cannot be reversed by guessing and, unlike a password hash, lets the
// database find a token by an index on the hash.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Display returns the short prefix shown to people: Prefix and the first 4
// random characters (for example "eng_AbC1"). It reveals about 24 bits,
// too few to help guess the secret.
func Display(secret string) string {
	return secret[:min(len(secret), len(Prefix)+displayLen)]
}

// checksum is the CRC32 of random in base62, left-padded with '0' to 6
// characters.
func checksum(random string) string {
	var out [checksumLen]byte
	n := crc32.ChecksumIEEE([]byte(random))
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = alphabet[n%62]
		n /= 62
	}
	return string(out[:])
}
