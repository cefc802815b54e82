package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"engage/config"
	"engage/database"
	"engage/ent"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/token"
	"engage/usage"
)

// instance is one server process: its own database pool, caches and
// change listener, on a database other instances may share.
type instance struct {
	*harness
	statements *atomic.Int64
}

func newInstance(t *testing.T, url string) *instance {
	t.Helper()
	var statements atomic.Int64
	db, err := database.Open(url, ent.Debug(), ent.Log(func(args ...any) {
		if strings.Contains(fmt.Sprint(args...), "query=") {
			statements.Add(1)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.ListenForChanges(t.Context(), logger); err != nil {
		t.Fatal(err)
	}
	rec := usage.New(db.Ent, logger)
	h := server.New(server.Deps{DB: db, Config: config.Default(), Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: rec})
	return &instance{harness: &harness{t: t, db: db, handler: h, usage: rec}, statements: &statements}
}

// TestTokenCallersAreCachedAndInvalidatedEverywhere: after a token's first
// use, authenticating it needs no query; a change on another instance (or
// this one) reaches every instance within a second.
func TestTokenCallersAreCachedAndInvalidatedEverywhere(t *testing.T) {
	url := testdb.URL(t)
	a := newInstance(t, url)
	b := a // SQLite: one process serves
	if testdb.Dialect() == "postgres" {
		b = newInstance(t, url)
	}
	u := a.db.Ent.User.Create().SetEmail("c@example.test").SetName("C").SetAPIAccess(true).SaveX(system())
	secret := a.mint(token.Spec{OwnerID: u.ID, Name: "cached"})
	other := a.mint(token.Spec{OwnerID: u.ID, Name: "other"})

	const noData = `{ __typename }` // needs no query of its own
	a.mustDo(secret, noData, nil, nil)
	before := a.statements.Load()
	a.mustDo(secret, noData, nil, nil)
	if n := a.statements.Load() - before; n != 0 {
		t.Errorf("a cached token's request ran %d statements, want 0", n)
	}

	// Revoke it through the other instance, with the owner's other token.
	var me struct {
		Viewer struct {
			APITokens struct {
				Edges []struct{ Node struct{ ID, Name string } }
			}
		}
	}
	b.mustDo(other, `{ viewer { apiTokens { edges { node { id name } } } } }`, nil, &me)
	var id string
	for _, e := range me.Viewer.APITokens.Edges {
		if e.Node.Name == "cached" {
			id = e.Node.ID
		}
	}
	b.mustDo(other, `mutation($id: ID!) { revokeAPIToken(id: $id) { revokedAt } }`, map[string]any{"id": id}, nil)

	deadline := time.Now().Add(time.Second) // the promise: every instance within one second
	for {
		resp := a.do(secret, noData, nil)
		if resp.Status == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked token still works on the other instance after 1 s (status %d)", resp.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Deactivating the owner on one instance stops their tokens on the other.
	b.mustDo(other, noData, nil, nil) // cached on b
	admin := a.admin()
	a.mustDo(admin, `mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }`, map[string]any{"id": u.ID}, nil)
	deadline = time.Now().Add(time.Second)
	for b.do(other, noData, nil).Status != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("a deactivated owner's token still works on the other instance after 1 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkCachedTokenRequest times a request whose token's caller is
// cached, through the whole handler of an instance wired as engage serve
// wires it (change listener included): what authentication costs each
// request once the cache is warm. It runs on SQLite, or on PostgreSQL with
// TEST_DATABASE_URL.
func BenchmarkCachedTokenRequest(b *testing.B) {
	db := testdb.Open(b)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.ListenForChanges(b.Context(), logger); err != nil {
		b.Fatal(err)
	}
	h := server.New(server.Deps{DB: db, Config: config.Default(), Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger)})
	u := db.Ent.User.Create().SetEmail("bench@example.test").SetName("Bench").SetAPIAccess(true).SaveX(system())
	_, secret, err := token.Mint(system(), db.Ent, token.Spec{OwnerID: u.ID, Name: "bench"}, token.Actor{})
	if err != nil {
		b.Fatal(err)
	}
	request := func() int {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if got := request(); got != http.StatusOK { // fills the cache
		b.Fatalf("status: got %d, want 200", got)
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			request()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if got := request(); got != http.StatusOK {
					b.Errorf("status: got %d, want 200", got)
					return
				}
			}
		})
	})
}

// TestConcurrentMissesShareOneLoad: requests that find a token's caller
// missing from the cache at the same moment (a burst after a restart) load
// it once between them, instead of each taking connections from the pool
// for the same rows.
func TestConcurrentMissesShareOneLoad(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{countStatements: true, beforeStatement: func(line string) {
		if strings.Contains(line, "secret_hash") {
			time.Sleep(50 * time.Millisecond) // keeps the first load open while the others arrive
		}
	}})
	owner := h.db.Ent.User.Create().SetEmail("burst@example.test").SetName("Burst").SetRole("ADMIN").SaveX(system())
	first, burst := h.mint(token.Spec{OwnerID: owner.ID, Name: "first"}), h.mint(token.Spec{OwnerID: owner.ID, Name: "burst"})

	before := h.statements.Load()
	if resp := h.do(first, `{ __typename }`, nil); resp.Status != http.StatusOK {
		t.Fatalf("one request: status %d, errors %+v", resp.Status, resp.Errors)
	}
	one := h.statements.Load() - before

	const clients = 16
	before = h.statements.Load()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			if resp := h.do(burst, `{ __typename }`, nil); resp.Status != http.StatusOK {
				t.Errorf("a request of the burst: status %d, errors %+v", resp.Status, resp.Errors)
			}
		})
	}
	wg.Wait()
	if got := h.statements.Load() - before; got > one {
		t.Errorf("%d requests missing the cache at once ran %d statements; one load runs %d", clients, got, one)
	}
}
