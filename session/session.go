// Package session keeps the login sessions of the web pages.
//
// Sessions are managed by scs (github.com/alexedwards/scs/v2) and stored in
// the database through the ent Session entity, so they survive restarts and
// are shared by every server process. The cookie carries only a random token;
// the session's values stay on the server.
//
// Expired sessions are never found, but their rows stay until the caller runs
// Store.Cleanup: the package starts no goroutine of its own.
package session

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"engage/ent"
)

// CookieName is the name of the session cookie.
const CookieName = "engage_session"

const (
	// Lifetime is how long a session lasts at most after login.
	Lifetime = 12 * time.Hour
	// IdleTimeout ends a session that has not been used for that long.
	IdleTimeout = 2 * time.Hour
)

// userIDKey is the session value that holds the logged-in user's ID.
const userIDKey = "user_id"

// NewManager returns the session manager of the web pages, storing sessions
// through client. secureCookie sets the cookie's Secure attribute: true
// whenever the server is reached over HTTPS.
//
// The cookie is HttpOnly (scripts cannot read it) and SameSite=Lax (browsers
// do not send it with cross-site POSTs); CSRF protection does the rest.
func NewManager(client *ent.Client, secureCookie bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = NewStore(client)
	sm.Lifetime = Lifetime
	sm.IdleTimeout = IdleTimeout
	sm.Cookie.Name = CookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secureCookie
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = true
	sm.ErrorFunc = serverError
	return sm
}

// serverError answers a request whose session could not be loaded or saved.
// It logs the error, which never contains the token, but not the cookie.
func serverError(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "session error", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// Login makes the session of ctx the session of userID. It gives the session
// a new token first, so that a token planted before login (session fixation)
// is worthless afterwards.
func Login(ctx context.Context, sm *scs.SessionManager, userID string) error {
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	sm.Put(ctx, userIDKey, userID)
	return nil
}

// Logout ends the session of ctx: its row is deleted and the cookie cleared.
func Logout(ctx context.Context, sm *scs.SessionManager) error {
	return sm.Destroy(ctx)
}

// UserID returns the ID of the user logged in with the session of ctx, or ""
// when nobody is. ctx must come from a request that went through
// sm.LoadAndSave.
func UserID(ctx context.Context, sm *scs.SessionManager) string {
	return sm.GetString(ctx, userIDKey)
}
