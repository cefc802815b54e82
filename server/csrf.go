package server

import (
	"net/http"
	"strings"

	"engage/session"
)

// protectFromCSRF wraps h with protection against cross-site request
// forgery: every unsafe request (POST, PUT, DELETE...) that a browser marks
// as cross-origin, by its Sec-Fetch-Site header or, from older browsers, by
// an Origin that is not this host, is refused with 403 Forbidden. It relies on Go's
// http.CrossOriginProtection, so no token has to travel in forms.
//
// Requests that carry an "Authorization: Bearer" header and no session
// cookie pass unchecked: they are authenticated by the token, which a forged
// cross-site request cannot carry, and API clients on other origins (CORS)
// must be able to use them. So do requests that carry no credentials at
// all, except a login, which would open a session: forged, they can act as
// no one, and browser code on an allowed origin that has not attached its
// token gets the API's own 401 rather than this check's 403.
func protectFromCSRF(h http.Handler) http.Handler {
	protected := http.NewCrossOriginProtection().Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bearerOnly(r) || withoutCredentials(r) {
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

// withoutCredentials reports whether r carries neither an Authorization
// header nor a session cookie, and is not a login.
func withoutCredentials(r *http.Request) bool {
	_, err := r.Cookie(session.CookieName)
	return err != nil && r.Header.Get("Authorization") == "" && r.URL.Path != "/login"
}
