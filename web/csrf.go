package web

import (
	"net/http"
	"strings"

	"engage/session"
)

// CSRF wraps h with protection against cross-site request forgery: every
// unsafe request (POST, PUT, DELETE...) that a browser marks as cross-origin,
// by its Sec-Fetch-Site header or, from older browsers, by an Origin that is
// not this host, is refused with 403 Forbidden. It relies on Go's
// http.CrossOriginProtection, so no token has to travel in forms.
//
// Requests that carry an "Authorization: Bearer" header and no session
// cookie pass unchecked: they are authenticated by the token, which a forged
// cross-site request cannot carry, and API clients on other origins (CORS)
// must be able to use them.
func CSRF(h http.Handler) http.Handler {
	protected := http.NewCrossOriginProtection().Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bearerOnly(r) {
			h.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// bearerOnly reports whether r is authenticated by a bearer token alone.
func bearerOnly(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return false
	}
	_, err := r.Cookie(session.CookieName)
	return err != nil
}
