package server_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"engage/config"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/testdb"
)

// behindProxies trusts the proxies of 10.0.0.0/8.
func behindProxies(c *config.Config) { c.TrustedProxies = []string{"10.0.0.0/8"} }

// proxied is a request's peer and X-Forwarded-For header.
type proxied struct{ peer, forwarded string }

func (p proxied) header(h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	if p.forwarded != "" {
		out["X-Forwarded-For"] = p.forwarded
	}
	return out
}

// addressCases are the connections of the tests below, and the client's
// address that each stands for with the proxies of behindProxies.
var addressCases = []struct {
	name string
	from proxied
	want string
}{
	{"through two trusted proxies", proxied{"10.1.2.3:5000", "198.51.100.9, 10.0.0.7"}, "198.51.100.9"},
	{"a forged first entry", proxied{"10.1.2.3:5000", "192.0.2.66, 198.51.100.10"}, "198.51.100.10"},
	{"from a client that is no proxy", proxied{"203.0.113.5:5000", "198.51.100.11"}, "203.0.113.5"},
	{"a proxy without the header", proxied{"10.1.2.4:5000", ""}, "10.1.2.4"},
}

// TestAuditRecordsTheClientBehindTrustedProxies checks the address of the
// audit events of tokens minted through /graphql and through the token
// page, which runs the API in process: both the client's, as clientip
// finds it.
func TestAuditRecordsTheClientBehindTrustedProxies(t *testing.T) {
	s := newSite(t, behindProxies)
	_, secret := s.admin("ada@example.org")
	cookie := s.login("ada@example.org")
	for i, c := range addressCases {
		t.Run(c.name, func(t *testing.T) {
			viaAPI, viaPage := fmt.Sprint("api ", i), fmt.Sprint("page ", i)
			w := s.do(request{method: http.MethodPost, path: "/graphql", peer: c.from.peer,
				body:   `{"query": "mutation($name: String!) { createAPIToken(input: {name: $name}) { secret } }", "variables": {"name": "` + viaAPI + `"}}`,
				header: c.from.header(map[string]string{"Authorization": "Bearer " + secret})})
			if w.Code != http.StatusOK {
				t.Fatalf("createAPIToken: got %d: %s", w.Code, w.Body)
			}
			w = s.do(request{method: http.MethodPost, path: "/settings/api/tokens", peer: c.from.peer, cookie: cookie,
				form: url.Values{"name": {viaPage}, "expiry": {"30"}, "nonce": {rand.Text()}}, header: c.from.header(sameOrigin)})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("POST /settings/api/tokens: got %d", w.Code)
			}
			for _, name := range []string{viaAPI, viaPage} {
				e := s.client.AuditEvent.Query().
					Where(auditevent.ActionEQ(auditevent.ActionTOKEN_CREATED), auditevent.HasTokenWith(apitoken.Name(name))).
					OnlyX(testdb.System())
				if e.IP != c.want {
					t.Errorf("the token %q was created from %q, want %s", name, e.IP, c.want)
				}
			}
		})
	}
}

// TestLoginThrottlingCountsTheClientBehindTrustedProxies checks that the
// attempts to sign in are counted by client, as clientip finds it: the
// clients behind one trusted proxy each have their own count, and a client
// that is no proxy cannot earn fresh attempts by writing X-Forwarded-For.
func TestLoginThrottlingCountsTheClientBehindTrustedProxies(t *testing.T) {
	s := newSite(t, behindProxies)
	s.admin("ada@example.org")
	attempt := func(from proxied, pw string) int {
		return s.do(request{method: http.MethodPost, path: "/login", peer: from.peer, header: from.header(sameOrigin),
			form: url.Values{"email": {fmt.Sprintf("user%s@example.org", from.forwarded)}, "password": {pw}}}).Code
	}
	const limit = 10 // attempts per minute from one client
	for i := range limit {
		if got := attempt(proxied{"10.1.2.3:5000", "198.51.100.9"}, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d through the proxy: got %d, want 401", i+1, got)
		}
		if got := attempt(proxied{"203.0.113.5:5000", fmt.Sprint("192.0.2.", i)}, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d from a client that is no proxy: got %d, want 401", i+1, got)
		}
	}
	for _, c := range []struct {
		name string
		from proxied
		want int
	}{
		{"the same client through another trusted proxy", proxied{"10.9.9.9:5000", "198.51.100.9"}, http.StatusTooManyRequests},
		{"another client through the same proxy", proxied{"10.1.2.3:5000", "198.51.100.77"}, http.StatusUnauthorized},
		{"the client that is no proxy, naming another", proxied{"203.0.113.5:5000", "192.0.2.200"}, http.StatusTooManyRequests},
	} {
		if got := attempt(c.from, "wrong"); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}
