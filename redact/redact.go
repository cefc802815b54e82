// Package redact keeps credentials out of the server's log: Logger wraps a
// logger so that every line it writes, whichever code logs it, has what
// looks like a secret masked and long values cut.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Limits of what a log line may quote.
const (
	// maxQuotedInput is how much of a request's body a message may quote
	// (gqlgen's POST transport quotes all of it after "body:").
	maxQuotedInput = 32
	// maxLoggedValue caps any one value of a log line.
	maxLoggedValue = 1024
)

// secretPatterns find what looks like a credential inside logged text: an
// API token, a Bearer value, and the value of any key that names a
// password, secret, token, cookie or session, in JSON, a form or a header.
var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`eng_[0-9A-Za-z]+`), "eng_[redacted]"},
	{regexp.MustCompile(`(?i)(bearer|basic)\s+[^\s"',;\\]+`), "$1 [redacted]"},
	// key=value (forms, cookies, logfmt) or "key": "value" (JSON, maybe
	// escaped once more), so that prose such as "finding session: ..."
	// stays readable.
	{regexp.MustCompile(`(?i)((?:password|passwd|secret|token|cookie|authorization|api[_-]?key|session)[a-z_-]*(?:=|\\?"\s*:\s*\\?"))[^"&\s,;}\\]*`), "${1}[redacted]"},
}

// secretWords are what every secretPattern needs to find in a text: most
// logged values (methods, paths, IDs, addresses) hold none, and skip the
// regular expressions, which cost some microseconds a value.
var secretWords = []string{"eng_", "bearer", "basic", "passw", "secret", "token", "cookie", "authorization", "api", "session"}

// mayHoldSecret reports whether s holds one of secretWords, in any case.
func mayHoldSecret(s string) bool {
	lower := strings.ToLower(s) // allocates only when s has capitals
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// redact returns s with every credential it seems to hold masked, a quoted
// request body cut to its first bytes, and the whole cut to a bounded
// length.
func redact(s string) string {
	if head, body, ok := strings.Cut(s, "body:"); ok && len(body) > maxQuotedInput {
		s = head + "body:" + body[:maxQuotedInput] + fmt.Sprintf("…(%d bytes)", len(body))
	}
	if mayHoldSecret(s) {
		for _, p := range secretPatterns {
			s = p.re.ReplaceAllString(s, p.with)
		}
	}
	if len(s) > maxLoggedValue {
		s = s[:maxLoggedValue] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// Logger returns l writing through a redacting handler: no message or
// value it writes holds a credential or more than a short excerpt of a
// request. Every logger of the server is one (server.New).
func Logger(l *slog.Logger) *slog.Logger {
	return slog.New(redacting{l.Handler()})
}

// redacting is the handler of Logger.
type redacting struct{ slog.Handler }

func (h redacting) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redacting) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return redacting{h.Handler.WithAttrs(clean)}
}

func (h redacting) WithGroup(name string) slog.Handler {
	return redacting{h.Handler.WithGroup(name)}
}

// redactAttr redacts the text of a, and of any error or other value that
// prints as text; numbers, times and durations stay as they are.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindAny:
		return slog.String(a.Key, redact(fmt.Sprint(v.Any())))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = redactAttr(g)
		}
		return slog.Group(a.Key, clean...)
	}
	return a
}
