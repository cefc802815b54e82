package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/config"
	"engage/database"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/projectmembership"
	"engage/ent/survey"
	"engage/ent/team"
	"engage/ent/teammembership"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/rule"
	"engage/testdb"
	"engage/token"
)

// This file tests the API tokens of PRODUCT.md section 3 through the real
// HTTP handler: authentication and its 401 answers, hashed storage, the
// lifecycle mutations, owner changes, the limits on who may mint what,
// visibility, the audit trail, login sessions and the usage counters.

// clientIP is the address httptest gives every request.
const clientIP = "192.0.2.1"

// challenge is the WWW-Authenticate header of every 401.
const challenge = `Bearer realm="engage", error="invalid_token"`

// storeToken writes a token with ent directly, bypassing every rule of Mint
// and of the privacy policy, such as an expiry in the past or the limit of
// live tokens.
func storeToken(h *apitest.Server, ownerID, name string, expiresAt *time.Time) (*ent.APIToken, string) {
	secret := token.Generate()
	tok := h.DB.Ent.APIToken.Create().SetOwnerID(ownerID).SetName(name).
		SetPrefix(token.Display(secret)).SetSecretHash(token.Hash(secret)).
		SetNillableExpiresAt(expiresAt).SaveX(testdb.System())
	return tok, secret
}

// userID is the ID of the user with email.
func userID(h *apitest.Server, email string) string {
	return h.DB.Ent.User.Query().Where(user.Email(email)).OnlyIDX(testdb.System())
}

// projectID is the ID of the project with slug.
func projectID(h *apitest.Server, slug string) string {
	return h.DB.Ent.Project.Query().Where(project.Slug(slug)).OnlyIDX(testdb.System())
}

// checkUnauthenticated checks that resp is the 401 of PRODUCT.md section 3
// with a message containing wantMessage, and returns the message.
func checkUnauthenticated(t *testing.T, resp apitest.RawResponse, wantMessage string) string {
	t.Helper()
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("status: got %d, want 401", resp.Status)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != challenge {
		t.Errorf("WWW-Authenticate: got %q, want %q", got, challenge)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(resp.Body), &keys); err != nil {
		t.Errorf("body is not a JSON object: %v\n%s", err, resp.Body)
		return ""
	}
	if _, ok := keys["data"]; ok {
		t.Errorf("body has a data key, want none: %s", resp.Body)
	}
	var body struct{ Errors []apitest.Error }
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || len(body.Errors) != 1 {
		t.Errorf("body: got %s, want one error", resp.Body)
		return ""
	}
	e := body.Errors[0]
	if code := e.Extensions["code"]; code != "UNAUTHENTICATED" {
		t.Errorf("errors[0].extensions.code: got %v, want UNAUTHENTICATED", code)
	}
	if !strings.Contains(e.Message, wantMessage) {
		t.Errorf("message: got %q, want one containing %q", e.Message, wantMessage)
	}
	return e.Message
}

// checkRefused checks that resp failed with one error of code whose message
// contains wantMessage. The code and the message are checked separately, so
// that a failure says which is wrong.
func checkRefused(t *testing.T, resp apitest.Response, code, wantMessage string) {
	t.Helper()
	if !reflect.DeepEqual(resp.Codes(), []string{code}) {
		t.Errorf("codes: got %v (errors %+v), want [%s]", resp.Codes(), resp.Errors, code)
		return
	}
	if msg := resp.Errors[0].Message; !strings.Contains(msg, wantMessage) {
		t.Errorf("%s message: got %q, want one containing %q", code, msg, wantMessage)
	}
}

// typo changes the character at i of secret into another base62 character.
func typo(secret string, i int) string {
	b := []byte(secret)
	if b[i] == 'x' {
		b[i] = 'y'
	} else {
		b[i] = 'x'
	}
	return string(b)
}

// randomPart is the 32 random characters of a secret.
func randomPart(secret string) string {
	return secret[len(token.Prefix) : len(token.Prefix)+32]
}

// TestTokenAuthenticationFailures: every request without a valid token is
// refused with a 401 that says why; typos and malformed tokens cost no
// database query; tokens that never existed cannot be told apart.
func TestTokenAuthenticationFailures(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	good := h.Mint(token.Spec{OwnerID: staff.ID, Name: "good"})
	revokedTok, revoked := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "revoked"})
	if _, err := token.Revoke(ctx, h.DB.Ent, revokedTok.ID, token.Actor{}); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	past := time.Now().Add(-time.Hour)
	_, expired := storeToken(h, staff.ID, "expired", &past)
	inactive := h.NewUser("inactive@example.test", user.RoleSTAFF, true, false)
	inactiveSecret := h.Mint(token.Spec{OwnerID: inactive.ID, Name: "inactive owner"})
	noAPI := h.NewUser("no-api@example.test", user.RoleSTAFF, false, true)
	noAPISecret := h.Mint(token.Spec{OwnerID: noAPI.ID, Name: "owner without API access"})
	adminNoAPI := h.NewUser("admin@example.test", user.RoleADMIN, false, true)
	adminNoAPISecret := h.Mint(token.Spec{OwnerID: adminNoAPI.ID, Name: "admin without API access"})

	badChecksum := good[:len(good)-6] + "000000"
	if badChecksum == good {
		badChecksum = good[:len(good)-6] + "zzzzzz"
	}
	const query = `{ viewer { user { id } } }`
	cases := []struct {
		name          string
		authorization string // the whole header; "" for none
		message       string // what the message must say
		noQuery       bool   // refused without any SQL statement
	}{
		{"no Authorization header", "", "authentication required", true},
		{"Basic scheme", "Basic " + "c3RhZmY6cGFzc3dvcmQ=", "must be Bearer", true},
		{"Basic scheme with a real token", "Basic " + good, "must be Bearer", true},
		{"wrong prefix", "Bearer ghp_" + good[len(token.Prefix):], "does not begin with", true},
		{"too short", "Bearer " + good[:len(good)-1], "characters long", true},
		{"character outside base62", "Bearer " + good[:10] + "-" + good[11:], "outside", true},
		{"bad checksum", "Bearer " + badChecksum, "checksum", true},
		{"typo in the first random character", "Bearer " + typo(good, len(token.Prefix)), "checksum", true},
		{"typo in the middle", "Bearer " + typo(good, 20), "checksum", true},
		{"typo in the checksum", "Bearer " + typo(good, len(good)-1), "checksum", true},
		{"unknown token", "Bearer " + token.Generate(), "not valid", false},
		{"expired token", "Bearer " + expired, "expired", false},
		{"revoked token", "Bearer " + revoked, "revoked", false},
		{"owner deactivated", "Bearer " + inactiveSecret, "deactivated", false},
		{"STAFF owner without API access", "Bearer " + noAPISecret, "API access", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := apitest.GraphQLRequest(query, nil)
			if c.authorization != "" {
				req.Header.Set("Authorization", c.authorization)
			}
			before := h.Statements.Count()
			resp := h.Serve(req)
			statements := h.Statements.Count() - before
			checkUnauthenticated(t, resp, c.message)
			if c.noQuery && statements != 0 {
				t.Errorf("refusing it took %d SQL statements, want none", statements)
			}
			if _, credential, _ := strings.Cut(c.authorization, " "); len(credential) > 8 && strings.Contains(resp.Body, credential) {
				t.Errorf("the response repeats the credential: %s", resp.Body)
			}
		})
	}

	t.Run("tokens that do not exist are not told apart", func(t *testing.T) {
		deletedTok, deleted := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "deleted"})
		h.DB.Ent.AuditEvent.Delete().Where(auditevent.TokenID(deletedTok.ID)).ExecX(ctx)
		h.DB.Ent.APIToken.DeleteOneID(deletedTok.ID).ExecX(ctx)
		first := checkUnauthenticated(t, h.DoRaw(token.Generate(), query, nil), "")
		second := checkUnauthenticated(t, h.DoRaw(token.Generate(), query, nil), "")
		gone := checkUnauthenticated(t, h.DoRaw(deleted, query, nil), "")
		if first != second || first != gone {
			t.Errorf("messages differ: two unknown tokens got %q and %q, a deleted one %q", first, second, gone)
		}
	})

	t.Run("valid tokens still work", func(t *testing.T) {
		// Also proves that the statement counter counts.
		for name, secret := range map[string]string{"STAFF with API access": good, "ADMIN without API access": adminNoAPISecret} {
			before := h.Statements.Count()
			resp := h.DoRaw(secret, query, nil)
			if resp.Status != http.StatusOK || len(resp.GraphQL(t).Errors) > 0 {
				t.Errorf("%s: got status %d, body %s; want 200 without errors", name, resp.Status, resp.Body)
			}
			if h.Statements.Count() == before {
				t.Errorf("%s: the statement counter did not move for a request that reads the database", name)
			}
		}
	})
}

// everyValue reads every row of every table straight from the database and
// returns, per table, each value as text.
func everyValue(t *testing.T, db *database.DB) map[string][]string {
	t.Helper()
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect == dialect.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`
	}
	var tables []string
	rows, err := db.SQL.Query(list)
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("listing tables: %v", err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	if !slices.Contains(tables, "api_tokens") || !slices.Contains(tables, "audit_events") {
		t.Fatalf("tables %v lack api_tokens or audit_events", tables)
	}
	out := map[string][]string{}
	for _, table := range tables {
		out[table] = readTable(t, db.SQL, table)
	}
	return out
}

func readTable(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	var out []string
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		for _, v := range values {
			switch v := v.(type) {
			case nil:
			case []byte:
				out = append(out, string(v))
			default:
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	return out
}

type tokenWithSecret struct {
	Token struct {
		ID, Name, Prefix string
		ReadOnly         bool
		ExpiresAt        *time.Time
		RevokedAt        *time.Time
		Owner            struct{ ID string }
	}
	Secret string
}

const tokenFields = `id name prefix readOnly expiresAt revokedAt owner { id }`

const createMutation = `mutation($input: CreateAPITokenInput!) { createAPIToken(input: $input) { token { ` + tokenFields + ` } secret } }`

const rotateMutation = `mutation($id: ID!) { rotateAPIToken(id: $id) { token { ` + tokenFields + ` } secret } }`

// createToken mints a token through createAPIToken, failing the test on error.
func createToken(h *apitest.Server, secret string, input map[string]any) tokenWithSecret {
	var out struct{ CreateAPIToken tokenWithSecret }
	h.MustDo(secret, createMutation, map[string]any{"input": input}, &out)
	return out.CreateAPIToken
}

// rotateToken rotates a token through rotateAPIToken, failing the test on error.
func rotateToken(h *apitest.Server, secret, id string) tokenWithSecret {
	var out struct{ RotateAPIToken tokenWithSecret }
	h.MustDo(secret, rotateMutation, map[string]any{"id": id}, &out)
	return out.RotateAPIToken
}

// TestTokenSecretIsStoredHashed mints and rotates a token through the API,
// uses it, and then looks for its secrets everywhere: in every row of every
// table, in the audit details, in query responses and in the logs (which
// here include every SQL statement with its arguments).
func TestTokenSecretIsStoredHashed(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	admin := h.Admin()
	created := createToken(h, admin, map[string]any{"name": "Export"})
	first := created.Secret
	id := created.Token.ID
	h.MustDo(first, `{ viewer { token { id } } }`, nil, nil)
	second := rotateToken(h, admin, id).Secret
	h.MustDo(second, `{ viewer { token { id } } }`, nil, nil)
	checkUnauthenticated(t, h.DoRaw(first, `{ viewer { token { id } } }`, nil), "not valid")
	if err := h.Usage.Flush(context.Background()); err != nil {
		t.Fatalf("flushing usage: %v", err)
	}
	if err := token.Check(first); err != nil {
		t.Fatalf("createAPIToken returned a malformed secret: %v", err)
	}
	if first == second {
		t.Fatalf("rotation kept the secret")
	}
	secrets := map[string]string{
		"the created secret":           first,
		"the created secret's random":  randomPart(first),
		"the rotated secret":           second,
		"the rotated secret's random":  randomPart(second),
		"the created secret, unprefix": first[len(token.Prefix):],
	}
	hashes := map[string]string{"the created secret's hash": token.Hash(first), "the rotated secret's hash": token.Hash(second)}

	t.Run("database", func(t *testing.T) {
		tables := everyValue(t, h.DB)
		for table, values := range tables {
			for _, v := range values {
				for what, s := range secrets {
					if strings.Contains(v, s) {
						t.Errorf("table %s holds %s: %q", table, what, v)
					}
				}
			}
		}
		// The scan sees what is stored: the hash of the live secret.
		if !slices.Contains(tables["api_tokens"], token.Hash(second)) {
			t.Errorf("api_tokens does not hold the SHA-256 of the live secret; values: %q", tables["api_tokens"])
		}
	})

	t.Run("audit details", func(t *testing.T) {
		events := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(id)).AllX(testdb.System())
		if len(events) < 2 {
			t.Fatalf("got %d audit events about the token, want at least its creation and rotation", len(events))
		}
		for _, e := range events {
			details, _ := json.Marshal(e.Details)
			for what, s := range merge(secrets, hashes) {
				if strings.Contains(string(details), s) {
					t.Errorf("%s event details hold %s: %s", e.Action, what, details)
				}
			}
		}
	})

	t.Run("query responses", func(t *testing.T) {
		const all = `query($id: ID!) {
			node(id: $id) { ... on APIToken { id name prefix readOnly expiresAt lastUsedAt lastUsedIP useCount revokedAt createdAt updatedAt ownerID owner { id } } }
			apiTokens { edges { node { id name prefix owner { id } } } }
			viewer { token { id prefix } apiTokens { edges { node { id name prefix } } } }
			auditEvents { edges { node { action ip details token { id prefix } } } }
		}`
		for who, secret := range map[string]string{"the admin who minted it": admin, "the token itself": second} {
			resp := h.DoRaw(secret, all, map[string]any{"id": id})
			if resp.Status != http.StatusOK || len(resp.GraphQL(t).Errors) > 0 || !strings.Contains(resp.Body, id) {
				t.Fatalf("%s: got status %d, body %s; want the token", who, resp.Status, resp.Body)
			}
			for what, s := range merge(secrets, hashes) {
				if strings.Contains(resp.Body, s) {
					t.Errorf("queried by %s, the response holds %s: %s", who, what, resp.Body)
				}
			}
		}
	})

	t.Run("logs", func(t *testing.T) {
		logs := h.Logs.String()
		if !strings.Contains(logs, "query=") || !strings.Contains(logs, "request_id=") {
			t.Fatalf("the logs lack the SQL statements or the request log:\n%s", logs)
		}
		for what, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("the logs hold %s", what)
			}
		}
	})
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// nodeVisible reports whether node(id) returns the object to secret, and
// checks that a hidden object looks like a missing one: node null and
// NOT_FOUND.
func nodeVisible(t *testing.T, h *apitest.Server, secret, id string) bool {
	t.Helper()
	resp := h.Do(secret, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	if len(resp.Errors) == 0 {
		var out struct{ Node struct{ ID string } }
		if err := json.Unmarshal(resp.Data, &out); err != nil || out.Node.ID != id {
			t.Errorf("node(%s): got %s, want the object", id, resp.Data)
		}
		return true
	}
	if string(resp.Data) != `{"node":null}` || !reflect.DeepEqual(resp.Codes(), []string{"NOT_FOUND"}) {
		t.Errorf("node(%s) of a hidden object: got data %s, errors %+v; want node null and [NOT_FOUND]", id, resp.Data, resp.Errors)
	}
	return false
}

// projectSlugs lists the slugs of the projects secret sees, sorted, and
// checks totalCount against the list.
func projectSlugs(t *testing.T, h *apitest.Server, secret string) []string {
	t.Helper()
	var out struct {
		Projects struct {
			TotalCount int
			Edges      []struct{ Node struct{ Slug string } }
		}
	}
	h.MustDo(secret, `{ projects(first: 100) { totalCount edges { node { slug } } } }`, nil, &out)
	var slugs []string
	for _, e := range out.Projects.Edges {
		slugs = append(slugs, e.Node.Slug)
	}
	if out.Projects.TotalCount != len(slugs) {
		t.Errorf("projects totalCount %d, but %d projects listed", out.Projects.TotalCount, len(slugs))
	}
	slices.Sort(slugs)
	return slugs
}

// openSlugs lists, sorted, the slugs of the projects every STAFF user sees
// as VIEWER: those without a team or in an open team.
func openSlugs(h *apitest.Server) []string {
	slugs := h.DB.Ent.Project.Query().
		Where(project.Or(project.TeamIDIsNil(), project.HasTeamWith(team.Restricted(false)))).
		Select(project.FieldSlug).StringsX(testdb.System())
	slices.Sort(slugs)
	return slugs
}

// TestTokenLifecycle creates, uses, rotates, revokes and renames tokens
// through the GraphQL mutations, on the demo data.
func TestTokenLifecycle(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	editor := tokens["editor"]
	editorID := userID(h, "editor@demo.engage.test")

	t.Run("create returns the token and a secret that works at once", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "  Power BI export  "})
		if err := token.Check(c.Secret); err != nil {
			t.Errorf("secret %q: %v", c.Secret, err)
		}
		if c.Token.Prefix != token.Display(c.Secret) || !strings.HasPrefix(c.Secret, c.Token.Prefix) {
			t.Errorf("prefix: got %q, want %q", c.Token.Prefix, token.Display(c.Secret))
		}
		if c.Token.Name != "Power BI export" || c.Token.ReadOnly || c.Token.ExpiresAt != nil || c.Token.Owner.ID != editorID {
			t.Errorf("token: got %+v, want name %q, not read-only, no expiry, owner %s", c.Token, "Power BI export", editorID)
		}
		var who struct {
			Viewer struct {
				User  struct{ ID string }
				Token *struct{ ID string }
			}
		}
		h.MustDo(c.Secret, `{ viewer { user { id } token { id } } }`, nil, &who)
		if who.Viewer.User.ID != editorID || who.Viewer.Token == nil || who.Viewer.Token.ID != c.Token.ID {
			t.Errorf("viewer: got %+v, want user %s and token %s", who.Viewer, editorID, c.Token.ID)
		}
	})

	t.Run("a read-only token runs no mutation", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Read only", "readOnly": true})
		if !c.Token.ReadOnly {
			t.Fatalf("readOnly: got false, want true")
		}
		h.MustDo(c.Secret, `{ projects { totalCount } }`, nil, nil)
		for name, m := range map[string]string{
			"renaming itself":  `mutation($id: ID!) { renameAPIToken(id: $id, name: "Renamed") { id } }`,
			"revoking itself":  `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`,
			"editing a survey": `mutation($id: ID!) { updateSurvey(id: $id, input: {title: "Changed"}) { id } }`,
		} {
			id := c.Token.ID
			if name == "editing a survey" {
				id = h.DB.Ent.Survey.Query().Where(survey.HasProjectWith(project.Slug("downtown-bike-network"))).FirstIDX(testdb.System())
			}
			t.Run(name, func(t *testing.T) {
				checkRefused(t, h.Do(c.Secret, m, map[string]any{"id": id}), "FORBIDDEN", "read-only")
			})
		}
		if tok := h.DB.Ent.APIToken.GetX(testdb.System(), c.Token.ID); tok.Name != "Read only" || tok.RevokedAt != nil {
			t.Errorf("after the refused mutations the token is %q, revoked at %v", tok.Name, tok.RevokedAt)
		}
	})

	t.Run("a token with projectIDs sees only those projects", func(t *testing.T) {
		want := []string{"budget-priorities-2027", "downtown-bike-network"}
		c := createToken(h, editor, map[string]any{"name": "Two projects", "projectIDs": []string{projectID(h, want[0]), projectID(h, want[1])}})
		if got := projectSlugs(t, h, c.Secret); !slices.Equal(got, want) {
			t.Errorf("projects: got %q, want %q", got, want)
		}
		if !nodeVisible(t, h, editor, projectID(h, "main-street-plan")) {
			t.Fatalf("the editor's unlimited token does not see main-street-plan")
		}
		if nodeVisible(t, h, c.Secret, projectID(h, "main-street-plan")) {
			t.Errorf("the limited token sees main-street-plan through node")
		}
	})

	t.Run("rotation", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "To rotate"})
		r := rotateToken(h, editor, c.Token.ID)
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "not valid")
		var who struct {
			Viewer struct{ Token struct{ ID, Prefix string } }
		}
		h.MustDo(r.Secret, `{ viewer { token { id prefix } } }`, nil, &who)
		if who.Viewer.Token.ID != c.Token.ID {
			t.Errorf("the new secret authenticates token %s, want the same token %s", who.Viewer.Token.ID, c.Token.ID)
		}
		if r.Token.Prefix == c.Token.Prefix || r.Token.Prefix != token.Display(r.Secret) || who.Viewer.Token.Prefix != r.Token.Prefix {
			t.Errorf("prefix: before %q, after %q (queried %q), want a new one, %q", c.Token.Prefix, r.Token.Prefix, who.Viewer.Token.Prefix, token.Display(r.Secret))
		}
		if r.Token.Name != "To rotate" {
			t.Errorf("rotation changed the name to %q", r.Token.Name)
		}
	})

	t.Run("revocation is immediate and idempotent", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "To revoke"})
		h.MustDo(c.Secret, `{ viewer { user { id } } }`, nil, nil)
		const revoke = `mutation($id: ID!) { revokeAPIToken(id: $id) { id revokedAt } }`
		var first, again struct {
			RevokeAPIToken struct{ RevokedAt *time.Time }
		}
		h.MustDo(editor, revoke, map[string]any{"id": c.Token.ID}, &first)
		if first.RevokeAPIToken.RevokedAt == nil {
			t.Fatalf("revokedAt is null after revokeAPIToken")
		}
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "revoked")
		h.MustDo(editor, revoke, map[string]any{"id": c.Token.ID}, &again)
		if again.RevokeAPIToken.RevokedAt == nil || !again.RevokeAPIToken.RevokedAt.Equal(*first.RevokeAPIToken.RevokedAt) {
			t.Errorf("revoking again: revokedAt %v, want unchanged %v", again.RevokeAPIToken.RevokedAt, first.RevokeAPIToken.RevokedAt)
		}
		n := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(c.Token.ID), auditevent.ActionEQ(auditevent.ActionTOKEN_REVOKED)).CountX(testdb.System())
		if n != 1 {
			t.Errorf("TOKEN_REVOKED events: got %d, want 1", n)
		}
		checkUnauthenticated(t, h.DoRaw(c.Secret, `{ viewer { user { id } } }`, nil), "revoked")
	})

	t.Run("a revoked token cannot be rotated back to life", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Revoked, then rotated"})
		h.MustDo(editor, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": c.Token.ID}, nil)
		resp := h.Do(editor, rotateMutation, map[string]any{"id": c.Token.ID})
		checkRefused(t, resp, "BAD_USER_INPUT", "revoked")
		if tok := h.DB.Ent.APIToken.GetX(testdb.System(), c.Token.ID); tok.Prefix != c.Token.Prefix {
			t.Errorf("the refused rotation changed the prefix from %q to %q", c.Token.Prefix, tok.Prefix)
		}
	})

	t.Run("rename", func(t *testing.T) {
		c := createToken(h, editor, map[string]any{"name": "Old name"})
		var out struct{ RenameAPIToken struct{ Name string } }
		h.MustDo(editor, `mutation($id: ID!) { renameAPIToken(id: $id, name: " New name ") { name } }`, map[string]any{"id": c.Token.ID}, &out)
		var read struct{ Node struct{ Name string } }
		h.MustDo(editor, `query($id: ID!) { node(id: $id) { ... on APIToken { name } } }`, map[string]any{"id": c.Token.ID}, &read)
		if out.RenameAPIToken.Name != "New name" || read.Node.Name != "New name" {
			t.Errorf("name: mutation returned %q, node reads %q; want %q", out.RenameAPIToken.Name, read.Node.Name, "New name")
		}
		h.MustDo(c.Secret, `{ viewer { user { id } } }`, nil, nil) // renaming does not stop it
		resp := h.Do(editor, `mutation($id: ID!) { renameAPIToken(id: $id, name: "  ") { name } }`, map[string]any{"id": c.Token.ID})
		checkRefused(t, resp, "BAD_USER_INPUT", "name")
	})
}

// TestOwnerChangesTakeEffectOnNextRequest: a token acts with its owner's
// rights as they are at each request.
func TestOwnerChangesTakeEffectOnNextRequest(t *testing.T) {
	t.Run("deactivation and API access", func(t *testing.T) {
		h := apitest.New(t)
		admin := h.Admin()
		staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
		secret := h.Mint(token.Spec{OwnerID: staff.ID, Name: "export"})
		const who = `{ viewer { user { id } } }`
		update := func(input map[string]any) {
			t.Helper()
			h.MustDo(admin, `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }`,
				map[string]any{"id": staff.ID, "input": input}, nil)
		}
		h.MustDo(secret, who, nil, nil)
		update(map[string]any{"active": false})
		checkUnauthenticated(t, h.DoRaw(secret, who, nil), "deactivated")
		update(map[string]any{"active": true})
		h.MustDo(secret, who, nil, nil)
		update(map[string]any{"apiAccess": false})
		checkUnauthenticated(t, h.DoRaw(secret, who, nil), "API access")
		update(map[string]any{"apiAccess": true})
		h.MustDo(secret, who, nil, nil)
		// Promoted to ADMIN, API access no longer matters.
		update(map[string]any{"apiAccess": false, "role": "ADMIN"})
		h.MustDo(secret, who, nil, nil)
	})

	h := apitest.New(t)
	tokens := h.Demo()
	admin, editor, viewer := tokens["admin"], tokens["editor"], tokens["viewer"]
	ctx := testdb.System()

	t.Run("demotion and removal from a team", func(t *testing.T) {
		editorID := userID(h, "editor@demo.engage.test")
		membership := h.DB.Ent.TeamMembership.Query().Where(teammembership.UserID(editorID)).OnlyX(ctx)
		planning := h.DB.Ent.Team.GetX(ctx, membership.TeamID)
		if planning.Name != "Planning" || planning.Restricted || membership.Role != "EDITOR" {
			t.Fatalf("the editor persona should be EDITOR of the open Planning team, is %s of %s", membership.Role, planning.Name)
		}
		draft := h.DB.Ent.Survey.Query().Where(survey.StatusEQ(survey.StatusDRAFT), survey.HasProjectWith(project.TeamID(planning.ID))).FirstX(ctx)
		slug := h.DB.Ent.Project.GetX(ctx, draft.ProjectID).Slug
		all := h.DB.Ent.Survey.Query().Where(survey.ProjectID(draft.ProjectID)).CountX(ctx)
		published := h.DB.Ent.Survey.Query().Where(survey.ProjectID(draft.ProjectID), survey.StatusNEQ(survey.StatusDRAFT)).CountX(ctx)
		surveyCount := func() int {
			var out struct {
				Projects struct {
					Edges []struct {
						Node struct{ Surveys struct{ TotalCount int } }
					}
				}
			}
			h.MustDo(editor, `query($slug: String!) { projects(where: {slug: $slug}) { edges { node { surveys { totalCount } } } } }`, map[string]any{"slug": slug}, &out)
			if len(out.Projects.Edges) != 1 {
				t.Fatalf("project %s: got %d, want 1", slug, len(out.Projects.Edges))
			}
			return out.Projects.Edges[0].Node.Surveys.TotalCount
		}
		open := openSlugs(h)

		if !nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("as EDITOR of %s, the editor does not see its draft survey %q", planning.Name, draft.Title)
		}
		if got := surveyCount(); got != all {
			t.Errorf("as EDITOR, surveys of %s: got %d, want %d", slug, got, all)
		}

		h.MustDo(admin, `mutation($id: ID!) { updateTeamMembership(id: $id, input: {role: VIEWER}) { role } }`, map[string]any{"id": membership.ID}, nil)
		if nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("demoted to VIEWER, the editor still sees the draft survey %q", draft.Title)
		}
		if got := surveyCount(); got != published {
			t.Errorf("demoted to VIEWER, surveys of %s: got %d, want %d", slug, got, published)
		}

		h.MustDo(admin, `mutation($id: ID!) { deleteTeamMembership(id: $id) }`, map[string]any{"id": membership.ID}, nil)
		if got := projectSlugs(t, h, editor); !slices.Equal(got, open) {
			t.Errorf("out of the team, the editor sees projects %q, want the open-team and teamless ones %q", got, open)
		}
		if nodeVisible(t, h, editor, draft.ID) {
			t.Errorf("out of the team, the editor still sees the draft survey %q", draft.Title)
		}
	})

	t.Run("removal from a project of a restricted team", func(t *testing.T) {
		viewerID := userID(h, "viewer@demo.engage.test")
		membership := h.DB.Ent.ProjectMembership.Query().Where(projectmembership.UserID(viewerID)).OnlyX(ctx)
		p := h.DB.Ent.Project.GetX(ctx, membership.ProjectID)
		if p.TeamID == nil || !h.DB.Ent.Team.GetX(ctx, *p.TeamID).Restricted {
			t.Fatalf("the viewer persona's project %s should belong to a restricted team", p.Slug)
		}
		open := openSlugs(h)
		if got := projectSlugs(t, h, viewer); !slices.Contains(got, p.Slug) {
			t.Fatalf("as a member, the viewer does not see %s: %q", p.Slug, got)
		}
		if !nodeVisible(t, h, viewer, p.ID) {
			t.Fatalf("as a member, the viewer does not see %s through node", p.Slug)
		}
		h.MustDo(admin, `mutation($id: ID!) { deleteProjectMembership(id: $id) }`, map[string]any{"id": membership.ID}, nil)
		if got := projectSlugs(t, h, viewer); !slices.Equal(got, open) {
			t.Errorf("no longer a member, the viewer sees projects %q, want %q", got, open)
		}
		if nodeVisible(t, h, viewer, p.ID) {
			t.Errorf("no longer a member, the viewer still sees %s through node", p.Slug)
		}
	})
}

// TestWhoMayMint: only ADMINs and STAFF with API access mint, and a token
// minted or rotated through a token never exceeds it.
func TestWhoMayMint(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	h.Admin()
	adminID := userID(h, "root@example.test")
	var projects []string
	for _, slug := range []string{"alpha", "bravo", "charlie"} {
		projects = append(projects, h.DB.Ent.Project.Create().SetTitle(slug).SetSlug(slug).SetStatus(project.StatusPUBLISHED).SaveX(ctx).ID)
	}
	a, b, c := projects[0], projects[1], projects[2]
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	staffTokens := func() int { return h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(staff.ID)).CountX(ctx) }

	t.Run("STAFF without API access", func(t *testing.T) {
		const pw = "correct horse battery staple"
		plain := h.NewUser("plain@example.test", user.RoleSTAFF, false, true)
		h.SetPassword(plain.ID, pw)
		cookie := h.Login("plain@example.test", pw)
		resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", createMutation, map[string]any{"input": map[string]any{"name": "Mine"}}))
		checkRefused(t, resp.GraphQL(t), "FORBIDDEN", "API access")
		if n := h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(plain.ID)).CountX(ctx); n != 0 {
			t.Errorf("the refused user has %d tokens", n)
		}
		// Once given API access, the same session mints.
		plain.Update().SetAPIAccess(true).ExecX(ctx)
		resp = h.Serve(apitest.SessionRequest(cookie, "same-origin", createMutation, map[string]any{"input": map[string]any{"name": "Mine"}}))
		if g := resp.GraphQL(t); resp.Status != http.StatusOK || len(g.Errors) > 0 {
			t.Errorf("with API access: got status %d, errors %+v; want a token", resp.Status, g.Errors)
		}
	})

	t.Run("a project-limited token", func(t *testing.T) {
		limited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "A and B", ProjectIDs: []string{a, b}})
		missing := "prj_" + strings.Repeat("A", 22)
		// A project outside the token's list is hidden from the token, so it
		// may be answered as hidden (NOT_FOUND) or as refused (FORBIDDEN),
		// but exactly as a project that does not exist: no hint that it does.
		outside := h.Do(limited, createMutation, map[string]any{"input": map[string]any{"name": "missing", "projectIDs": []string{missing}}})
		if codes := outside.Codes(); !reflect.DeepEqual(codes, []string{"FORBIDDEN"}) && !reflect.DeepEqual(codes, []string{"NOT_FOUND"}) {
			t.Fatalf("minting for a project that does not exist: got %+v, want FORBIDDEN or NOT_FOUND", outside.Errors)
		}
		cases := []struct {
			name     string
			projects []string
			want     string // "ok", "FORBIDDEN", or "as missing": the answer for a project that does not exist
		}{
			{"no projectIDs", nil, "FORBIDDEN"},
			{"a project outside its list", []string{c}, "as missing"},
			{"one project inside, one outside", []string{a, c}, "as missing"},
			{"a subset", []string{a}, "ok"},
			{"the same projects", []string{a, b}, "ok"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				input := map[string]any{"name": tc.name}
				if tc.projects != nil {
					input["projectIDs"] = tc.projects
				}
				before := staffTokens()
				resp := h.Do(limited, createMutation, map[string]any{"input": input})
				if tc.want != "ok" {
					switch tc.want {
					case "FORBIDDEN":
						checkRefused(t, resp, "FORBIDDEN", "project")
					default:
						got, want := resp.Errors, outside.Errors
						if len(got) != 1 || len(want) != 1 || got[0].Message != want[0].Message || !reflect.DeepEqual(got[0].Extensions, want[0].Extensions) {
							t.Errorf("got %+v, want the same answer as for a project that does not exist: %+v", got, want)
						}
					}
					if n := staffTokens(); n != before {
						t.Errorf("the refused mint stored a token: %d tokens, were %d", n, before)
					}
					return
				}
				if len(resp.Errors) > 0 {
					t.Fatalf("got errors %+v, want a token", resp.Errors)
				}
				var out struct{ CreateAPIToken tokenWithSecret }
				_ = json.Unmarshal(resp.Data, &out)
				want := make([]string, 0, len(tc.projects))
				for _, id := range tc.projects {
					want = append(want, h.DB.Ent.Project.GetX(ctx, id).Slug)
				}
				slices.Sort(want)
				if got := projectSlugs(t, h, out.CreateAPIToken.Secret); !slices.Equal(got, want) {
					t.Errorf("the new token sees %q, want %q", got, want)
				}
			})
		}
		// The limit is the token's, not the owner's: without it, C is fine.
		unlimited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "every project"})
		createToken(h, unlimited, map[string]any{"name": "C", "projectIDs": []string{c}})
	})

	t.Run("a token with an expiry", func(t *testing.T) {
		for _, owner := range []struct{ name, id string }{{"STAFF", staff.ID}, {"ADMIN", adminID}} {
			t.Run(owner.name, func(t *testing.T) {
				expires := time.Now().Add(2 * time.Hour).Truncate(time.Second)
				parent := h.Mint(token.Spec{OwnerID: owner.id, Name: "expiring", ExpiresAt: &expires})
				cases := []struct {
					name    string
					expires *time.Time
					ok      bool
				}{
					{"without expiresAt", nil, false},
					{"with a later expiresAt", ptr(expires.Add(time.Hour)), false},
					{"with an earlier expiresAt", ptr(expires.Add(-time.Hour)), true},
					{"with the same expiresAt", &expires, true},
				}
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						input := map[string]any{"name": tc.name}
						if tc.expires != nil {
							input["expiresAt"] = tc.expires.UTC().Format(time.RFC3339)
						}
						resp := h.Do(parent, createMutation, map[string]any{"input": input})
						if !tc.ok {
							checkRefused(t, resp, "FORBIDDEN", "expire")
							return
						}
						var out struct{ CreateAPIToken tokenWithSecret }
						if len(resp.Errors) > 0 || json.Unmarshal(resp.Data, &out) != nil {
							t.Fatalf("got errors %+v, want a token", resp.Errors)
						}
						if got := out.CreateAPIToken.Token.ExpiresAt; got == nil || !got.Equal(*tc.expires) {
							t.Errorf("expiresAt: got %v, want %v", got, *tc.expires)
						}
					})
				}
			})
		}
	})

	t.Run("a read-only token mints nothing", func(t *testing.T) {
		readOnly := h.Mint(token.Spec{OwnerID: staff.ID, Name: "read only", ReadOnly: true})
		for _, input := range []map[string]any{{"name": "writer"}, {"name": "reader", "readOnly": true}} {
			checkRefused(t, h.Do(readOnly, createMutation, map[string]any{"input": input}), "FORBIDDEN", "read-only")
		}
	})

	t.Run("rotating a wider token through a narrower one", func(t *testing.T) {
		unlimitedTok, unlimited := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "every project"})
		limited := h.Mint(token.Spec{OwnerID: staff.ID, Name: "A and B", ProjectIDs: []string{a, b}})
		checkRefused(t, h.Do(limited, rotateMutation, map[string]any{"id": unlimitedTok.ID}), "FORBIDDEN", "project")
		expires := time.Now().Add(time.Hour)
		expiring := h.Mint(token.Spec{OwnerID: staff.ID, Name: "expiring", ExpiresAt: &expires})
		checkRefused(t, h.Do(expiring, rotateMutation, map[string]any{"id": unlimitedTok.ID}), "FORBIDDEN", "expire")
		h.MustDo(unlimited, `{ viewer { user { id } } }`, nil, nil) // not rotated
		// A token within the limits may be rotated.
		narrowTok, _ := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "A", ProjectIDs: []string{a}})
		rotateToken(h, limited, narrowTok.ID)
	})

	t.Run("100 live tokens per user", func(t *testing.T) {
		for _, owner := range []struct{ name, email string }{{"STAFF", "hundred@example.test"}, {"ADMIN", "hundred-admin@example.test"}} {
			t.Run(owner.name, func(t *testing.T) {
				role := user.RoleSTAFF
				if owner.name == "ADMIN" {
					role = user.RoleADMIN
				}
				u := h.NewUser(owner.email, role, true, true)
				caller := h.Mint(token.Spec{OwnerID: u.ID, Name: "caller"})
				var others []string
				for i := range rule.MaxActiveTokens - 1 {
					tok, _ := storeToken(h, u.ID, fmt.Sprintf("token %d", i), nil)
					others = append(others, tok.ID)
				}
				// Revoked and expired tokens do not count.
				for i := range 3 {
					tok, _ := storeToken(h, u.ID, fmt.Sprintf("revoked %d", i), nil)
					tok.Update().SetRevokedAt(time.Now()).ExecX(ctx)
					storeToken(h, u.ID, fmt.Sprintf("expired %d", i), ptr(time.Now().Add(-time.Minute)))
				}
				live := func() int {
					return h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(u.ID), rule.Live(time.Now())).CountX(ctx)
				}
				if n := live(); n != 100 {
					t.Fatalf("set-up: %d live tokens, want 100", n)
				}
				checkRefused(t, h.Do(caller, createMutation, map[string]any{"input": map[string]any{"name": "one too many"}}), "FORBIDDEN", "100")
				if n := live(); n != 100 {
					t.Errorf("after the refusal: %d live tokens, want 100", n)
				}
				h.MustDo(caller, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": others[0]}, nil)
				createToken(h, caller, map[string]any{"name": "in place of the revoked one"})
				checkRefused(t, h.Do(caller, createMutation, map[string]any{"input": map[string]any{"name": "one too many"}}), "FORBIDDEN", "100")
				if n := live(); n != 100 {
					t.Errorf("at the end: %d live tokens, want 100", n)
				}
			})
		}
	})

	t.Run("maximum lifetime", func(t *testing.T) {
		h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.TokenMaxLifetime = 24 * time.Hour }})
		admin := h.Admin()
		adminID := userID(h, "root@example.test")
		count := func() int { return h.DB.Ent.APIToken.Query().Where(apitoken.OwnerID(adminID)).CountX(testdb.System()) }

		before := time.Now()
		c := createToken(h, admin, map[string]any{"name": "default lifetime"})
		after := time.Now()
		if got := c.Token.ExpiresAt; got == nil || got.Before(before.Truncate(time.Second)) || got.After(after.Add(24*time.Hour+time.Minute)) {
			t.Errorf("expiresAt without one asked: got %v, want between %v and %v", got, before, after.Add(24*time.Hour+time.Minute))
		}
		within := time.Now().Add(12 * time.Hour).Truncate(time.Second)
		if got := createToken(h, admin, map[string]any{"name": "12 hours", "expiresAt": within.Format(time.RFC3339)}).Token.ExpiresAt; got == nil || !got.Equal(within) {
			t.Errorf("expiresAt within the limit: got %v, want %v", got, within)
		}
		n := count()
		for _, tc := range []struct {
			name    string
			expires time.Time
			message string
		}{
			{"beyond the limit", time.Now().Add(48 * time.Hour), "lifetime"},
			{"in the past", time.Now().Add(-time.Hour), "future"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := h.Do(admin, createMutation, map[string]any{"input": map[string]any{"name": tc.name, "expiresAt": tc.expires.Format(time.RFC3339)}})
				checkRefused(t, resp, "BAD_USER_INPUT", tc.message)
			})
		}
		if got := count(); got != n {
			t.Errorf("the refused requests stored %d tokens", got-n)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestTokenAndAuditVisibility: owners see their tokens and the events about
// them; ADMINs see all; no field exposes the secret or its hash.
func TestTokenAndAuditVisibility(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	admin := h.Admin()
	adminID := userID(h, "root@example.test")
	alice := h.NewUser("alice@example.test", user.RoleSTAFF, true, true)
	bob := h.NewUser("bob@example.test", user.RoleSTAFF, true, true)
	aliceSecret := h.Mint(token.Spec{OwnerID: alice.ID, Name: "alice 1"})
	createToken(h, aliceSecret, map[string]any{"name": "alice 2"})
	bobTok, bobSecret := h.MintToken(token.Spec{OwnerID: bob.ID, Name: "bob 1"})
	createToken(h, bobSecret, map[string]any{"name": "bob 2"})
	// An ADMIN acts on Bob's token: the event is about Bob's token.
	h.MustDo(admin, `mutation($id: ID!) { renameAPIToken(id: $id, name: "bob 1, renamed") { id } }`, map[string]any{"id": bobTok.ID}, nil)

	type tokens struct {
		APITokens struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID    string
					Owner struct{ ID string }
				}
			}
		}
	}
	tokenOwners := func(secret string) map[string]string {
		t.Helper()
		var out tokens
		h.MustDo(secret, `{ apiTokens(first: 100) { totalCount edges { node { id owner { id } } } } }`, nil, &out)
		got := map[string]string{}
		for _, e := range out.APITokens.Edges {
			got[e.Node.ID] = e.Node.Owner.ID
		}
		if out.APITokens.TotalCount != len(got) {
			t.Errorf("apiTokens totalCount %d, but %d listed", out.APITokens.TotalCount, len(got))
		}
		return got
	}
	dbTokens := func(owners ...string) map[string]string {
		q := h.DB.Ent.APIToken.Query()
		if owners != nil {
			q.Where(apitoken.OwnerIDIn(owners...))
		}
		out := map[string]string{}
		for _, tok := range q.AllX(ctx) {
			out[tok.ID] = tok.OwnerID
		}
		return out
	}

	t.Run("STAFF see their own tokens", func(t *testing.T) {
		if got, want := tokenOwners(aliceSecret), dbTokens(alice.ID); !reflect.DeepEqual(got, want) || len(want) != 2 {
			t.Errorf("apiTokens of Alice: got %v, want %v", got, want)
		}
		var out struct{ Viewer tokens }
		h.MustDo(aliceSecret, `{ viewer { apiTokens { totalCount } } }`, nil, &out)
		if out.Viewer.APITokens.TotalCount != 2 {
			t.Errorf("viewer.apiTokens of Alice: totalCount %d, want 2", out.Viewer.APITokens.TotalCount)
		}
		if nodeVisible(t, h, aliceSecret, bobTok.ID) {
			t.Errorf("Alice sees Bob's token through node")
		}
	})

	t.Run("ADMIN sees every token with its owner", func(t *testing.T) {
		want := dbTokens()
		if got := tokenOwners(admin); !reflect.DeepEqual(got, want) {
			t.Errorf("apiTokens of the admin: got %v, want %v", got, want)
		}
		if len(want) != 5 || !slices.Contains(mapsValues(want), adminID) {
			t.Errorf("set-up: want 5 tokens including the admin's, have %v", want)
		}
	})

	events := func(secret string) []string {
		t.Helper()
		var out struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		h.MustDo(secret, `{ auditEvents(first: 100) { totalCount edges { node { id action token { id } } } } }`, nil, &out)
		var ids []string
		for _, e := range out.AuditEvents.Edges {
			ids = append(ids, e.Node.ID)
		}
		if out.AuditEvents.TotalCount != len(ids) {
			t.Errorf("auditEvents totalCount %d, but %d listed", out.AuditEvents.TotalCount, len(ids))
		}
		slices.Sort(ids)
		return ids
	}
	dbEvents := func(owner string) []string {
		q := h.DB.Ent.AuditEvent.Query()
		if owner != "" {
			q.Where(auditevent.HasTokenWith(apitoken.OwnerID(owner)))
		}
		ids := q.IDsX(ctx)
		slices.Sort(ids)
		return ids
	}

	t.Run("ADMIN sees every audit event", func(t *testing.T) {
		if got, want := events(admin), dbEvents(""); !slices.Equal(got, want) {
			t.Errorf("auditEvents of the admin: got %v, want %v", got, want)
		}
	})

	t.Run("owners see the events about their tokens", func(t *testing.T) {
		for name, u := range map[string]struct {
			id, secret string
			want       int
		}{"Alice": {alice.ID, aliceSecret, 2}, "Bob": {bob.ID, bobSecret, 3}} {
			want := dbEvents(u.id)
			if got := events(u.secret); !slices.Equal(got, want) || len(want) != u.want {
				t.Errorf("auditEvents of %s: got %v, want %v (%d events)", name, got, want, u.want)
			}
		}
	})

	t.Run("APIToken has no secret or hash field", func(t *testing.T) {
		var out struct {
			Type struct{ Fields []struct{ Name string } } `json:"__type"`
		}
		h.MustDo(aliceSecret, `{ __type(name: "APIToken") { fields { name } } }`, nil, &out)
		if len(out.Type.Fields) == 0 {
			t.Fatal("introspection found no fields on APIToken")
		}
		for _, f := range out.Type.Fields {
			if name := strings.ToLower(f.Name); strings.Contains(name, "secret") || strings.Contains(name, "hash") {
				t.Errorf("APIToken has a field %q", f.Name)
			}
		}
	})
}

func mapsValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestTokenAuditTrail: each change of a token is audited once with who did
// it and from where; refused uses of revoked and expired tokens are audited,
// boundedly.
func TestTokenAuditTrail(t *testing.T) {
	h := apitest.New(t)
	ctx := testdb.System()
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	own := h.Mint(token.Spec{OwnerID: staff.ID, Name: "own"})

	c := createToken(h, own, map[string]any{"name": "audited"})
	h.MustDo(own, `mutation($id: ID!) { renameAPIToken(id: $id, name: "audited, renamed") { id } }`, map[string]any{"id": c.Token.ID}, nil)
	revoked := rotateToken(h, own, c.Token.ID).Secret // the secret the revoked token had last
	h.MustDo(own, `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": c.Token.ID}, nil)

	t.Run("create, rename, rotate, revoke", func(t *testing.T) {
		got := map[auditevent.Action]int{}
		for _, e := range h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(c.Token.ID)).AllX(ctx) {
			got[e.Action]++
			if e.ActorID == nil || *e.ActorID != staff.ID || e.IP != clientIP {
				actor := "<none>"
				if e.ActorID != nil {
					actor = *e.ActorID
				}
				t.Errorf("%s event: actor %s, ip %q; want actor %s, ip %s", e.Action, actor, e.IP, staff.ID, clientIP)
			}
		}
		want := map[auditevent.Action]int{
			auditevent.ActionTOKEN_CREATED: 1, auditevent.ActionTOKEN_RENAMED: 1,
			auditevent.ActionTOKEN_ROTATED: 1, auditevent.ActionTOKEN_REVOKED: 1,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events: got %v, want %v", got, want)
		}
	})

	expiredTok, expired := storeToken(h, staff.ID, "expired", ptr(time.Now().Add(-time.Hour)))

	for _, tc := range []struct {
		name, id, secret, reason string
	}{
		{"the revoked token", c.Token.ID, revoked, "revoked"},
		{"an expired token", expiredTok.ID, expired, "expired"},
	} {
		t.Run("30 uses of "+tc.name, func(t *testing.T) {
			for range 30 {
				if resp := h.DoRaw(tc.secret, `{ viewer { user { id } } }`, nil); resp.Status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.Status)
				}
			}
			refused := h.DB.Ent.AuditEvent.Query().Where(auditevent.TokenID(tc.id), auditevent.ActionEQ(auditevent.ActionTOKEN_REFUSED)).AllX(ctx)
			if len(refused) != 1 {
				t.Fatalf("TOKEN_REFUSED events: got %d, want 1", len(refused))
			}
			if e := refused[0]; e.IP != clientIP || e.Details["reason"] != tc.reason {
				t.Errorf("TOKEN_REFUSED event: ip %q, details %v; want ip %s, reason %s", e.IP, e.Details, clientIP, tc.reason)
			}
		})
	}
}

// TestLoginSessions: a session from POST /login acts with the user's full
// rights, only from the same site, until POST /logout.
func TestLoginSessions(t *testing.T) {
	h := apitest.New(t)
	tokens := h.Demo()
	ctx := testdb.System()
	const pw = "correct horse battery staple"
	adminID := userID(h, "admin@demo.engage.test")
	h.SetPassword(adminID, pw)
	cookie := h.Login("admin@demo.engage.test", pw)

	t.Run("the session acts with the admin's full rights", func(t *testing.T) {
		var out struct {
			Viewer struct {
				User  struct{ ID string }
				Token *struct{ ID string }
			}
			Projects, Surveys, Users struct{ TotalCount int }
		}
		resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", `{ viewer { user { id } token { id } } projects { totalCount } surveys { totalCount } users { totalCount } }`, nil))
		g := resp.GraphQL(t)
		if resp.Status != http.StatusOK || len(g.Errors) > 0 || json.Unmarshal(g.Data, &out) != nil {
			t.Fatalf("got status %d, body %s", resp.Status, resp.Body)
		}
		if out.Viewer.User.ID != adminID || out.Viewer.Token != nil {
			t.Errorf("viewer: got %+v, want user %s and no token", out.Viewer, adminID)
		}
		want := []int{h.DB.Ent.Project.Query().CountX(ctx), h.DB.Ent.Survey.Query().CountX(ctx), h.DB.Ent.User.Query().CountX(ctx)}
		if got := []int{out.Projects.TotalCount, out.Surveys.TotalCount, out.Users.TotalCount}; !slices.Equal(got, want) {
			t.Errorf("projects, surveys, users: got %v, want all of them, %v", got, want)
		}
		if resp := h.Serve(apitest.SessionRequest(cookie, "same-origin", `mutation { createTeam(input: {name: "By session"}) { id } }`, nil)); len(resp.GraphQL(t).Errors) > 0 {
			t.Errorf("a mutation through the session: %s", resp.Body)
		}
	})

	t.Run("a cross-site request with the cookie is refused", func(t *testing.T) {
		teams := h.DB.Ent.Team.Query().CountX(ctx)
		resp := h.Serve(apitest.SessionRequest(cookie, "cross-site", `mutation { createTeam(input: {name: "Forged"}) { id } }`, nil))
		if resp.Status != http.StatusForbidden {
			t.Errorf("status: got %d, want 403; body %s", resp.Status, resp.Body)
		}
		if n := h.DB.Ent.Team.Query().CountX(ctx); n != teams {
			t.Errorf("the forged request created %d teams", n-teams)
		}
	})

	t.Run("a STAFF session has the user's rights, while the user is active", func(t *testing.T) {
		editorID := userID(h, "editor@demo.engage.test")
		h.SetPassword(editorID, pw)
		staffCookie := h.Login("editor@demo.engage.test", pw)
		const slugs = `{ projects(first: 100) { edges { node { slug } } } }`
		resp := h.Serve(apitest.SessionRequest(staffCookie, "same-origin", slugs, nil))
		var out struct {
			Projects struct {
				Edges []struct{ Node struct{ Slug string } }
			}
		}
		if g := resp.GraphQL(t); len(g.Errors) > 0 || json.Unmarshal(g.Data, &out) != nil {
			t.Fatalf("got status %d, body %s", resp.Status, resp.Body)
		}
		var got []string
		for _, e := range out.Projects.Edges {
			got = append(got, e.Node.Slug)
		}
		slices.Sort(got)
		if want := projectSlugs(t, h, tokens["editor"]); !slices.Equal(got, want) {
			t.Errorf("the editor's session sees %q, their token %q", got, want)
		}
		h.MustDo(tokens["admin"], `mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }`, map[string]any{"id": editorID}, nil)
		checkUnauthenticated(t, h.Serve(apitest.SessionRequest(staffCookie, "same-origin", slugs, nil)), "authentication required")
	})

	t.Run("after logout the cookie no longer authenticates", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/logout", nil)
		req.AddCookie(cookie)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if resp := h.Serve(req); resp.Status != http.StatusSeeOther {
			t.Fatalf("POST /logout: status %d, want 303", resp.Status)
		}
		checkUnauthenticated(t, h.Serve(apitest.SessionRequest(cookie, "same-origin", `{ viewer { user { id } } }`, nil)), "authentication required")
	})
}

// TestUsageCounters: uses are counted in memory and written by Flush, not
// on every request.
func TestUsageCounters(t *testing.T) {
	h := apitest.New(t)
	staff := h.NewUser("staff@example.test", user.RoleSTAFF, true, true)
	tok, secret := h.MintToken(token.Spec{OwnerID: staff.ID, Name: "counted"})
	for i := range 5 {
		var out struct {
			Viewer struct {
				Token struct {
					UseCount   int
					LastUsedAt *time.Time
				}
			}
		}
		h.MustDo(secret, `{ viewer { token { useCount lastUsedAt } } }`, nil, &out)
		if out.Viewer.Token.UseCount != 0 || out.Viewer.Token.LastUsedAt != nil {
			t.Errorf("request %d reads useCount %d, lastUsedAt %v; want 0 and null before a flush", i+1, out.Viewer.Token.UseCount, out.Viewer.Token.LastUsedAt)
		}
	}
	stored := h.DB.Ent.APIToken.GetX(testdb.System(), tok.ID)
	if stored.UseCount != 0 || stored.LastUsedAt != nil || stored.LastUsedIP != nil {
		t.Errorf("before a flush: use_count %d, last_used_at %v, last_used_ip %v; want 0 and nulls", stored.UseCount, stored.LastUsedAt, stored.LastUsedIP)
	}
	if err := h.Usage.Flush(context.Background()); err != nil {
		t.Fatalf("flush: %v", err)
	}
	stored = h.DB.Ent.APIToken.GetX(testdb.System(), tok.ID)
	if stored.UseCount != 5 || stored.LastUsedAt == nil || stored.LastUsedIP == nil || *stored.LastUsedIP != clientIP {
		t.Errorf("after a flush: use_count %d, last_used_at %v, last_used_ip %v; want 5, a time, %s", stored.UseCount, stored.LastUsedAt, stored.LastUsedIP, clientIP)
	}
}
