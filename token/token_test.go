package token_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"engage/token"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func TestGenerate(t *testing.T) {
	s := token.Generate()
	if err := token.Check(s); err != nil {
		t.Errorf("Check(Generate()) = %v, want nil", err)
	}
	if got, want := len(s), 4+32+6; got != want {
		t.Errorf("len(Generate()) = %d, want %d", got, want)
	}
	if !strings.HasPrefix(s, token.Prefix) {
		t.Errorf("Generate() = %q, want prefix %q", s, token.Prefix)
	}
	if rest := strings.Trim(s[len(token.Prefix):], alphabet); rest != "" {
		t.Errorf("Generate() = %q has characters %q outside base62", s, rest)
	}
}

func TestGenerateDistinct(t *testing.T) {
	const n = 1000
	seen := make(map[string]bool, n)
	for range n {
		s := token.Generate()
		if seen[s] {
			t.Fatalf("Generate() returned %q twice in %d calls", s, n)
		}
		seen[s] = true
		if err := token.Check(s); err != nil {
			t.Fatalf("Check(%q) = %v, want nil", s, err)
		}
	}
}

// TestCheckCatchesEveryTypo proves that a one-character typo is always
// rejected offline: it substitutes every other base62 character at every
// position of a valid token. In the random part CRC32 catches it (it detects
// every burst of up to 32 bits); in the checksum the value no longer matches;
// in the prefix the prefix is wrong.
func TestCheckCatchesEveryTypo(t *testing.T) {
	s := token.Generate()
	tried := 0
	for i := range len(s) {
		for _, c := range []byte(alphabet) {
			if c == s[i] {
				continue
			}
			typo := s[:i] + string(c) + s[i+1:]
			tried++
			if err := token.Check(typo); !errors.Is(err, token.ErrMalformed) {
				t.Errorf("Check(%q) (position %d changed to %q) = %v, want ErrMalformed", typo, i, c, err)
			}
		}
	}
	// Every position has 61 alternatives, except the prefix's '_', which is
	// not base62 and so has 62.
	if want := (len(s)-1)*61 + 62; tried != want {
		t.Errorf("tried %d substitutions, want %d", tried, want)
	}
}

// TestKnownChecksums pins the format so that other tools (secret scanners,
// client libraries) can check tokens: the expected checksums were computed
// independently, with Python's zlib.crc32 and a base62 encoding.
func TestKnownChecksums(t *testing.T) {
	tests := []struct{ random, sum string }{
		{"00000000000000000000000000000000", "2wjyrI"}, // CRC 2700251856
		{"AbC1xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "4FKWG9"}, // CRC 3891066937
		{"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "4W8LJS"}, // CRC 4139362634
		{"Padding0000000000000000000000005", "002tMt"}, // CRC 689495: left-padded with '0'
	}
	for _, tt := range tests {
		s := token.Prefix + tt.random + tt.sum
		if err := token.Check(s); err != nil {
			t.Errorf("Check(%q) = %v, want nil", s, err)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	valid := token.Generate()
	tests := []struct {
		name, s, why string
	}{
		{"empty", "", "begin with"},
		{"wrong prefix", "enx_" + valid[4:], "begin with"},
		{"upper-case prefix", "ENG_" + valid[4:], "begin with"},
		{"no prefix", valid[4:], "begin with"},
		{"prefix only", token.Prefix, "characters long"},
		{"too short", valid[:len(valid)-1], "characters long"},
		{"too long", valid + "0", "characters long"},
		{"dash", valid[:10] + "-" + valid[11:], "outside"},
		{"space", valid[:10] + " " + valid[11:], "outside"},
		{"non-ASCII", valid[:10] + "é" + valid[12:], "outside"},
		{"checksum swapped", valid[:len(valid)-6] + valid[len(valid)-5:] + valid[len(valid)-6:len(valid)-5], "checksum"},
		{"random part swapped", valid[:4] + valid[5:6] + valid[4:5] + valid[6:], "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s == valid {
				t.Skip("the edit left the token unchanged")
			}
			err := token.Check(tt.s)
			if !errors.Is(err, token.ErrMalformed) {
				t.Fatalf("Check(%q) = %v, want ErrMalformed", tt.s, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Check(%q) = %q, want a message containing %q", tt.s, err, tt.why)
			}
			if len(tt.s) > 8 && strings.Contains(err.Error(), tt.s[4:]) {
				t.Errorf("Check(%q) = %q repeats the secret", tt.s, err)
			}
		})
	}
}

func TestHash(t *testing.T) {
	a, b := token.Generate(), token.Generate()
	ha, hb := token.Hash(a), token.Hash(b)
	if len(ha) != 64 || strings.Trim(ha, "0123456789abcdef") != "" {
		t.Errorf("Hash(%q) = %q, want 64 lower-case hex characters", a, ha)
	}
	sum := sha256.Sum256([]byte(a))
	if want := hex.EncodeToString(sum[:]); ha != want {
		t.Errorf("Hash(%q) = %q, want SHA-256 %q", a, ha, want)
	}
	if ha == hb {
		t.Errorf("Hash(%q) = Hash(%q) = %q, want different hashes", a, b, ha)
	}
	if again := token.Hash(a); again != ha {
		t.Errorf("Hash(%q) = %q then %q, want the same", a, ha, again)
	}
}

func TestDisplay(t *testing.T) {
	s := token.Generate()
	tests := []struct{ secret, want string }{
		{s, s[:8]},
		{"eng_AbC1" + strings.Repeat("x", 34), "eng_AbC1"},
		{"eng_", "eng_"}, // never panics on a short string
		{"", ""},
	}
	for _, tt := range tests {
		if got := token.Display(tt.secret); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.secret, got, tt.want)
		}
	}
	if got := token.Display(s); !strings.HasPrefix(s, got) || len(got) != len(token.Prefix)+4 {
		t.Errorf("Display(%q) = %q, want the first %d characters", s, got, len(token.Prefix)+4)
	}
}

// FuzzCheck checks Check against the format as the package comment states
// it, computed here independently: any string is accepted exactly when it is
// the prefix, 32 base62 characters and their checksum. And from the fuzzed
// bytes it builds a valid token, which Check must accept, whose Display and
// Hash must follow from it, and in which changing the character at pos to c
// must make Check refuse it.
func FuzzCheck(f *testing.F) {
	for i := range 4 {
		s := token.Generate()
		f.Add(s, uint8(10*i), byte('-'))
		f.Add(s[:len(s)-1], uint8(41), s[len(s)-1])
		f.Add(s[:10]+"-"+s[11:], uint8(i), byte('0'))
	}
	f.Add("", uint8(0), byte('E'))
	f.Add(token.Prefix, uint8(3), byte('-'))
	f.Add("eng_00000000000000000000000000000000000000", uint8(41), byte('0'))
	f.Add("eng_00000000000000000000000000000000"+"2wjyrI", uint8(36), byte('2'))
	f.Add("eng_AbC1xxxxxxxxxxxxxxxxxxxxxxxxxxxx4FKWG9", uint8(4), byte('a'))
	f.Fuzz(func(t *testing.T, s string, pos uint8, c byte) {
		err := token.Check(s)
		if want := wellFormed(s); want != (err == nil) {
			t.Fatalf("Check(%q) = %v, want accepted: %v", s, err, want)
		}
		if err != nil && !errors.Is(err, token.ErrMalformed) {
			t.Fatalf("Check(%q) = %v, want nil or ErrMalformed", s, err)
		}

		// A valid token made of the fuzzed bytes.
		var random [32]byte
		for i := range random {
			if i < len(s) {
				random[i] = alphabet[s[i]%62]
			} else {
				random[i] = alphabet[i]
			}
		}
		valid := token.Prefix + string(random[:]) + checksum(string(random[:]))
		if err := token.Check(valid); err != nil {
			t.Fatalf("Check(%q) = %v, want nil", valid, err)
		}
		if got := token.Display(valid); got != valid[:8] {
			t.Errorf("Display(%q) = %q, want %q", valid, got, valid[:8])
		}
		sum := sha256.Sum256([]byte(valid))
		if got, want := token.Hash(valid), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("Hash(%q) = %q, want %q", valid, got, want)
		}
		i := int(pos) % len(valid)
		if valid[i] == c {
			return
		}
		typo := valid[:i] + string([]byte{c}) + valid[i+1:]
		if err := token.Check(typo); !errors.Is(err, token.ErrMalformed) {
			t.Errorf("Check(%q) (position %d of %q changed to %q) = %v, want ErrMalformed", typo, i, valid, c, err)
		}
	})
}

// wellFormed tells whether s is Prefix, 32 base62 characters and their
// checksum.
func wellFormed(s string) bool {
	body, ok := strings.CutPrefix(s, token.Prefix)
	if !ok || len(body) != 38 || strings.Trim(body, alphabet) != "" {
		return false
	}
	return body[32:] == checksum(body[:32])
}

// checksum is the CRC32 (IEEE) of random as 6 base62 digits, the most
// significant first, as TestKnownChecksums pins it.
func checksum(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	digits := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		digits[i], n = alphabet[n%62], n/62
	}
	return string(digits)
}

func ExampleGenerate() {
	secret := token.Generate()
	fmt.Println(len(secret), token.Display(secret)[:4], token.Check(secret))
	fmt.Println(len(token.Hash(secret)))
	// Output:
	// 42 eng_ <nil>
	// 64
}
