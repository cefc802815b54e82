package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"engage/internal/apitest"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// quickStart returns the commands of README.md's quick start: the lines of
// the first code block under "## Quick start", without their comments.
func quickStart(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "\n## Quick start\n")
	_, block, fenced := strings.Cut(section, "\n```\n")
	block, _, closed := strings.Cut(block, "\n```")
	if !found || !fenced || !closed {
		t.Fatal("README.md has no code block under ## Quick start")
	}
	var commands []string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			commands = append(commands, line)
		}
	}
	return commands
}

// emptyDirectory returns an empty directory for the quick start, removed
// when the test ends. Its path is the same at every run from this checkout,
// because the go command's build cache keys packages by their directory:
// from a new path each time, go run would compile the whole module again.
// A lock keeps two runs at once from sharing it.
func emptyDirectory(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), "engage-quickstart-"+hex.EncodeToString(sum[:6]))
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.RemoveAll(dir)
		lock.Close() // and with it the lock
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyModule copies the module in the current directory, as a fresh clone
// has it (no database, binary, browser test screenshots or npm packages),
// into dir.
func copyModule(t *testing.T, dir string) {
	t.Helper()
	skipDirs := map[string]bool{".git": true, "node_modules": true, "screenshots": true}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && skipDirs[d.Name()]:
			return filepath.SkipDir
		case d.IsDir(), d.Name() == ".git", d.Name() == "engage", strings.HasPrefix(d.Name(), "engage.db"), strings.HasSuffix(d.Name(), ".test"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the module: %v", err)
	}
}

var shownSecret = regexp.MustCompile(`id="secret"[^>]*value="(eng_[0-9A-Za-z]+)"`)

// TestQuickStart follows README.md's quick start in an empty directory
// with a copy of the module, as a newcomer would after cloning it (the
// commands' environment only gets a free port, ENGAGE_ADDR): the
// server it starts says where to sign in and with what; signing in leads
// to the documentation page; a token minted on the token page runs a query.
func TestQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server from a copy of the module")
	}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("the quick start uses the default SQLite database: it runs with the SQLite tests")
	}
	commands := quickStart(t)
	var serve []string
	for _, c := range commands {
		switch {
		case c == "go test ./...":
			// This very suite.
		case strings.HasPrefix(c, "go run "):
			serve = strings.Fields(c)
		default:
			t.Fatalf("the quick start has a command this test does not know how to follow: %q", c)
		}
	}
	if serve == nil {
		t.Fatalf("the quick start starts no server: %q", commands)
	}

	dir := emptyDirectory(t)
	copyModule(t, dir)
	cmd := exec.Command(serve[0], serve[1:]...)
	cmd.Dir = dir
	// The environment of whoever runs the tests, without Engage's settings,
	// and with a free port: the default, localhost:8080, may be in use.
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(settings, name) && !strings.HasPrefix(name, "ENGAGE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ENGAGE_ADDR="+addr)
	stderr := &apitest.Buffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	// go run starts the server as its child: both go in a process group of
	// their own, which the test stops as a whole.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second): // a deadlock guard, not a timing assertion
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Errorf("the quick start's server did not stop; output:\n%s", stderr)
		}
	})

	// go run builds the server first: minutes on a busy machine.
	open := regexp.MustCompile(`Open (http://\S+)/ `)
	var site string
	for deadline := time.Now().Add(5 * time.Minute); site == ""; {
		select {
		case err := <-exited:
			t.Fatalf("%s exited (%v) before saying where to sign in; output:\n%s", strings.Join(serve, " "), err, stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if m := open.FindStringSubmatch(stderr.String()); m != nil {
			site = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never said where to sign in; output:\n%s", strings.Join(serve, " "), stderr)
		}
	}
	if site != "http://"+addr {
		t.Errorf("the server says to open %s, want http://%s", site, addr)
	}
	if _, err := os.Stat(filepath.Join(dir, "engage.db")); err != nil {
		t.Errorf("the quick start's database is not in its directory: %v", err)
	}

	// Sign in as the demo administrator, with the password printed.
	admin, ok := personaLogins(t, stderr.String())["admin"]
	if !ok {
		t.Fatalf("the quick start gives no account to sign in with; output:\n%s", stderr)
	}
	s := &servedSite{t: t, base: site, stderr: stderr}
	client, resp, body := s.signIn("/", admin.email, admin.password)
	if resp.Request.URL.Path != "/docs/api" || !strings.Contains(body, "Signed in as") {
		t.Fatalf("signing in from %s/: ended on %s with %d, want the signed-in documentation page", site, resp.Request.URL, resp.StatusCode)
	}

	// Mint a token on the token page.
	_, page := s.get(client, "/settings/api")
	nonce := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(page)
	if nonce == nil {
		t.Fatalf("the token page has no New token form:\n%s", page)
	}
	resp, err := client.PostForm(site+"/settings/api/tokens", map[string][]string{
		"name": {"Quick start"}, "expiry": {"30"}, "nonce": {nonce[1]},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := shownSecret.FindStringSubmatch(string(b))
	if resp.Request.URL.Path != "/settings/api" || m == nil {
		t.Fatalf("creating a token on the token page: ended on %s with %d and no secret shown", resp.Request.URL, resp.StatusCode)
	}
	secret := m[1]

	// Run a query with it.
	req, _ := http.NewRequest(http.MethodPost, site+"/graphql", strings.NewReader(`{"query":"{ viewer { user { email } token { name } } projects { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Data struct {
			Viewer struct {
				User  struct{ Email string }
				Token struct{ Name string }
			}
			Projects struct{ TotalCount int }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK ||
		answer.Data.Viewer.Token.Name != "Quick start" || answer.Data.Viewer.User.Email != admin.email || answer.Data.Projects.TotalCount < 8 {
		t.Errorf("a query with the token: got %d %+v (%v); want the Quick start token of %s, and the demo's projects", resp.StatusCode, answer, err, admin.email)
	}
}
