package api

import (
	"net"
	"net/http"

	"github.com/realclientip/realclientip-go"
)

// withClientIP makes r.RemoteAddr the client's address when the request
// came through one of the trusted reverse proxies: the rightmost address of
// X-Forwarded-For that is not itself a trusted proxy. Everything after it
// (audit events, token usage, login throttling, logs) reads RemoteAddr. The
// header is ignored unless the connection comes from a trusted proxy, since
// a client can write anything in it.
func withClientIP(trusted []net.IPNet, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	forwarded := realclientip.Must(realclientip.NewRightmostTrustedRangeStrategy("X-Forwarded-For", trusted))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := net.ParseIP(realclientip.RemoteAddrStrategy{}.ClientIP(nil, r.RemoteAddr))
		if peer != nil && contains(trusted, peer) {
			if client := forwarded.ClientIP(r.Header, r.RemoteAddr); client != "" {
				r = r.Clone(r.Context())
				r.RemoteAddr = net.JoinHostPort(client, "0")
			}
		}
		next.ServeHTTP(w, r)
	})
}

func contains(ranges []net.IPNet, ip net.IP) bool {
	for _, r := range ranges {
		if r.Contains(ip) {
			return true
		}
	}
	return false
}
