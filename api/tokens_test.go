package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/testdb"
	"engage/token"
)

// The tests of the API tokens of PRODUCT.md section 3, through the real
// HTTP handler. This file: authentication and its 401 answers, hashed
// storage, and the helpers of the other token files. tokens_lifecycle_test.go:
// the lifecycle mutations, owner changes and who may mint what.
// tokens_audit_test.go: visibility, the audit trail and the usage counters.
// login_test.go: login sessions.

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

func ptr[T any](v T) *T { return &v }
