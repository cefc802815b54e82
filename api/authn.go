package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"engage/changes"
	"engage/clientip"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/projectmembership"
	"engage/ent/teammembership"
	"engage/ent/user"
	"engage/role"
	"engage/rule"
	"engage/session"
	"engage/token"
	"engage/usage"
	"engage/viewer"
)

// authenticator finds who makes each request, from a Bearer token or a
// login session, and puts them in the request context as a viewer. It only
// authenticates: what the viewer may do is for the privacy rules.
type authenticator struct {
	client   *ent.Client
	sessions *scs.SessionManager
	usage    *usage.Recorder
	logger   *slog.Logger
	// outage logs the database failing authentication once per interval.
	outage *quietLog
	// counted counts refused requests by reason.
	counted refusals

	// tokens caches the callers of recently used tokens by secret hash, so
	// that a token's next requests need no query. An entry serves only while
	// nothing that decides rights has changed since it was filled (changes
	// moves the epoch, on every instance), and for at most tokenCacheTTL.
	tokens  *lru.Cache[string, cachedCaller]
	changes *changes.Feed
	// loads shares one load among the requests that miss the cache for the
	// same token and epoch at once.
	loads singleflight.Group

	// refused caches, under the same rule, why recently refused tokens were
	// refused, so that a flood of bad tokens does not reach the database. It
	// is a cache of its own so that a flood of random tokens cannot evict
	// the good callers.
	refused *lru.Cache[string, cachedRefusal]

	// refusals bounds the TOKEN_REFUSED audit events, so that a flood of
	// requests with a revoked token cannot flood the audit table: at most
	// one per token per minute, and a few per second in all.
	refusals  *rate.Limiter
	mu        sync.Mutex
	lastAudit map[string]time.Time
}

// tokenCacheTTL bounds how long a cached caller serves, as a safety net
// for changes no notification reported: on PostgreSQL, a change written
// with SQL by something other than engage (such as psql). On SQLite every
// commit, whoever made it, moves the epoch before the next request.
const tokenCacheTTL = 30 * time.Second

// cachedCaller is a token's caller as last read from the database.
type cachedCaller struct {
	viewer   viewer.Viewer // without the request's IP
	epoch    int64
	loadedAt time.Time
}

// cachedRefusal is why a token was refused, as last read from the database.
type cachedRefusal struct {
	err      *authError
	tokenID  string // for revoked and expired tokens, whose refused uses are audited
	why      string // the audited reason
	epoch    int64
	loadedAt time.Time
}

func newAuthenticator(client *ent.Client, sessions *scs.SessionManager, rec *usage.Recorder, feed *changes.Feed, logger *slog.Logger, outage *quietLog, counted refusals) *authenticator {
	cache, _ := lru.New[string, cachedCaller](10000) // only fails for a size below 1
	refused, _ := lru.New[string, cachedRefusal](10000)
	return &authenticator{
		client: client, sessions: sessions, usage: rec, logger: logger, outage: outage, counted: counted,
		tokens: cache, changes: feed, refused: refused,
		refusals:  rate.NewLimiter(rate.Limit(2), 20),
		lastAudit: map[string]time.Time{},
	}
}

// authError is why a request was not authenticated; its message is safe to
// show and says which case applies.
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

var (
	errMissing   = &authError{"authentication required: send an API token as Authorization: Bearer <token>, or log in"}
	errScheme    = &authError{"the Authorization header must be Bearer <token>"}
	errUnknown   = &authError{"the API token is not valid"}
	errRevoked   = &authError{"the API token has been revoked"}
	errExpired   = &authError{"the API token has expired"}
	errInactive  = &authError{"the API token's owner has been deactivated"}
	errNoAccess  = &authError{"the API token's owner no longer has API access"}
	errMalformed = func(err error) *authError { return &authError{err.Error()} }
)

// require answers 401 to requests without a valid token or session, and
// passes the others on with their viewer.
func (a *authenticator) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := a.authenticate(r)
		if err != nil {
			a.writeRefusal(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), v)))
	})
}

// writeRefusal answers a request that authenticate refused with err: 401
// and the reason, or 503 when the database failed.
func (a *authenticator) writeRefusal(w http.ResponseWriter, r *http.Request, err error) {
	var ae *authError
	if !errors.As(err, &ae) {
		a.databaseFailed(r.Context(), err)
		writeUnavailable(w)
		return
	}
	a.counted.add(authReason(ae))
	w.Header().Set("WWW-Authenticate", `Bearer realm="engage", error="invalid_token"`)
	writeGraphQLError(w, http.StatusUnauthorized, "UNAUTHENTICATED", ae.msg)
}

// databaseFailed logs (once per interval) and counts an authentication
// that failed because of the database: the request may succeed when it is
// back.
func (a *authenticator) databaseFailed(ctx context.Context, err error) {
	a.outage.Error(ctx, "authentication failed", err)
	a.counted.add(refusedUnavailable)
}

// authenticate returns the viewer of r, or an *authError saying why there is
// none, or another error when the database failed. A request with an
// Authorization header is authenticated by its token alone, any other by
// its login session.
func (a *authenticator) authenticate(r *http.Request) (*viewer.Viewer, error) {
	ip := clientip.Of(r)
	header := r.Header.Get("Authorization")
	if header == "" {
		return a.sessionViewer(r.Context(), ip)
	}
	secret, err := bearerSecret(header)
	if err != nil {
		return nil, err
	}
	return a.tokenViewer(r.Context(), secret, ip)
}

// bearerSecret returns the token of an Authorization header once its shape
// and checksum hold: a typo costs no query.
func bearerSecret(header string) (string, error) {
	scheme, secret, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errScheme
	}
	secret = strings.TrimSpace(secret)
	if err := token.Check(secret); err != nil {
		return "", errMalformed(err)
	}
	return secret, nil
}

// sessionViewer is the viewer of the user signed in with ctx's login
// session: the user's full rights, while the user is active.
func (a *authenticator) sessionViewer(ctx context.Context, ip string) (*viewer.Viewer, error) {
	id := session.UserID(ctx, a.sessions)
	if id == "" {
		return nil, errMissing
	}
	sys := rule.System(ctx) // finding the caller precedes any viewer
	u, err := a.client.User.Get(sys, id)
	switch {
	case ent.IsNotFound(err) || (err == nil && !u.Active):
		return nil, errMissing // the account is gone or deactivated: as if logged out
	case err != nil:
		return nil, err
	}
	return a.userViewer(sys, u, ip)
}

// tokenViewer is the viewer of the token secret, from the cache while
// nothing that decides rights has changed, else read from the database.
// Refusals are cached too, so that a flood of bad tokens does not reach the
// database.
func (a *authenticator) tokenViewer(ctx context.Context, secret, ip string) (*viewer.Viewer, error) {
	hash, now := token.Hash(secret), time.Now()
	epoch := a.changes.Epoch(ctx)
	if v, ok := a.cachedCaller(hash, epoch, now); ok {
		return a.admit(v, ip, now), nil
	}
	sys := rule.System(ctx) // finding the caller precedes any viewer
	if c, ok := a.refused.Get(hash); ok && current(c.epoch, c.loadedAt, epoch, now) {
		return nil, a.refuse(sys, c, ip)
	}
	found, err := a.loadShared(sys, hash, epoch, now)
	switch {
	case err != nil:
		return nil, err // not cached: the next request tries again
	case found.refusal != nil:
		return nil, a.refuse(sys, *found.refusal, ip)
	}
	return a.admit(found.caller, ip, now), nil
}

// current reports whether what was cached at epoch and loadedAt still
// serves at epoch and now.
func current(cachedEpoch int64, loadedAt time.Time, epoch int64, now time.Time) bool {
	return cachedEpoch == epoch && now.Sub(loadedAt) < tokenCacheTTL
}

// cachedCaller returns the cached caller of the token whose secret has
// hash, while it is current and the token has not expired since.
func (a *authenticator) cachedCaller(hash string, epoch int64, now time.Time) (viewer.Viewer, bool) {
	c, ok := a.tokens.Get(hash)
	if !ok || !current(c.epoch, c.loadedAt, epoch, now) {
		return viewer.Viewer{}, false
	}
	if c.viewer.TokenExpiresAt != nil && !c.viewer.TokenExpiresAt.After(now) {
		a.tokens.Remove(hash) // expired since: the database path refuses and audits it
		return viewer.Viewer{}, false
	}
	return c.viewer, true
}

// admit returns the token's caller v for a request from ip, and counts the
// token's use.
func (a *authenticator) admit(v viewer.Viewer, ip string, now time.Time) *viewer.Viewer {
	v.IP = ip
	a.usage.Record(v.TokenID, ip, now)
	return &v
}

// tokenLookup is what loadToken found: the token's caller (without an
// address), or why the token is refused.
type tokenLookup struct {
	caller  viewer.Viewer
	refusal *cachedRefusal
}

// loadShared runs loadToken once for all the requests that miss the cache
// for one token at once (a client's burst after a restart or a change of
// rights), rather than each taking connections from the pool for the same
// rows.
func (a *authenticator) loadShared(sys context.Context, hash string, epoch int64, now time.Time) (tokenLookup, error) {
	found, err, _ := a.loads.Do(fmt.Sprint(hash, epoch), func() (any, error) {
		return a.loadToken(context.WithoutCancel(sys), hash, epoch, now)
	})
	if err != nil {
		return tokenLookup{}, err
	}
	return found.(tokenLookup), nil
}

// loadToken reads the token whose secret has hash, with its owner's rights,
// and caches what it found.
func (a *authenticator) loadToken(sys context.Context, hash string, epoch int64, now time.Time) (tokenLookup, error) {
	tok, err := a.client.APIToken.Query().
		Where(apitoken.SecretHash(hash)).
		WithOwner().
		WithAllowedProjects(func(q *ent.ProjectQuery) { q.Select("id") }).
		Only(sys)
	if ent.IsNotFound(err) {
		tok, err = nil, nil
	}
	if err != nil {
		return tokenLookup{}, err
	}
	if refusal := refusalOf(tok, now); refusal != nil {
		refusal.epoch, refusal.loadedAt = epoch, now
		a.refused.Add(hash, *refusal)
		return tokenLookup{refusal: refusal}, nil
	}
	v, err := a.userViewer(sys, tok.Edges.Owner, "")
	if err != nil {
		return tokenLookup{}, err
	}
	restrictToToken(v, tok)
	a.tokens.Add(hash, cachedCaller{viewer: *v, epoch: epoch, loadedAt: now})
	return tokenLookup{caller: *v}, nil
}

// refusalOf says why tok, with its owner, is refused at now, or returns nil
// when it is not. A nil tok is a secret that no token has.
func refusalOf(tok *ent.APIToken, now time.Time) *cachedRefusal {
	switch {
	case tok == nil:
		return &cachedRefusal{err: errUnknown}
	case tok.RevokedAt != nil:
		return &cachedRefusal{err: errRevoked, tokenID: tok.ID, why: "revoked"}
	case tok.ExpiresAt != nil && !tok.ExpiresAt.After(now):
		return &cachedRefusal{err: errExpired, tokenID: tok.ID, why: "expired"}
	case !tok.Edges.Owner.Active:
		return &cachedRefusal{err: errInactive}
	case tok.Edges.Owner.Role != user.RoleADMIN && !tok.Edges.Owner.APIAccess:
		return &cachedRefusal{err: errNoAccess}
	}
	return nil
}

// restrictToToken narrows v, the viewer of tok's owner, to what tok allows.
func restrictToToken(v *viewer.Viewer, tok *ent.APIToken) {
	v.TokenID, v.ReadOnly, v.TokenExpiresAt = tok.ID, tok.ReadOnly, tok.ExpiresAt
	if len(tok.Edges.AllowedProjects) > 0 {
		v.AllowedProjects = make([]string, 0, len(tok.Edges.AllowedProjects))
		for _, p := range tok.Edges.AllowedProjects {
			v.AllowedProjects = append(v.AllowedProjects, p.ID)
		}
	}
}

// userViewer loads what the privacy rules need to know about u: their role
// and memberships, read once per request.
func (a *authenticator) userViewer(sys context.Context, u *ent.User, ip string) (*viewer.Viewer, error) {
	v := &viewer.Viewer{
		UserID: u.ID, Admin: u.Role == user.RoleADMIN, APIAccess: u.APIAccess || u.Role == user.RoleADMIN, IP: ip,
		ProjectRoles: map[string]role.Role{}, TeamRoles: map[string]role.Role{},
	}
	pms, err := a.client.ProjectMembership.Query().Where(projectmembership.UserID(u.ID)).All(sys)
	if err != nil {
		return nil, fmt.Errorf("loading project memberships: %w", err)
	}
	for _, m := range pms {
		v.ProjectRoles[m.ProjectID] = m.Role
	}
	tms, err := a.client.TeamMembership.Query().Where(teammembership.UserID(u.ID)).All(sys)
	if err != nil {
		return nil, fmt.Errorf("loading team memberships: %w", err)
	}
	for _, m := range tms {
		v.TeamRoles[m.TeamID] = m.Role
	}
	if v.ManagedProjects, err = managedProjects(sys, a.client, v); err != nil {
		return nil, fmt.Errorf("loading managed projects: %w", err)
	}
	return v, nil
}

// managedProjects lists the projects on which v is MANAGER through a
// membership: those that decide who sees personal data.
func managedProjects(sys context.Context, client *ent.Client, v *viewer.Viewer) (map[string]bool, error) {
	managed := map[string]bool{}
	for id, r := range v.ProjectRoles {
		if r == role.Manager {
			managed[id] = true
		}
	}
	var teams []string
	for id, r := range v.TeamRoles {
		if r == role.Manager {
			teams = append(teams, id)
		}
	}
	if len(teams) == 0 {
		return managed, nil
	}
	ids, err := client.Project.Query().Where(project.TeamIDIn(teams...)).IDs(sys)
	for _, id := range ids {
		managed[id] = true
	}
	return managed, err
}

// refuse returns why c refuses a token, after auditing the refused use of a
// revoked or expired one: served from the cache or not, the audit is the same.
func (a *authenticator) refuse(sys context.Context, c cachedRefusal, ip string) error {
	if c.tokenID != "" {
		a.auditRefusal(sys, c.tokenID, ip, c.why)
	}
	return c.err
}

// auditRefusal records a refused use of a revoked or expired token, within
// the bounds described on authenticator.
func (a *authenticator) auditRefusal(sys context.Context, tokenID, ip, why string) {
	now := time.Now()
	a.mu.Lock()
	recent := now.Sub(a.lastAudit[tokenID]) < time.Minute
	if !recent {
		if len(a.lastAudit) > 10000 {
			clear(a.lastAudit) // bounded memory; at worst a token is audited twice in a minute
		}
		a.lastAudit[tokenID] = now
	}
	a.mu.Unlock()
	if recent || !a.refusals.Allow() {
		return
	}
	err := token.Audit(sys, a.client, auditevent.ActionTOKEN_REFUSED, token.Actor{IP: ip}, tokenID, map[string]any{"reason": why})
	if err != nil {
		a.logger.Error("recording a refused token use failed", "error", err)
	}
}
