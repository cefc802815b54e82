package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"entgo.io/contrib/entgql"

	"engage/config"
	"engage/database"
	"engage/server"
	"engage/session"
	"engage/usage"
)

// This file checks the SQL the API generates: it captures the statements
// of one request through an in-process API handler whose ent driver records
// them, runs EXPLAIN (ANALYZE, BUFFERS) on each, and reports
// their time, the indexes they use and the tables they scan whole. It also
// times a deep cursor page against the first page through the server, and
// checks that the page's SQL is a keyset query (no OFFSET).

// deepQuery pages through every response the caller sees, as clients
// page: with pageInfo.
const deepQuery = `query Deep($after: Cursor, $order: [ResponseOrder!]) { responses(first: 10, after: $after, orderBy: $order) {
	edges { node { id submittedAt } } pageInfo { hasNextPage endCursor } } }`

// deepEdgesQuery is deepQuery without pageInfo: the next cursor is the
// last edge's.
const deepEdgesQuery = `query Deep($after: Cursor, $order: [ResponseOrder!]) { responses(first: 10, after: $after, orderBy: $order) {
	edges { cursor node { id submittedAt } } } }`

// example is a query to explain, as one user.
type example struct {
	label string
	token string
	query string
	vars  map[string]any
}

// statement is one SQL statement with its arguments.
type statement struct {
	query string
	args  []any
}

// capture keeps the SQL statements the API sends while on, with their
// arguments as the driver gets them, not as printed: it is the Before of
// the API database's database.StatementCounter.
type capture struct {
	mu    sync.Mutex
	on    bool
	stmts []statement
}

func (c *capture) record(query string, args any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		a, _ := args.([]any)
		c.stmts = append(c.stmts, statement{query, a})
	}
}

// explainQueries runs the checks of this file and prints a summary; the
// full plans go to explain.txt in the output folder.
func explainQueries(ctx context.Context, o options, ds *dataset, client *apiClient) error {
	plain, err := sql.Open("postgres", ds.url)
	if err != nil {
		return err
	}
	defer plain.Close()
	cp := new(capture)
	db, err := database.OpenWrapped(ds.url, (&database.StatementCounter{Before: cp.record}).Wrap)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg := config.Default()
	cfg.DatabaseURL = ds.url
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.New(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger)})
	out, err := os.Create(filepath.Join(o.out, "explain.txt"))
	if err != nil {
		return err
	}
	defer out.Close()

	deep, err := deepPagination(ctx, client, ds, plain)
	if err != nil {
		return err
	}
	var pinID string
	if err := plain.QueryRowContext(ctx, `SELECT id FROM pins WHERE project_id = (SELECT id FROM projects WHERE slug = $1) ORDER BY id LIMIT 1`, ds.exampleSlug).Scan(&pinID); err != nil {
		return err
	}
	examples := append([]example{
		{"nested as editor", ds.editor.token, nestedQuery, nil},
		{"nested as viewer", ds.viewer.token, nestedQuery, nil},
		{"node(response) as editor", ds.editor.token, nodeQuery, map[string]any{"id": ds.visibleResponses[ds.editor.id][0]}},
	}, deep...)
	examples = append(examples, docExamples(ds, pinID)...)

	fmt.Printf("== EXPLAIN ANALYZE of the generated SQL (full plans in %s)\n", out.Name())
	for _, u := range []benchUser{ds.editor, ds.viewer} {
		summary, plan := explain(ctx, plain, statement{floorQuery, []any{u.id}})
		fmt.Printf("-- floor as %s\n   [1] %s\n", strings.Split(u.email, "@")[0], summary)
		fmt.Fprintf(out, "\n######## floor as %s\n%s\n", u.email, plan)
	}
	for _, ex := range examples {
		stmts, err := captureRequest(ctx, h, cp, ex)
		if err != nil {
			return fmt.Errorf("%s: %w", ex.label, err)
		}
		fmt.Printf("-- %s: %d statements\n", ex.label, len(stmts))
		fmt.Fprintf(out, "\n######## %s\n%s\n", ex.label, ex.query)
		for i, st := range stmts {
			summary, plan := explain(ctx, plain, st)
			fmt.Printf("   [%d] %s\n", i+1, summary)
			fmt.Fprintf(out, "\n---- [%d] %s\n     args %v\n%s\n", i+1, st.query, st.args, plan)
		}
	}
	fmt.Println()
	return nil
}

// captureRequest runs ex through h and returns the statements it sent. A
// first request authenticates the token, so that only the query's own
// statements are captured, as on a server whose token cache is warm.
func captureRequest(ctx context.Context, h http.Handler, cp *capture, ex example) ([]statement, error) {
	do := func(body []byte) (string, error) {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+ex.token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
			return "", fmt.Errorf("status %d: %.500s", w.Code, w.Body.String())
		}
		return w.Body.String(), nil
	}
	if _, err := do(mustJSON(map[string]any{"query": "{ __typename }"})); err != nil {
		return nil, err
	}
	cp.mu.Lock()
	cp.on, cp.stmts = true, nil
	cp.mu.Unlock()
	_, err := do(mustJSON(map[string]any{"query": ex.query, "variables": ex.vars}))
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.on = false
	return cp.stmts, err
}

var (
	execTime   = regexp.MustCompile(`Execution Time: ([\d.]+) ms`)
	indexUse   = regexp.MustCompile(`(?:Index Scan|Index Only Scan)(?: Backward)? using (\S+) on (\S+)|Bitmap Index Scan on (\S+)`)
	seqScan    = regexp.MustCompile(`Seq Scan on (\S+).*actual time=\S+ rows=(\d+) loops=(\d+)`)
	sortMethod = regexp.MustCompile(`Sort Method: ([^\n]+)`)
	fromTable  = regexp.MustCompile(`(?i)FROM "?(\w+)`)
	jitTime    = regexp.MustCompile(`JIT:[\s\S]*?Timing: .*Total ([\d.]+) ms`)
)

// explain runs EXPLAIN ANALYZE on a logged statement and returns a one-line
// summary and the plan.
func explain(ctx context.Context, db *sql.DB, st statement) (summary, plan string) {
	query := st.query
	table := "?"
	if m := fromTable.FindStringSubmatch(query); m != nil {
		table = m[1]
	}
	rows, err := db.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, st.args...)
	if err != nil {
		return fmt.Sprintf("%s: EXPLAIN failed: %v", table, err), ""
	}
	var b strings.Builder
	for rows.Next() {
		var l string
		_ = rows.Scan(&l)
		b.WriteString(l + "\n")
	}
	rows.Close()
	plan = b.String()

	var parts []string
	if m := execTime.FindStringSubmatch(plan); m != nil {
		parts = append(parts, m[1]+" ms")
	}
	if m := jitTime.FindStringSubmatch(plan); m != nil {
		parts = append(parts, "JIT compilation "+m[1]+" ms of it")
	}
	parts = append(parts, "from "+table)
	idx := map[string]bool{}
	for _, m := range indexUse.FindAllStringSubmatch(plan, -1) {
		idx[m[1]+m[3]] = true
	}
	if len(idx) > 0 {
		parts = append(parts, "indexes: "+strings.Join(sortedKeys(idx), ", "))
	}
	seq := map[string]bool{}
	for _, m := range seqScan.FindAllStringSubmatch(plan, -1) {
		seq[fmt.Sprintf("%s (%s rows × %s)", m[1], m[2], m[3])] = true
	}
	if len(seq) > 0 {
		parts = append(parts, "seq scans: "+strings.Join(sortedKeys(seq), ", "))
	}
	sorts := map[string]bool{}
	for _, m := range sortMethod.FindAllStringSubmatch(plan, -1) {
		sorts[strings.TrimSpace(m[1])] = true
	}
	if len(sorts) > 0 {
		parts = append(parts, "sorts: "+strings.Join(sortedKeys(sorts), ", "))
	}
	if regexp.MustCompile(`(?i)\bOFFSET\b`).MatchString(query) {
		parts = append(parts, "OFFSET in the SQL")
	}
	return strings.Join(parts, "; "), plan
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// deepPagination times, through the server, the first page of responses
// and a page 90% deep, reached by a cursor made for the row there (as
// the pagers make them: base64 of msgpack {id, values}), as the admin (every
// response) and as the editor (filtered), ordered by ID and by
// submittedAt. It returns the deep pages as examples to explain.
func deepPagination(ctx context.Context, c *apiClient, ds *dataset, db *sql.DB) ([]example, error) {
	type target struct {
		who   benchUser
		order string // "" for the default (ID)
		from  string // SQL listing the responses the user sees
	}
	adminFrom := `SELECT r.id, r.submitted_at FROM responses r`
	editorFrom := `SELECT r.id, r.submitted_at FROM responses r JOIN surveys s ON s.id = r.survey_id JOIN visible v ON v.id = s.project_id
		WHERE s.status <> 'DRAFT' OR v.editor`
	targets := []target{
		{ds.admin, "", adminFrom}, {ds.editor, "", editorFrom},
		{ds.admin, "SUBMITTED_AT", adminFrom}, {ds.editor, "SUBMITTED_AT", editorFrom},
	}
	fmt.Println("== Deep cursor pages: responses(first: 10, after: cursor of the row 90% deep), through the server, median of 25")
	fmt.Printf("   %-28s %10s %16s %16s %22s\n", "", "rows seen", "1st page p50", "deep page p50", "deep, no pageInfo p50")
	var examples []example
	for _, t := range targets {
		orderSQL, vars := "r.id", map[string]any{}
		if t.order != "" {
			orderSQL = "r.submitted_at, r.id"
			vars["order"] = map[string]any{"field": t.order, "direction": "ASC"}
		}
		var total int64
		if err := db.QueryRowContext(ctx, visibleProjectsCTE+` SELECT count(*) FROM (`+t.from+`) x`, t.who.id).Scan(&total); err != nil {
			return nil, err
		}
		var (
			id string
			at time.Time
		)
		q := visibleProjectsCTE + ` SELECT id, submitted_at FROM (` + t.from + ` ORDER BY ` + orderSQL + ` OFFSET $2 LIMIT 1) x`
		if err := db.QueryRowContext(ctx, q, t.who.id, total*9/10).Scan(&id, &at); err != nil {
			return nil, err
		}
		cursor := entgql.Cursor[string]{ID: id} // ordered by ID alone: no values
		if t.order != "" {
			cursor.Value = []any{at} // one value per key of the ordering
		}
		var buf bytes.Buffer
		cursor.MarshalGQL(&buf)
		deepVars := map[string]any{"after": strings.Trim(buf.String(), `"`)}
		for k, v := range vars {
			deepVars[k] = v
		}
		first, err := timePage(ctx, c, t.who.token, deepQuery, vars, "")
		if err != nil {
			return nil, err
		}
		deep, err := timePage(ctx, c, t.who.token, deepQuery, deepVars, id)
		if err != nil {
			return nil, err
		}
		edges, err := timePage(ctx, c, t.who.token, deepEdgesQuery, deepVars, id)
		if err != nil {
			return nil, err
		}
		label := fmt.Sprintf("as %s, by %s", strings.Split(t.who.email, "@")[0], map[string]string{"": "ID", "SUBMITTED_AT": "submittedAt"}[t.order])
		fmt.Printf("   %-28s %10d %16s %16s %22s\n", label, total, ms(first), ms(deep), ms(edges))
		examples = append(examples,
			example{"deep page " + label, t.who.token, deepQuery, deepVars},
			example{"deep page without pageInfo " + label, t.who.token, deepEdgesQuery, deepVars})
	}
	fmt.Println()
	return examples, nil
}

// timePage requests a page 25 times and returns the median latency; when
// after is set, it checks that the page starts after that response.
func timePage(ctx context.Context, c *apiClient, tok, query string, vars map[string]any, after string) (time.Duration, error) {
	body := mustJSON(map[string]any{"query": query, "variables": vars})
	var lat []time.Duration
	for range 25 {
		start := time.Now()
		status, b, err := c.post(ctx, tok, bytes.NewReader(body))
		lat = append(lat, time.Since(start))
		if err != nil || status != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
			return 0, fmt.Errorf("deep page: status %d, %v: %.300s", status, err, b)
		}
		var page struct {
			Data struct {
				Responses struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		if err := json.Unmarshal(b, &page); err != nil || len(page.Data.Responses.Edges) != 10 {
			return 0, fmt.Errorf("deep page: want 10 edges: %.300s", b)
		}
		if after != "" && page.Data.Responses.Edges[0].Node.ID == after {
			return 0, fmt.Errorf("deep page: the page does not start after the cursor")
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return pct(lat, 50), nil
}

// docExamples are the read examples of the API documentation
// (web/examples), on the bench data, as the editor.
func docExamples(ds *dataset, pinID string) []example {
	tok := ds.editor.token
	return []example{
		{"example analyst-export", tok, `query($slug: String!) { projects(first: 1, where: {slug: $slug}) { edges { node { title
			surveys(first: 10, orderBy: {field: TITLE, direction: ASC}) { edges { node { title status
				questions(first: 20, orderBy: {field: POSITION, direction: ASC}) { edges { node { id position kind prompt } } }
				responses(first: 10, orderBy: {field: SUBMITTED_AT, direction: ASC}) { totalCount pageInfo { hasNextPage endCursor }
					edges { node { submittedAt respondentName respondentEmail answers(first: 20) { edges { node { questionID value } } } } } } } } } } } } }`,
			map[string]any{"slug": ds.exampleSlug}},
		{"example responses-in-period", tok, `query($from: Time!, $to: Time!, $survey: String!) { responses(first: 5,
			where: {submittedAtGTE: $from, submittedAtLT: $to, hasSurveyWith: [{title: $survey}]}, orderBy: {field: SUBMITTED_AT, direction: DESC}) {
			totalCount edges { node { submittedAt respondentName survey { title } } } } }`,
			map[string]any{"from": "2025-06-01T00:00:00Z", "to": "2025-07-01T00:00:00Z", "survey": ds.exampleSurvey}},
		{"example projects-by-status", tok, `{ projects(first: 20, where: {statusIn: [DRAFT, ARCHIVED, PUBLISHED]}, orderBy: {field: UPDATED_AT, direction: DESC}) {
			totalCount edges { node { title status updatedAt team { name } } } } }`, nil},
		{"example moderation-queue", tok, `{ pins(first: 5, where: {status: PENDING}, orderBy: {field: CREATED_AT, direction: ASC}) {
			totalCount edges { node { id category body authorName authorEmail createdAt map { title project { title } } } } } }`, nil},
		{"example maps-with-pins", tok, `query($slug: String!) { projects(first: 1, where: {slug: $slug}) { edges { node { title
			maps(first: 5) { edges { node { title pins(first: 3, orderBy: {field: CREATED_AT, direction: ASC}) { totalCount
				edges { node { id latitude longitude category body authorName status createdAt } } } } } } } } } }`,
			map[string]any{"slug": ds.exampleSlug}},
		{"example pin-with-comments", tok, `query($id: ID!) { node(id: $id) { id ... on Pin { category body status map { title }
			comments(first: 20, orderBy: {field: CREATED_AT, direction: ASC}) { totalCount edges { node { body authorName status createdAt } } } } } }`,
			map[string]any{"id": pinID}},
	}
}
