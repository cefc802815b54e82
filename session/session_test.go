package session_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"engage/ent"
	"engage/ent/privacy"
	"engage/session"
	"engage/testdb"
)

func newStore(t *testing.T) (*session.Store, *ent.Client) {
	t.Helper()
	client := testdb.Open(t).Ent
	return session.NewStore(client), client
}

func mustFind(t *testing.T, s *session.Store, token string) []byte {
	t.Helper()
	b, found, err := s.Find(token)
	if err != nil {
		t.Fatalf("Find(%s): %v", token, err)
	}
	if !found {
		t.Fatalf("Find(%s): not found", token)
	}
	return b
}

func mustNotFind(t *testing.T, s *session.Store, token string) {
	t.Helper()
	b, found, err := s.Find(token)
	if err != nil || found || b != nil {
		t.Fatalf("Find(%s) = %q, %v, %v; want nil, false, nil", token, b, found, err)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "tok1", []byte("hello"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b := mustFind(t, s, "tok1"); !bytes.Equal(b, []byte("hello")) {
		t.Errorf("Find = %q, want hello", b)
	}
	b, found, err := s.FindCtx(ctx, "tok1")
	if err != nil || !found || string(b) != "hello" {
		t.Errorf("FindCtx = %q, %v, %v", b, found, err)
	}
	mustNotFind(t, s, "unknown")

	if err := s.Delete("tok1"); err != nil {
		t.Fatal(err)
	}
	mustNotFind(t, s, "tok1")
	if err := s.DeleteCtx(ctx, "tok1"); err != nil {
		t.Errorf("deleting a missing token: %v", err)
	}
}

func TestStoreExpiredNotFound(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Commit("old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	mustNotFind(t, s, "old")
}

// Expiries in any time zone compare by instant, not by their text: SQLite
// stores times as text.
func TestStoreTimeZones(t *testing.T) {
	s, _ := newStore(t)
	east := time.FixedZone("east", 14*3600)
	west := time.FixedZone("west", -12*3600)
	if err := s.Commit("live", []byte("x"), time.Now().Add(time.Minute).In(west)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("dead", []byte("x"), time.Now().Add(-time.Minute).In(east)); err != nil {
		t.Fatal(err)
	}
	mustFind(t, s, "live")
	mustNotFind(t, s, "dead")
}

func TestStoreCommitTwiceUpdates(t *testing.T) {
	s, client := newStore(t)
	if err := s.Commit("tok", []byte("first"), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(3 * time.Hour)
	if err := s.Commit("tok", []byte("second"), later); err != nil {
		t.Fatal(err)
	}
	if b := mustFind(t, s, "tok"); string(b) != "second" {
		t.Errorf("Find = %q, want second", b)
	}
	rows, err := client.Session.Query().All(testdb.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	if d := rows[0].Expiry.Sub(later); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("expiry = %v, want %v", rows[0].Expiry, later)
	}
	// Committing an expired token's row again revives it with the new expiry.
	if err := s.Commit("tok", []byte("third"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	mustNotFind(t, s, "tok")
	if err := s.Commit("tok", nil, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b := mustFind(t, s, "tok"); len(b) != 0 {
		t.Errorf("Find = %q, want empty", b)
	}
}

func TestStoreCleanup(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	for token, expiry := range map[string]time.Time{
		"dead1": time.Now().Add(-time.Hour),
		"dead2": time.Now().Add(-time.Second),
		"live1": time.Now().Add(time.Hour),
		"live2": time.Now().Add(12 * time.Hour),
	} {
		if err := s.CommitCtx(ctx, token, []byte(token), expiry); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Cleanup deleted %d sessions, want 2", n)
	}
	ids, err := client.Session.Query().IDs(testdb.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Errorf("left %v, want live1 and live2", ids)
	}
	mustFind(t, s, "live1")
	mustFind(t, s, "live2")
	if n, err := s.Cleanup(ctx); n != 0 || err != nil {
		t.Errorf("second Cleanup = %d, %v; want 0, nil", n, err)
	}
}

// The Session policy still denies every context but the store's.
func TestSessionsPrivate(t *testing.T) {
	s, client := newStore(t)
	if err := s.Commit("tok", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Session.Query().All(context.Background()); !errors.Is(err, privacy.Deny) {
		t.Errorf("query without a decision: err = %v, want privacy.Deny", err)
	}
	if err := client.Session.Create().SetID("x").SetData(nil).SetExpiry(time.Now()).Exec(context.Background()); !errors.Is(err, privacy.Deny) {
		t.Errorf("create without a decision: err = %v, want privacy.Deny", err)
	}
}

func TestManager(t *testing.T) {
	client := testdb.Open(t).Ent
	sm := session.NewManager(client, true)
	c := sm.Cookie
	if c.Name != "engage_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || !c.Secure || c.Path != "/" {
		t.Errorf("cookie settings = %+v", c)
	}
	if sm.Lifetime != 12*time.Hour || sm.IdleTimeout != 2*time.Hour {
		t.Errorf("lifetime %v, idle timeout %v", sm.Lifetime, sm.IdleTimeout)
	}
	if session.NewManager(client, false).Cookie.Secure {
		t.Error("Secure set with secureCookie false")
	}

	// An anonymous session with a value, saved: its token is known.
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if id := session.UserID(ctx, sm); id != "" {
		t.Errorf("UserID of a new session = %q", id)
	}
	sm.Put(ctx, "theme", "dark")
	before, _, err := sm.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Login renews the token and keeps the values.
	ctx, err = sm.Load(context.Background(), before)
	if err != nil {
		t.Fatal(err)
	}
	if err := session.Login(ctx, sm, "USR_1"); err != nil {
		t.Fatal(err)
	}
	after, _, err := sm.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Fatal("Login kept the session token")
	}
	loaded := func(token string) context.Context {
		t.Helper()
		ctx, err := sm.Load(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	if id := session.UserID(loaded(before), sm); id != "" {
		t.Errorf("the token from before login resolves to %q", id)
	}
	ctx = loaded(after)
	if id := session.UserID(ctx, sm); id != "USR_1" {
		t.Errorf("UserID = %q, want USR_1", id)
	}
	if theme := sm.GetString(ctx, "theme"); theme != "dark" {
		t.Errorf("theme = %q, want dark", theme)
	}

	if err := session.Logout(ctx, sm); err != nil {
		t.Fatal(err)
	}
	if id := session.UserID(loaded(after), sm); id != "" {
		t.Errorf("after Logout, UserID = %q", id)
	}
}

// Concurrent commits of one new token all succeed: a create that loses the
// race falls back to an update.
func TestStoreConcurrentCommit(t *testing.T) {
	s, client := newStore(t)
	errs := make(chan error, 8)
	for i := range cap(errs) {
		go func() {
			errs <- s.Commit("tok", []byte{byte(i)}, time.Now().Add(time.Hour))
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n, err := client.Session.Query().Count(testdb.System()); n != 1 || err != nil {
		t.Errorf("%d rows, %v; want 1", n, err)
	}
}

// TestClaim: of concurrent claims of one key, exactly one wins; later ones
// lose; other keys are free; no session token finds a claim.
func TestClaim(t *testing.T) {
	client := testdb.Open(t).Ent
	sm := session.NewManager(client, false)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)

	const callers = 8
	won := make(chan bool, callers)
	for range callers {
		go func() {
			ok, err := session.Claim(ctx, sm, "form-nonce-1", expiry)
			if err != nil {
				t.Error(err)
			}
			won <- ok
		}()
	}
	winners := 0
	for range callers {
		if <-won {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d concurrent claims of one key: got %d winners, want 1", callers, winners)
	}
	if ok, err := session.Claim(ctx, sm, "form-nonce-1", expiry); ok || err != nil {
		t.Errorf("claiming a claimed key again: got %v, %v; want false, nil", ok, err)
	}
	if ok, err := session.Claim(ctx, sm, "form-nonce-2", expiry); !ok || err != nil {
		t.Errorf("claiming another key: got %v, %v; want true, nil", ok, err)
	}
	mustNotFind(t, sm.Store.(*session.Store), "form-nonce-1")
}
