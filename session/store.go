package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"

	"engage/ent"
	entsession "engage/ent/session"
	"engage/rule"
)

// Store keeps scs sessions in the database, in the ent Session entity. It
// starts no goroutine: the caller runs Cleanup now and then to remove expired
// rows, which Find ignores meanwhile. Its reads and writes run as
// rule.System: the Session policy denies everyone else, so the store is the
// one path to the table.
type Store struct {
	client *ent.Client
}

var (
	_ scs.Store    = (*Store)(nil)
	_ scs.CtxStore = (*Store)(nil)
)

// NewStore returns a store that keeps sessions through client.
func NewStore(client *ent.Client) *Store {
	return &Store{client: client}
}

// key is the row ID of a session token: its SHA-256, so that the token, a
// credential, is never stored nor sent to the database (where statement
// logs could show it), as API tokens are.
func key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// now is the current time in UTC. Times are always written and compared in
// UTC: the SQLite driver stores them as text, which orders correctly only
// when every value has the same offset.
func now() time.Time { return time.Now().UTC() }

// Find returns the data of the session token, if it exists and has not expired.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// FindCtx returns the data of the session token, if it exists and has not
// expired.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	row, err := s.client.Session.Query().
		Where(entsession.ID(key(token)), entsession.ExpiryGT(now())).
		Only(rule.System(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, false, nil
	case err != nil:
		// Errors never include the token: it is a credential.
		return nil, false, fmt.Errorf("finding session: %w", err)
	}
	return row.Data, true, nil
}

// Commit saves the data of the session token with its expiry, replacing what
// the token had.
func (s *Store) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// CommitCtx saves the data of the session token with its expiry, replacing
// what the token had.
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	ctx, id := rule.System(ctx), key(token)
	expiry = expiry.UTC()
	if b == nil {
		b = []byte{} // the column is NOT NULL
	}
	// Without ent's upsert feature: update, else create. Should a concurrent
	// request create the same token between the two, the create fails on the
	// primary key and the update is tried once more.
	update := func() error {
		return s.client.Session.UpdateOneID(id).SetData(b).SetExpiry(expiry).Exec(ctx)
	}
	err := update()
	if !ent.IsNotFound(err) {
		return wrap("saving session", err)
	}
	err = s.client.Session.Create().SetID(id).SetData(b).SetExpiry(expiry).Exec(ctx)
	if ent.IsConstraintError(err) {
		err = update()
	}
	return wrap("saving session", err)
}

// Delete removes the session token; a missing token is not an error.
func (s *Store) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteCtx removes the session token; a missing token is not an error.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.client.Session.Delete().Where(entsession.ID(key(token))).Exec(rule.System(ctx))
	return wrap("deleting session", err)
}

// Cleanup deletes the expired sessions and returns how many it deleted. Run
// it periodically, for example every few minutes from the server's own loop.
func (s *Store) Cleanup(ctx context.Context) (int, error) {
	n, err := s.client.Session.Delete().Where(entsession.ExpiryLTE(now())).Exec(rule.System(ctx))
	return n, wrap("deleting expired sessions", err)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
