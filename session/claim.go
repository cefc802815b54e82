package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/alexedwards/scs/v2"

	"engage/ent"
	"engage/rule"
)

// claimPrefix starts the row ID of a claim. Session rows are 64 hex
// digits, so no session token can ever find a claim, nor a claim a session.
const claimPrefix = "claim:"

// Claim records key as used until expiry, and reports whether this call was
// the first to use it: of any number of concurrent calls, in any number of
// server processes, exactly one gets true. The web pages claim the one-time
// nonce of a form, so that a form sent twice (a double click, a reload, Back)
// acts once. The row is the session table's, removed by Cleanup once
// expired; only a hash of key is stored.
func Claim(ctx context.Context, sm *scs.SessionManager, key string, expiry time.Time) (bool, error) {
	store, ok := sm.Store.(*Store)
	if !ok {
		return false, errors.New("claiming a key: the sessions are not in the database")
	}
	sum := sha256.Sum256([]byte(key))
	err := store.client.Session.Create().SetID(claimPrefix + hex.EncodeToString(sum[:])).
		SetData([]byte{}).SetExpiry(expiry.UTC()).Exec(rule.System(ctx))
	if ent.IsConstraintError(err) {
		return false, nil
	}
	return err == nil, wrap("claiming a key", err)
}
