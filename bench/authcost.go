package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"engage/api"
	"engage/config"
	"engage/database"
	"engage/ent"
	"engage/ent/projectmembership"
	"engage/ent/teammembership"
	"engage/graph"
	"engage/role"
	"engage/rule"
	"engage/server"
	"engage/session"
	"engage/token"
	"engage/usage"
	"engage/viewer"
)

// measureAuthCost compares, in this process and without the network, the
// nested query through the whole API handler with a token (server.New: request
// log, CORS, sessions, CSRF, body limit, token authentication from its
// cache, depth and complexity limits) with the same query through a bare
// gqlgen server of graph.NewSchema whose request context already carries
// the viewer. Each client alternates the two, so both see the same load.
// The difference bounds what token authentication adds; the cost of the
// token checks themselves (checksum and SHA-256, the work of a cache hit
// besides a map lookup) is timed apart.
// authOverhead is what the whole handler adds over an in-process viewer,
// as a fraction of the latter's mean latency, with the number of samples.
type authOverhead struct {
	fraction float64
	samples  int
}

func measureAuthCost(ctx context.Context, o options, ds *dataset) (overhead map[int]authOverhead, err error) {
	db, err := database.Open(ds.url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	cfg := config.Default()
	cfg.DatabaseURL = ds.url
	// Each handler would have its own line of operations, and which line a
	// request joins would weigh more than what it costs: with a turn for
	// every client, both kinds wait only for the CPUs, which they share.
	cfg.MaxConcurrentOperations = o.concurrency
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	full := server.New(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger)})
	bare := bareGraphQL(db, cfg)

	users := []benchUser{ds.editor, ds.viewer}
	viewers := make([]*viewer.Viewer, len(users))
	for i, u := range users {
		if viewers[i], err = loadViewer(rule.System(ctx), db.Ent, u.id); err != nil {
			return nil, err
		}
	}
	request := func(h http.Handler, i int, withToken bool) error {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(nestedBody))
		req.Header.Set("Content-Type", "application/json")
		if withToken {
			req.Header.Set("Authorization", "Bearer "+users[i].token)
		} else {
			v := *viewers[i]
			req = req.WithContext(viewer.NewContext(req.Context(), &v))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
			return fmt.Errorf("status %d: %.300s", w.Code, w.Body.String())
		}
		return nil
	}
	newOp := func(worker int) op {
		i := worker
		return func(ctx context.Context, _ *rand.Rand) (string, error) {
			i++
			if i%2 == 0 {
				return "token, full handler", request(full, (i/2)%2, true)
			}
			return "in-process viewer", request(bare, (i/2)%2, false)
		}
	}
	// At one client the latency is the service time; at the load's
	// concurrency, it is mostly waiting for the CPU, shared by both kinds.
	var inProcess, oneClient time.Duration
	overhead = map[int]authOverhead{}
	for _, clients := range []int{1, o.concurrency} {
		log.Printf("measuring token-authentication overhead for %s at %d clients", o.duration, clients)
		name := fmt.Sprintf("token auth vs in-process viewer (nested, in process, %d clients)", clients)
		r := drive(ctx, name, clients, o.warmup, o.duration, newOp, nil)
		r.print()
		mean, lat := latencyByKind(r)
		withToken := mean["token, full handler"]
		inProcess = mean["in-process viewer"]
		p50t, p50v := pct(lat["token, full handler"], 50), pct(lat["in-process viewer"], 50)
		overhead[clients] = authOverhead{float64(withToken-inProcess) / float64(inProcess), len(lat["in-process viewer"])}
		if clients == 1 {
			oneClient = inProcess
		}
		fmt.Printf("at %d clients: mean latency with a token %s, with an in-process viewer %s: the whole handler adds %.1f%% (p50: %.1f%%); target for token auth < 5%%\n\n",
			clients, ms(withToken), ms(inProcess), 100*float64(withToken-inProcess)/float64(inProcess), 100*float64(p50t-p50v)/float64(p50v))
	}

	printTokenCheckCost(ds.editor.token, oneClient)
	return overhead, nil
}

// latencyByKind returns the mean latency of each kind of request of r, and
// the latencies of each kind, sorted.
func latencyByKind(r *runResult) (map[string]time.Duration, map[string][]time.Duration) {
	mean := map[string]time.Duration{}
	lat := map[string][]time.Duration{}
	for _, s := range r.samples {
		mean[s.kind] += s.lat
		lat[s.kind] = append(lat[s.kind], s.lat)
	}
	for k := range mean {
		mean[k] /= time.Duration(max(1, len(lat[k])))
		sort.Slice(lat[k], func(i, j int) bool { return lat[k][i] < lat[k][j] })
	}
	return mean, lat
}

// printTokenCheckCost times the token checks of every request, cache hit
// or not, against the in-process viewer's mean latency at one client.
func printTokenCheckCost(secret string, oneClient time.Duration) {
	const n = 200000
	start := time.Now()
	for range n {
		if token.Check(secret) == nil {
			_ = token.Hash(secret)
		}
	}
	per := time.Since(start) / n
	fmt.Printf("token.Check + token.Hash: %s per request, %.4f%% of the in-process viewer's mean latency at 1 client\n\n",
		per, 100*float64(per)/float64(oneClient))
}

// bareGraphQL is the GraphQL endpoint without the API's middleware and
// authentication: graph.NewSchema with the API's transport, a query cache,
// gqlgen's own complexity limit in place of api's limits, and the
// transactioner of mutations.
func bareGraphQL(db *database.DB, cfg config.Config) http.Handler {
	srv := handler.New(graph.NewSchema(db.Ent, cfg.TokenMaxLifetime))
	srv.AddTransport(api.Transport{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.Use(entgql.Transactioner{TxOpener: db.Ent})
	return srv
}

// loadViewer builds the viewer that api's authenticator builds for a STAFF
// user with an unrestricted token: their memberships, and the projects they
// manage (none in the bench data).
func loadViewer(sys context.Context, c *ent.Client, userID string) (*viewer.Viewer, error) {
	v := &viewer.Viewer{UserID: userID, APIAccess: true, IP: "127.0.0.1",
		ProjectRoles: map[string]role.Role{}, TeamRoles: map[string]role.Role{}, ManagedProjects: map[string]bool{}}
	pms, err := c.ProjectMembership.Query().Where(projectmembership.UserID(userID)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, m := range pms {
		v.ProjectRoles[m.ProjectID] = m.Role
	}
	tms, err := c.TeamMembership.Query().Where(teammembership.UserID(userID)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, m := range tms {
		v.TeamRoles[m.TeamID] = m.Role
	}
	return v, nil
}
