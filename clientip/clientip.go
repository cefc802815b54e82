// Package clientip finds the address of the client of an HTTP request, the
// one that audit events, token usage and login throttling record: the
// connection's peer or, when the peer is a reverse proxy the server trusts
// (ENGAGE_TRUSTED_PROXIES), the address the proxies name in
// X-Forwarded-For. Proxies.Address is the one place that decides it.
package clientip

import (
	"context"
	"net"
	"net/http"

	"github.com/realclientip/realclientip-go"
)

// Proxies are the reverse proxies trusted to name the client.
type Proxies struct {
	ranges    []net.IPNet
	forwarded realclientip.RightmostTrustedRangeStrategy
}

// Trust returns the proxies whose addresses are in ranges (none when it is
// empty).
func Trust(ranges []net.IPNet) Proxies {
	// It fails only for a header other than X-Forwarded-For or Forwarded.
	forwarded, _ := realclientip.NewRightmostTrustedRangeStrategy("X-Forwarded-For", ranges)
	return Proxies{ranges: ranges, forwarded: forwarded}
}

// Address is the address of r's client: the connection's peer, unless the
// peer is a trusted proxy; then the rightmost address of X-Forwarded-For
// that is not itself a trusted proxy, or the proxy when the header names
// none. The header is ignored from any other peer, since a client can
// write anything in it.
func (p Proxies) Address(r *http.Request) string {
	peer, err := realclientip.ParseIPAddr(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // not an IP address (a Unix socket's peer): kept as it is
	}
	if p.trusts(peer.IP) {
		if client := p.forwarded.ClientIP(r.Header, r.RemoteAddr); client != "" {
			return client
		}
	}
	return peer.String()
}

func (p Proxies) trusts(ip net.IP) bool {
	for _, r := range p.ranges {
		if r.Contains(ip) {
			return true
		}
	}
	return false
}

type addressKey struct{}

// Handler records the address of each request's client in the request's
// context, where Of finds it.
func (p Proxies) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), addressKey{}, p.Address(r))))
	})
}

// Of returns the address of r's client as Handler recorded it; for a request
// that did not pass Handler, the peer's, as if no proxy were trusted.
func Of(r *http.Request) string {
	if address, ok := r.Context().Value(addressKey{}).(string); ok {
		return address
	}
	return Proxies{}.Address(r)
}
