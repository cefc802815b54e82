package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"engage/ent"
	"engage/ent/auditevent"
	"engage/rule"
)

// ErrInvalidSpec marks a request for a token that cannot be honoured as
// asked, such as an expiry in the past; its message says why.
var ErrInvalidSpec = errors.New("invalid token request")

// Spec describes a token to mint.
type Spec struct {
	OwnerID     string
	Name        string
	Description string     // optional
	ExpiresAt   *time.Time // nil: never, unless MaxLifetime applies
	ReadOnly    bool
	ProjectIDs  []string // empty: every project the owner can reach
	// MaxLifetime, when positive, is the site's longest token lifetime: a
	// token without an expiry gets one, and a later expiry is refused.
	MaxLifetime time.Duration
}

// Actor is who changes a token, for the audit trail: empty for an operator
// at the command line.
type Actor struct {
	UserID string
	IP     string
}

// Mint creates a token as spec says and records a TOKEN_CREATED event. It
// returns the token and its secret, which exists nowhere else: only its hash
// is stored. The privacy rules of package rule decide whether ctx may mint
// it; run it in the transaction of the request.
func Mint(ctx context.Context, client *ent.Client, spec Spec, actor Actor) (*ent.APIToken, string, error) {
	name, err := cleanName(spec.Name)
	if err != nil {
		return nil, "", err
	}
	description, err := cleanDescription(spec.Description)
	if err != nil {
		return nil, "", err
	}
	expires, err := expiry(spec.ExpiresAt, spec.MaxLifetime, time.Now())
	if err != nil {
		return nil, "", err
	}
	secret := Generate()
	tok, err := client.APIToken.Create().
		SetOwnerID(spec.OwnerID).
		SetName(name).
		SetDescription(description).
		SetPrefix(Display(secret)).
		SetSecretHash(Hash(secret)).
		SetReadOnly(spec.ReadOnly).
		SetNillableExpiresAt(expires).
		AddAllowedProjectIDs(spec.ProjectIDs...).
		Save(ctx)
	if err != nil {
		return nil, "", err
	}
	details := map[string]any{"name": name, "readOnly": spec.ReadOnly, "projectIDs": spec.ProjectIDs}
	if expires != nil {
		details["expiresAt"] = expires.UTC().Format(time.RFC3339)
	}
	if err := Audit(ctx, client, auditevent.ActionTOKEN_CREATED, actor, tok.ID, details); err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// Rotate gives a live token a new secret; the old one stops working at once.
func Rotate(ctx context.Context, client *ent.Client, id string, actor Actor) (*ent.APIToken, string, error) {
	tok, err := client.APIToken.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if tok.RevokedAt != nil || (tok.ExpiresAt != nil && !tok.ExpiresAt.After(time.Now())) {
		return nil, "", fmt.Errorf("%w: only a live token can be rotated; this one is revoked or expired", ErrInvalidSpec)
	}
	secret := Generate()
	tok, err = client.APIToken.UpdateOneID(id).SetPrefix(Display(secret)).SetSecretHash(Hash(secret)).Save(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := Audit(ctx, client, auditevent.ActionTOKEN_ROTATED, actor, id, map[string]any{"prefix": tok.Prefix}); err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// Rename changes a token's name and, when description is not nil, its
// description.
func Rename(ctx context.Context, client *ent.Client, id, name string, description *string, actor Actor) (*ent.APIToken, error) {
	name, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	update := client.APIToken.UpdateOneID(id).SetName(name)
	details := map[string]any{"name": name}
	if description != nil {
		d, err := cleanDescription(*description)
		if err != nil {
			return nil, err
		}
		update.SetDescription(d)
		details["description"] = d
	}
	tok, err := update.Save(ctx)
	if err != nil {
		return nil, err
	}
	return tok, Audit(ctx, client, auditevent.ActionTOKEN_RENAMED, actor, id, details)
}

// Revoke stops a token for good. Revoking a revoked token changes nothing
// and records nothing.
func Revoke(ctx context.Context, client *ent.Client, id string, actor Actor) (*ent.APIToken, error) {
	tok, err := client.APIToken.Get(ctx, id)
	if err != nil || tok.RevokedAt != nil {
		return tok, err
	}
	tok, err = client.APIToken.UpdateOneID(id).SetRevokedAt(time.Now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	return tok, Audit(ctx, client, auditevent.ActionTOKEN_REVOKED, actor, id, nil)
}

// Audit records an event about a token. Events are written by the system on
// behalf of whoever acted, never by callers directly: this is one of the
// narrow paths that bypass privacy.
func Audit(ctx context.Context, client *ent.Client, action auditevent.Action, actor Actor, tokenID string, details map[string]any) error {
	create := client.AuditEvent.Create().SetAction(action).SetIP(actor.IP).SetTokenID(tokenID).SetDetails(details)
	if actor.UserID != "" {
		create.SetActorID(actor.UserID)
	}
	return create.Exec(rule.System(ctx))
}

func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", fmt.Errorf("%w: the name must have 1 to 100 characters", ErrInvalidSpec)
	}
	return name, nil
}

func cleanDescription(description string) (string, error) {
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > 500 {
		return "", fmt.Errorf("%w: the description must have at most 500 characters", ErrInvalidSpec)
	}
	return description, nil
}

// expiry applies the site's maximum lifetime to a requested expiry.
func expiry(requested *time.Time, maxLifetime time.Duration, now time.Time) (*time.Time, error) {
	if requested != nil && !requested.After(now) {
		return nil, fmt.Errorf("%w: expiresAt must be in the future", ErrInvalidSpec)
	}
	if maxLifetime <= 0 {
		return requested, nil
	}
	limit := now.Add(maxLifetime)
	if requested == nil {
		return &limit, nil
	}
	if requested.After(limit) {
		return nil, fmt.Errorf("%w: expiresAt is beyond this server's longest token lifetime of %s", ErrInvalidSpec, maxLifetime)
	}
	return requested, nil
}
