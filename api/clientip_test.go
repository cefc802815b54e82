package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"engage/config"
	"engage/internal/apitest"
	"engage/testdb"
)

// TestClientIPComesFromTrustedProxiesOnly checks whose address the server
// records (here as a token's last use) with ENGAGE_TRUSTED_PROXIES set:
// X-Forwarded-For names the client only when the connection comes from a
// trusted proxy, and then the rightmost address that is not a proxy.
func TestClientIPComesFromTrustedProxiesOnly(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.TrustedProxies = []string{"10.0.0.0/8"} }})
	secret := h.Admin()
	var who struct {
		Viewer struct{ Token struct{ ID string } }
	}
	h.MustDo(secret, `{ viewer { token { id } } }`, nil, &who)

	for _, c := range []struct{ name, peer, forwarded, want string }{
		{"through two trusted proxies", "10.1.2.3:5000", "198.51.100.9, 10.0.0.7", "198.51.100.9"},
		{"a forged first entry", "10.1.2.3:5000", "192.0.2.66, 198.51.100.9", "198.51.100.9"},
		{"from a client that is no proxy", "203.0.113.5:5000", "198.51.100.9", "203.0.113.5"},
		{"a proxy without the header", "10.1.2.3:5000", "", "10.1.2.3"},
		{"a proxy with a malformed header", "10.1.2.3:5000", "not an address", "10.1.2.3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = c.peer
			if c.forwarded != "" {
				req.Header.Set("X-Forwarded-For", c.forwarded)
			}
			if resp := h.Send(secret, req); resp.Status != http.StatusOK {
				t.Fatalf("status %d", resp.Status)
			}
			if err := h.Usage.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			tok := h.DB.Ent.APIToken.GetX(testdb.System(), who.Viewer.Token.ID)
			if tok.LastUsedIP == nil || *tok.LastUsedIP != c.want {
				t.Errorf("recorded %v, want %s", tok.LastUsedIP, c.want)
			}
		})
	}
}
