package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/demo"
	"engage/ent/apitoken"
	"engage/ent/auditevent"
	"engage/ent/user"
	"engage/internal/apitest"
	"engage/password"
	"engage/testdb"
	"engage/token"
)

// settings are the environment variables config.Bind reads. Each test clears
// them so that the environment of whoever runs the tests cannot change them.
var settings = []string{
	"DATABASE_URL", "ENGAGE_ADDR", "ENGAGE_CORS_ORIGINS", "ENGAGE_MAX_BODY_BYTES",
	"ENGAGE_MAX_DEPTH", "ENGAGE_MAX_COMPLEXITY", "ENGAGE_LOG_LEVEL",
}

// clearEnv unsets every setting for the test (an empty value counts as unset).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range settings {
		t.Setenv(name, "")
	}
}

// execute runs the command line args to completion with stdin as standard
// input and returns what it wrote.
func execute(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// lines splits output into its lines, without the final newline.
func lines(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// withFakePassword returns a PostgreSQL database URL with a password set
// (which the local server, trusting its clients, ignores) and that password.
// On SQLite, which has no password, it returns rawURL and "".
func withFakePassword(t *testing.T, rawURL string) (string, string) {
	t.Helper()
	if database.Dialect(rawURL) != "postgres" {
		return rawURL, ""
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parsing the test database URL: %v", err)
	}
	if _, has := u.User.Password(); has {
		t.Skip("TEST_DATABASE_URL has a real password; not replacing it by a fake one")
	}
	const secret = "fake-Secret-9f3a7c"
	u.User = url.UserPassword(u.User.Username(), secret)
	return u.String(), secret
}

func TestMigrate(t *testing.T) {
	clearEnv(t)
	dbURL, secret := withFakePassword(t, testdb.URL(t))
	// The second migrate finds every migration applied and must succeed too.
	for _, attempt := range []string{"first", "second"} {
		t.Run(attempt, func(t *testing.T) {
			stdout, stderr, err := execute(t, "", "--database-url", dbURL, "migrate")
			if err != nil {
				t.Fatalf("migrate: got error %v (stderr %q), want nil", err, stderr)
			}
			got := lines(stdout)
			if len(got) != 1 || !strings.HasPrefix(got[0], "migrations applied to ") {
				t.Errorf("migrate stdout: got %q, want one line starting with %q", stdout, "migrations applied to ")
			}
			if secret != "" && strings.Contains(stdout, secret) {
				t.Errorf("migrate stdout: got %q, want the database password masked", stdout)
			}
		})
	}
}

const goodPassword = "correct horse battery staple"

func TestUserCreate(t *testing.T) {
	clearEnv(t)
	dbURL := testdb.URL(t)
	stdout, stderr, err := execute(t, goodPassword+"\n",
		"--database-url", dbURL, "user", "create",
		"--email", "a@x.test", "--name", "A", "--role", "ADMIN", "--api-access", "--password-stdin")
	if err != nil {
		t.Fatalf("user create: got error %v (stderr %q), want nil", err, stderr)
	}
	out := lines(stdout)
	if len(out) != 1 || !strings.HasPrefix(out[0], "usr_") {
		t.Fatalf("user create stdout: got %q, want a single line with an ID starting with usr_", stdout)
	}
	id := out[0]

	db := testdb.Connect(t, dbURL, nil)
	ctx := testdb.System()
	u, err := db.Ent.User.Get(ctx, id)
	if err != nil {
		t.Fatalf("loading user %s: got error %v, want the created user", id, err)
	}
	if u.Email != "a@x.test" || u.Name != "A" || u.Role != user.RoleADMIN || !u.APIAccess || !u.Active {
		t.Errorf("created user: got email=%q name=%q role=%s api_access=%t active=%t, want email=%q name=%q role=ADMIN api_access=true active=true",
			u.Email, u.Name, u.Role, u.APIAccess, u.Active, "a@x.test", "A")
	}
	if !password.Matches(u.PasswordHash, goodPassword) {
		t.Errorf("password.Matches(hash %q, %q): got false, want true", u.PasswordHash, goodPassword)
	}
	if strings.Contains(u.PasswordHash, goodPassword) || strings.Contains(u.PasswordHash, "horse") {
		t.Errorf("password hash %q contains the password", u.PasswordHash)
	}

	// Defaults: a lowercase role is accepted, no --api-access means none, and
	// no --password-stdin leaves the account without a password.
	t.Run("staff without password", func(t *testing.T) {
		stdout, stderr, err := execute(t, "", "--database-url", dbURL, "user", "create", "--email", "b@x.test", "--name", "B", "--role", "staff")
		if err != nil {
			t.Fatalf("user create: got error %v (stderr %q), want nil", err, stderr)
		}
		out := lines(stdout)
		if len(out) != 1 || !strings.HasPrefix(out[0], "usr_") {
			t.Fatalf("user create stdout: got %q, want a single line with an ID starting with usr_", stdout)
		}
		u, err := db.Ent.User.Get(ctx, out[0])
		if err != nil {
			t.Fatalf("loading user %s: got error %v, want the created user", out[0], err)
		}
		if u.Role != user.RoleSTAFF || u.APIAccess || u.PasswordHash != "" {
			t.Errorf("created user: got role=%s api_access=%t password_hash=%q, want role=STAFF api_access=false password_hash=\"\"",
				u.Role, u.APIAccess, u.PasswordHash)
		}
	})

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr []string // substrings of the error
	}{
		{
			name:    "duplicate email",
			stdin:   goodPassword + "\n",
			args:    []string{"--email", "a@x.test", "--name", "Another A", "--role", "STAFF", "--password-stdin"},
			wantErr: []string{"a@x.test", "exists"},
		},
		{
			name:    "bad role",
			args:    []string{"--email", "c@x.test", "--name", "C", "--role", "OWNER"},
			wantErr: []string{"--role must be ADMIN or STAFF", `"OWNER"`},
		},
		{
			name:    "short password",
			stdin:   "short pw 11\n",
			args:    []string{"--email", "d@x.test", "--name", "D", "--password-stdin"},
			wantErr: []string{"at least 12 characters"},
		},
		{
			name:    "empty password",
			stdin:   "",
			args:    []string{"--email", "e@x.test", "--name", "E", "--password-stdin"},
			wantErr: []string{"at least 12 characters"},
		},
		{
			name:    "missing email",
			args:    []string{"--name", "F"},
			wantErr: []string{`required flag(s) "email" not set`},
		},
		{
			name:    "missing name",
			args:    []string{"--email", "g@x.test"},
			wantErr: []string{`required flag(s) "name" not set`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--database-url", dbURL, "user", "create"}, tt.args...)
			stdout, _, err := execute(t, tt.stdin, args...)
			if err == nil {
				t.Fatalf("user create %q: got no error (stdout %q), want one containing %q", tt.args, stdout, tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("user create %q: got error %q, want it to contain %q", tt.args, err, want)
				}
			}
			if stdout != "" {
				t.Errorf("user create %q: got stdout %q, want nothing", tt.args, stdout)
			}
		})
	}

	// The failed commands created nothing: a@x.test and b@x.test only.
	if n, err := db.Ent.User.Query().Count(ctx); err != nil || n != 2 {
		t.Errorf("users after the failed commands: got %d (error %v), want 2", n, err)
	}
}

func TestDemo(t *testing.T) {
	clearEnv(t)
	dbURL := testdb.URL(t)
	stdout, stderr, err := execute(t, "", "--database-url", dbURL, "demo")
	if err != nil {
		t.Fatalf("demo: got error %v (stderr %q), want nil", err, stderr)
	}
	// Each persona: a line "key email password secret", then its
	// description, indented.
	keys := map[string]bool{}
	for _, p := range personaLogins(t, stdout) {
		keys[p.key] = true
	}
	if len(keys) != 4 {
		t.Errorf("demo stdout: got personas %v, want 4", keys)
	}
	for _, key := range []string{"admin", "editor", "viewer", "moderator"} {
		if !keys[key] {
			t.Errorf("demo stdout: persona %q missing; got keys %v in %q", key, keys, stdout)
		}
	}

	stdout, _, err = execute(t, "", "--database-url", dbURL, "demo")
	if !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second demo: got error %v, want one wrapping demo.ErrNotEmpty", err)
	}
	if stdout != "" {
		t.Errorf("second demo: got stdout %q, want nothing", stdout)
	}
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestServe(t *testing.T) {
	clearEnv(t)
	dbURL, secret := withFakePassword(t, testdb.URL(t))
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	stderr := new(apitest.Buffer)
	done := make(chan error, 1)
	go func() {
		// No command: serve is the default.
		done <- run(ctx, []string{"--database-url", dbURL, "--addr", addr, "--demo"}, strings.NewReader(""), io.Discard, stderr)
	}()
	returned := false
	// Registered after testdb.URL, so it runs before the database is removed:
	// never leave the server running if the test stops early.
	t.Cleanup(func() {
		cancel()
		if !returned {
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("run did not return within 20s of the context's end; stderr:\n%s", stderr)
			}
		}
	})

	client := &http.Client{Timeout: 10 * time.Second}
	healthy := false
	// Loading the demo comes first; on a busy machine it takes a while.
	for deadline := time.Now().Add(90 * time.Second); !healthy && time.Now().Before(deadline); {
		select {
		case err := <-done:
			returned = true
			t.Fatalf("run returned %v before serving; stderr:\n%s", err, stderr)
		default:
		}
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			healthy = resp.StatusCode == http.StatusOK
		}
		if !healthy {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !healthy {
		t.Fatalf("GET /healthz never answered 200; stderr:\n%s", stderr)
	}

	resp, err := client.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz: got status %d (body %q), want 200", resp.StatusCode, body)
	}

	query := `{"query":"{ projects { totalCount } }"}`
	resp, err = client.Post(base+"/graphql", "application/json", strings.NewReader(query))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"UNAUTHENTICATED"`) {
		t.Errorf("POST /graphql without a token: got status %d, body %s; want 401 UNAUTHENTICATED", resp.StatusCode, body)
	}

	// --demo printed a token per persona: the admin's sees every project.
	adminToken := personaLogins(t, stderr.String())["admin"].token
	if adminToken == "" {
		t.Fatalf("serve --demo printed no admin token; stderr:\n%s", stderr)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(query))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var gql struct {
		Data struct{ Projects struct{ TotalCount int } }
	}
	if err := json.Unmarshal(body, &gql); err != nil || resp.StatusCode != http.StatusOK || gql.Data.Projects.TotalCount < 8 {
		t.Errorf("POST /graphql as the demo admin: got status %d, body %s; want 200 and at least 8 projects", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		returned = true
		if err != nil {
			t.Errorf("run after the context ended: got error %v, want nil", err)
		}
	case <-time.After(20 * time.Second): // a deadlock guard, not a timing assertion
		t.Fatalf("run did not return within 20s of the context's end; stderr:\n%s", stderr)
	}

	// The admin token's use was counted in memory and written at shutdown.
	db := testdb.Connect(t, dbURL, nil)
	used, err := db.Ent.APIToken.Query().Where(apitoken.SecretHash(token.Hash(adminToken))).Only(testdb.System())
	if err != nil || used.UseCount != 1 || used.LastUsedAt == nil || used.LastUsedIP == nil || *used.LastUsedIP != "127.0.0.1" {
		t.Errorf("the admin token after shutdown: got %+v (error %v); want useCount 1, lastUsedAt set and lastUsedIP 127.0.0.1", used, err)
	}

	logs := stderr.String()
	for _, want := range []string{"demo data loaded", "starting", "listening", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr: got %q, want it to contain %q", logs, want)
		}
	}
	if secret == "" {
		t.Log("SQLite: no database password to check the logs for (set TEST_DATABASE_URL to check it)")
	} else {
		if strings.Contains(logs, secret) {
			t.Errorf("stderr: got %q, want it not to contain the database password %q", logs, secret)
		}
		if !strings.Contains(logs, "xxxxx") {
			t.Errorf("stderr: got %q, want the masked database URL (with xxxxx)", logs)
		}
	}
}

func TestConfigurationErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string // after --database-url
		wantErr []string
	}{
		{
			name:    "env max depth not a number",
			env:     map[string]string{"ENGAGE_MAX_DEPTH": "abc"},
			args:    []string{"migrate"},
			wantErr: []string{"configuration", "ENGAGE_MAX_DEPTH", "abc"},
		},
		{
			name:    "log level flag",
			args:    []string{"--log-level", "loud", "migrate"},
			wantErr: []string{"configuration", "log-level", "loud"},
		},
		{
			name:    "log level env",
			env:     map[string]string{"ENGAGE_LOG_LEVEL": "loud"},
			args:    []string{"demo"},
			wantErr: []string{"log-level", "loud"},
		},
		{
			name:    "several at once",
			args:    []string{"--max-depth", "0", "--max-body-bytes", "10", "migrate"},
			wantErr: []string{"max-depth", "max-body-bytes"},
		},
		{
			name:    "serve",
			args:    []string{"--addr", "127.0.0.1:0", "--max-complexity", "-1"},
			wantErr: []string{"max-complexity"},
		},
		{
			name:    "user create",
			env:     map[string]string{"ENGAGE_MAX_BODY_BYTES": "1MB"},
			args:    []string{"user", "create", "--email", "z@x.test", "--name", "Z"},
			wantErr: []string{"ENGAGE_MAX_BODY_BYTES"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			dbURL := testdb.URL(t)
			args := append([]string{"--database-url", dbURL}, tt.args...)
			stdout, _, err := execute(t, "", args...)
			if err == nil {
				t.Fatalf("run %q with env %v: got no error (stdout %q), want one containing %q", tt.args, tt.env, stdout, tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("run %q with env %v: got error %q, want it to contain %q", tt.args, tt.env, err, want)
				}
			}
			// The configuration is checked before the database is touched.
			if database.Dialect(dbURL) != "postgres" {
				if _, err := os.Stat(dbURL); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("run %q with env %v: SQLite file stat got %v, want it not created", tt.args, tt.env, err)
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	clearEnv(t)
	_, _, err := execute(t, "", "--database-url", testdb.URL(t), "frobnicate")
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("run frobnicate: got error %v, want unknown command", err)
	}
}

// TestHelpDoesNotPrintDatabasePassword guards against a leak: config.Bind
// makes the value of DATABASE_URL the default of --database-url, and the
// usage text prints flag defaults, so that default must be masked.
func TestHelpDoesNotPrintDatabasePassword(t *testing.T) {
	clearEnv(t)
	const secret = "help-Secret-41d8"
	t.Setenv("DATABASE_URL", fmt.Sprintf("postgres://u:%s@db.example.test/engage", secret))
	for _, args := range [][]string{{"--help"}, {"migrate", "--help"}} {
		stdout, stderr, err := execute(t, "", args...)
		if err != nil {
			t.Fatalf("run %q: got error %v, want nil", args, err)
		}
		if !strings.Contains(stdout, "--database-url") {
			t.Errorf("run %q: got stdout %q, want the usage text", args, stdout)
		}
		for _, line := range lines(stdout + stderr) {
			if strings.Contains(line, secret) {
				t.Errorf("run %q: got usage line %q, want the DATABASE_URL password %q masked", args, strings.TrimSpace(line), secret)
			}
		}
	}
}

func TestTokenCommands(t *testing.T) {
	clearEnv(t)
	dbURL := testdb.URL(t)
	db := "--database-url=" + dbURL
	for _, args := range [][]string{
		{db, "user", "create", "--email", "ana@x.test", "--name", "Ana", "--api-access"},
		{db, "user", "create", "--email", "bo@x.test", "--name", "Bo"},
	} {
		if _, stderr, err := execute(t, "", args...); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, stderr)
		}
	}
	if _, _, err := execute(t, "", db, "demo"); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("demo on a database with users: got %v, want demo.ErrNotEmpty", err)
	}

	// create prints the secret alone, and only its hash is stored.
	stdout, stderr, err := execute(t, "", db, "token", "create", "--email", "ana@x.test", "--name", "export", "--read-only", "--expires-in", "48h")
	if err != nil {
		t.Fatalf("token create: %v (%s)", err, stderr)
	}
	secret := strings.TrimSuffix(stdout, "\n")
	if token.Check(secret) != nil || strings.Contains(secret, "\n") {
		t.Fatalf("token create printed %q, want a token secret alone on one line", stdout)
	}
	store := testdb.Connect(t, dbURL, nil)
	ctx := testdb.System()
	tok, err := store.Ent.APIToken.Query().Where(apitoken.SecretHash(token.Hash(secret))).Only(ctx)
	if err != nil {
		t.Fatalf("the minted token is not stored under its hash: %v", err)
	}
	if !tok.ReadOnly || tok.ExpiresAt == nil || tok.ExpiresAt.Before(time.Now().Add(47*time.Hour)) || tok.Name != "export" {
		t.Errorf("stored token: got %+v, want read-only, named export, expiring in 48h", tok)
	}

	// Errors: a user without API access, an unknown user, an unknown project.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--email", "bo@x.test", "--name", "n"}, "no API access"},
		{[]string{"--email", "nobody@x.test", "--name", "n"}, "no user has email"},
		{[]string{"--email", "ana@x.test", "--name", "n", "--project", "nope"}, "no project has slug"},
	} {
		stdout, _, err := execute(t, "", append([]string{db, "token", "create"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || stdout != "" {
			t.Errorf("token create %v: got error %v, stdout %q; want an error containing %q and no output", c.args, err, stdout, c.want)
		}
	}

	// list shows the token without its secret; revoke stops it, twice safely.
	stdout, _, err = execute(t, "", db, "token", "list", "--email", "ana@x.test")
	if err != nil || !strings.Contains(stdout, tok.ID) || !strings.Contains(stdout, "live") || strings.Contains(stdout, secret) {
		t.Errorf("token list: got %q (error %v), want the token, live, without its secret", stdout, err)
	}
	for range 2 {
		if stdout, _, err = execute(t, "", db, "token", "revoke", tok.ID); err != nil || !strings.Contains(stdout, "revoked") {
			t.Errorf("token revoke: got %q, %v", stdout, err)
		}
	}
	if stdout, _, _ = execute(t, "", db, "token", "list"); !strings.Contains(stdout, "revoked") {
		t.Errorf("token list after revoke: got %q, want the token revoked", stdout)
	}
	events := store.Ent.AuditEvent.Query().Where(auditevent.TokenID(tok.ID)).AllX(ctx)
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	slices.Sort(actions)
	if want := []string{"TOKEN_CREATED", "TOKEN_REVOKED"}; !slices.Equal(actions, want) {
		t.Errorf("audit events: got %v, want %v", actions, want)
	}
	if _, _, err := execute(t, "", db, "token", "revoke", "tok_AAAAAAAAAAAAAAAAAAAAAA"); err == nil || !strings.Contains(err.Error(), "no token has ID") {
		t.Errorf("revoking an unknown token: got %v, want an error naming it", err)
	}
}

// TestOtherProcessesChangesReachARunningServer: a token revoked by
// engage token revoke, or whose owner another process deactivates or
// demotes, stops working at the running server's next request, though the
// server has cached its caller. On PostgreSQL, whose notifications arrive
// on their own, "next" is within a second (as README.md promises).
func TestOtherProcessesChangesReachARunningServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it as several processes")
	}
	clearEnv(t)
	dbURL := testdb.URL(t)
	bin := filepath.Join(t.TempDir(), "engage")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// engage runs the binary as a process of its own and returns its output.
	engage := func(t *testing.T, args ...string) string {
		t.Helper()
		var stderr bytes.Buffer
		cmd := exec.Command(bin, append([]string{"--database-url", dbURL}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("engage %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	// Each case's user and token, made by the command line, before the server runs.
	type account struct{ userID, tokenID, secret string }
	newAccount := func(email string) account {
		userID := engage(t, "user", "create", "--email", email, "--name", email, "--role", "ADMIN")
		secret := engage(t, "token", "create", "--email", email, "--name", "cached")
		list := lines(engage(t, "token", "list", "--email", email))
		if len(list) != 2 {
			t.Fatalf("token list --email %s: got %q, want a heading and one token", email, list)
		}
		return account{userID, strings.Fields(list[1])[0], secret}
	}
	revoked, deactivated, demoted := newAccount("revoked@x.test"), newAccount("deactivated@x.test"), newAccount("demoted@x.test")

	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	server := exec.Command(bin, "serve", "--database-url", dbURL, "--addr", addr)
	logs := new(apitest.Buffer)
	server.Stdout, server.Stderr = logs, logs
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- server.Wait() }()
	// Registered after testdb.URL, so it runs before the database is removed.
	t.Cleanup(func() {
		_ = server.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second): // a deadlock guard
			_ = server.Process.Kill()
			t.Errorf("the server did not stop within 20s of SIGINT; its log:\n%s", logs)
		}
	})
	client := &http.Client{Timeout: 10 * time.Second}
	for try := 0; ; try++ {
		if resp, err := client.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if try == 200 {
			t.Fatalf("GET /healthz never answered; the server's log:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// status sends a query needing no data with secret and returns the
	// status, or 0 for a 401 that is not UNAUTHENTICATED.
	status := func(t *testing.T, secret string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST /graphql: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusUnauthorized && !bytes.Contains(body, []byte(`"UNAUTHENTICATED"`)) {
			t.Errorf("a 401 without UNAUTHENTICATED: %s", body)
			return 0
		}
		return resp.StatusCode
	}

	store := testdb.Connect(t, dbURL, nil) // this test's process writes as another one
	sys := testdb.System()
	for _, c := range []struct {
		name   string
		who    account
		change func(*testing.T, account) error
	}{
		{"token revoked by engage token revoke", revoked, func(t *testing.T, a account) error {
			engage(t, "token", "revoke", a.tokenID)
			return nil
		}},
		{"owner deactivated", deactivated, func(_ *testing.T, a account) error {
			return store.Ent.User.UpdateOneID(a.userID).SetActive(false).Exec(sys)
		}},
		{"owner demoted to STAFF without API access", demoted, func(_ *testing.T, a account) error {
			return store.Ent.User.UpdateOneID(a.userID).SetRole(user.RoleSTAFF).Exec(sys)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for range 2 { // the second is served from the cache
				if got := status(t, c.who.secret); got != http.StatusOK {
					t.Fatalf("before the change: got status %d, want 200", got)
				}
			}
			if err := c.change(t, c.who); err != nil {
				t.Fatalf("the change: %v", err)
			}
			got := status(t, c.who.secret)
			if testdb.Dialect() == dialect.Postgres {
				for deadline := time.Now().Add(time.Second); got == http.StatusOK && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
					got = status(t, c.who.secret)
				}
			}
			if got != http.StatusUnauthorized {
				t.Errorf("the first request after the change: got status %d, want 401 UNAUTHENTICATED", got)
			}
		})
	}
}
