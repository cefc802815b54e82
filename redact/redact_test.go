package redact

import (
	"strings"
	"testing"
)

// TestRedactMasksCredentialsOnly masks what looks like a credential and
// cuts quoted bodies, and leaves prose that merely names one readable.
func TestRedactMasksCredentialsOnly(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`finding session: database is locked`, `finding session: database is locked`},
		{`{"password": "hunter2", "x": 1}`, `{"password": "[redacted]", "x": 1}`},
		{`password=hunter2&email=a`, `password=[redacted]&email=a`},
		{`Cookie: engage_session=abc123; x=y`, `Cookie: engage_session=[redacted]; x=y`},
		{`Authorization: Bearer abc.def`, `Authorization: Bearer [redacted]`},
		{`token eng_0123456789abcdefABCDEF`, `token eng_[redacted]`},
		{`decoding failed body:{"query": "{ __typename }", "variables": {}}`, `decoding failed body:{"query": "{ __typename }", "var…(44 bytes)`},
	} {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q):\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	if got := redact(strings.Repeat("x", 5000)); len(got) > maxLoggedValue+32 {
		t.Errorf("redact of 5000 bytes: got %d bytes, want about %d", len(got), maxLoggedValue)
	}
}

// BenchmarkRedactRequestLine redacts the values of one request log line,
// which every request writes.
func BenchmarkRedactRequestLine(b *testing.B) {
	values := []string{"request", "POST", "/graphql", "Xk3v9QmZb1c8LkPq", "127.0.0.1", "Mozilla/5.0 (X11; Linux x86_64)"}
	for b.Loop() {
		for _, v := range values {
			redact(v)
		}
	}
}
