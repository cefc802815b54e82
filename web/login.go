// Package web serves the HTML pages of Engage: the login and logout pages,
// which open and close the database-backed sessions of package session; the
// interactive API documentation at /docs/api (GraphiQL, built from docs/ui
// and embedded); and the token page at /settings/api.
//
// The pages load no external assets, and read and change data only through
// GraphQL operations that the API runs in process (api.Runner) as the
// signed-in user, so the API's privacy rules apply to them as to any
// client. They rely on the caller (package server) to wrap them in the
// session manager's LoadAndSave, in protection against cross-site forgery,
// and in clientip's Handler.
package web

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/httprate"

	"engage/api"
	"engage/clientip"
	"engage/ent"
	"engage/ent/user"
	"engage/password"
	"engage/rule"
	"engage/session"
)

// DefaultNext is where a successful login leads when the login page was not
// given a valid next path.
const DefaultNext = "/docs/api"

// Messages the login page shows.
const (
	msgWrong    = "Wrong email or password."
	msgTooMany  = "Too many attempts; wait a minute and try again."
	msgInternal = "Something went wrong on our side; try again."
)

// Default throttling of POST /login.
const (
	defaultIPLimit    = 10 // attempts per window from one client IP
	defaultEmailLimit = 10 // attempts per window for one email address
	defaultWindow     = time.Minute
	maxFormBytes      = 16 << 10
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"dict": dict}).ParseFS(templateFS, "templates/*.html"))

// Pages serves the login and logout pages, the documentation page and the
// token page.
type Pages struct {
	client *ent.Client
	sm     *scs.SessionManager
	// graphQL runs the pages' operations as the signed-in user.
	graphQL api.Runner
	logger  *slog.Logger
	// tokenMaxLifetime is the server's longest token lifetime, 0 for none.
	tokenMaxLifetime time.Duration

	// docsConfig builds the /docs/api page's configuration once.
	docsConfig func() (docsConfig, error)
	// Assets of the pages, with their ETags computed once.
	docsAssets, staticAssets *assetServer

	// Throttling of POST /login, read by Routes; tests lower them.
	ipLimit, emailLimit int
	window              time.Duration
}

// Deps are what the pages need.
type Deps struct {
	// Client looks users up, to sign them in.
	Client *ent.Client
	// Sessions keeps the login sessions.
	Sessions *scs.SessionManager
	// GraphQL runs the pages' operations, which read and change data.
	GraphQL api.Runner
	// Logger, when set, receives the pages' log lines.
	Logger *slog.Logger
	// TokenMaxLifetime is the server's longest token lifetime
	// (ENGAGE_TOKEN_MAX_LIFETIME), 0 for none: the New token form offers
	// no longer one.
	TokenMaxLifetime time.Duration
}

// NewPages returns the pages.
func NewPages(d Deps) *Pages {
	logger := d.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Pages{
		client: d.Client, sm: d.Sessions, graphQL: d.GraphQL, logger: logger, tokenMaxLifetime: d.TokenMaxLifetime,
		docsConfig:   sync.OnceValues(buildDocsConfig),
		docsAssets:   newAssetServer(docsBuild, "docs/assets"),
		staticAssets: newAssetServer(staticFiles, "static"),
		ipLimit:      defaultIPLimit, emailLimit: defaultEmailLimit, window: defaultWindow,
	}
}

// Routes registers the pages on mux: GET and POST /login, POST /logout,
// GET /docs/api and its assets under /docs/assets/, the token page
// /settings/api with the pages and forms of its tokens, /static/ and
// /favicon.ico.
//
// POST /login is throttled, in memory, to a number of attempts per minute
// from one client IP and, separately, for one email address, so that
// guessing passwords is slow whether it spreads over accounts or over IPs.
// The client IP is clientip's, which believes X-Forwarded-For from trusted
// proxies only (ENGAGE_TRUSTED_PROXIES).
func (p *Pages) Routes(mux *http.ServeMux) {
	tooMany := httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusTooManyRequests, loginData{Next: formNext(r), Email: r.PostFormValue("email"), Error: msgTooMany})
	})
	// Only Retry-After: two limiters' X-RateLimit-* headers would contradict
	// each other.
	headers := httprate.WithResponseHeaders(httprate.ResponseHeaders{RetryAfter: "Retry-After"})
	byIP := httprate.NewRateLimiter(p.ipLimit, p.window, httprate.WithKeyFuncs(clientNetwork), tooMany, headers)
	byEmail := httprate.NewRateLimiter(p.emailLimit, p.window, httprate.WithKeyFuncs(submittedEmail), tooMany, headers)

	mux.HandleFunc("GET /login", p.loginPage)
	mux.Handle("POST /login", limitBody(byIP.Handler(byEmail.Handler(http.HandlerFunc(p.login)))))
	mux.HandleFunc("POST /logout", p.logout)
	mux.HandleFunc("GET /docs/api", p.docsPage)
	mux.Handle("GET "+DocsAssetsPath, http.StripPrefix(DocsAssetsPath, p.docsAssets))
	mux.Handle("GET /static/", http.StripPrefix("/static/", p.staticAssets))
	// Browsers ask for /favicon.ico on pages that name no icon, such as
	// plain-text errors.
	mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	p.tokenRoutes(mux)
}

// loginData fills templates/login.html.
type loginData struct {
	Next     string // where to go after login, a local path
	Email    string // the email submitted, kept on failure
	Error    string // the message to show, if any
	SignedIn bool   // whether the request's session is logged in already
}

func (p *Pages) loginPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := formNext(r)
	u, refused, err := p.checkPassword(r.Context(), email, r.PostFormValue("password"))
	switch {
	case err != nil:
		p.logger.ErrorContext(r.Context(), "login: looking up the user", "err", err)
		p.render(w, r, http.StatusInternalServerError, loginData{Next: next, Email: email, Error: msgInternal})
		return
	case refused != "":
		attrs := []any{"ip", clientip.Of(r)}
		if u != nil {
			attrs = append([]any{"user", u.ID}, attrs...)
		}
		p.logger.InfoContext(r.Context(), "login refused: "+refused, attrs...)
		p.render(w, r, http.StatusUnauthorized, loginData{Next: next, Email: email, Error: msgWrong})
		return
	}
	if err := session.Login(r.Context(), p.sm, u.ID); err != nil {
		p.logger.ErrorContext(r.Context(), "login: renewing the session", "err", err)
		p.render(w, r, http.StatusInternalServerError, loginData{Next: next, Email: email, Error: msgInternal})
		return
	}
	p.logger.InfoContext(r.Context(), "login", "user", u.ID, "ip", clientip.Of(r))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkPassword returns the user whom email and pw sign in, or else why
// they do not (with the user, when the email names one): "unknown email",
// "wrong password" or "inactive user". Every refusal looks the same to the
// visitor; the reason is for the log.
func (p *Pages) checkPassword(ctx context.Context, email, pw string) (u *ent.User, refused string, err error) {
	u, err = p.findUser(ctx, email)
	if err != nil {
		return nil, "", err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	// Always run bcrypt, against a dummy hash when there is no user or no
	// password, so that the response time does not tell whether an email is
	// registered.
	ok := password.Matches(hashOrDummy(hash), pw) && hash != ""
	switch {
	case u == nil:
		return nil, "unknown email", nil
	case !ok:
		return u, "wrong password", nil
	case !u.Active:
		// Checked after the password, and with the same answer, so that
		// the page does not reveal which accounts are deactivated.
		return u, "inactive user", nil
	}
	return u, "", nil
}

// findUser returns the user with email, or nil when there is none. An exact
// match wins; otherwise a case-insensitive one is accepted when it is the
// only one, since people type their address with varying capitals.
func (p *Pages) findUser(ctx context.Context, email string) (*ent.User, error) {
	if email == "" {
		return nil, nil
	}
	// The visitor is not logged in yet, so no viewer may read users: this
	// narrow system path reads the one user the form names, and nothing of
	// it leaves the server but the session it may open.
	ctx = rule.System(ctx)
	u, err := p.client.User.Query().Where(user.EmailEQ(email)).Only(ctx)
	if !ent.IsNotFound(err) {
		return u, err
	}
	users, err := p.client.User.Query().Where(user.EmailEqualFold(email)).Limit(2).All(ctx)
	if err != nil || len(users) != 1 {
		return nil, err
	}
	return users[0], nil
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	userID := session.UserID(r.Context(), p.sm)
	if err := session.Logout(r.Context(), p.sm); err != nil {
		p.logger.ErrorContext(r.Context(), "logout", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if userID != "" {
		p.logger.InfoContext(r.Context(), "logout", "user", userID)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// render writes the login page with status.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, data loginData) {
	data.SignedIn = session.UserID(r.Context(), p.sm) != ""
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The page has a password field: never cache it, never frame it
	// (clickjacking), and allow nothing but its own inline style, its icon
	// and forms posting back to this server.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, "login.html", data); err != nil {
		p.logger.ErrorContext(r.Context(), "rendering the login page", "err", err)
	}
}

// safeNext returns next if it is a path on this server, else DefaultNext.
// Anything that a browser could read as another origin is refused: a scheme
// or host, a protocol-relative "//host", and backslashes, which browsers
// treat as slashes ("/\host").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\") || strings.ContainsFunc(next, isControl) {
		return DefaultNext
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return DefaultNext
	}
	return next
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// formNext is the next path a login form carried.
func formNext(r *http.Request) string { return safeNext(r.PostFormValue("next")) }

// dummyHash is a bcrypt hash that no password matches in practice, compared
// against when there is no real hash so that every attempt costs the same.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("engage-dummy-password-never-used")
	if err != nil {
		panic(err)
	}
	return h
})

func hashOrDummy(hash string) string {
	if hash == "" {
		return dummyHash()
	}
	return hash
}

// limitBody caps the size of a login form before the throttling parses it.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		h.ServeHTTP(w, r)
	})
}

// clientNetwork keys the per-IP limiter: the client's address, with IPv6
// clients grouped by /64 since each one usually controls a whole /64.
func clientNetwork(r *http.Request) (string, error) {
	return "ip:" + httprate.CanonicalizeIP(clientip.Of(r)), nil
}

// submittedEmail keys the per-email limiter: the address the form names,
// lowercased so that varying capitals do not earn fresh attempts.
func submittedEmail(r *http.Request) (string, error) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	if len(email) > 254 {
		email = email[:254] // the longest address a user can have
	}
	return "email:" + email, nil
}
