package clientip_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"engage/clientip"
)

func mustRanges(t *testing.T, cidrs ...string) []net.IPNet {
	t.Helper()
	var out []net.IPNet
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *n)
	}
	return out
}

func request(peer, forwarded string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = peer
	if forwarded != "" {
		r.Header.Set("X-Forwarded-For", forwarded)
	}
	return r
}

func TestAddress(t *testing.T) {
	proxies := clientip.Trust(mustRanges(t, "10.0.0.0/8", "fd00::/8"))
	for _, c := range []struct{ name, peer, forwarded, want string }{
		{"no proxy", "203.0.113.5:5000", "", "203.0.113.5"},
		{"a client that is no proxy writes the header", "203.0.113.5:5000", "198.51.100.9", "203.0.113.5"},
		{"through two trusted proxies", "10.1.2.3:5000", "198.51.100.9, 10.0.0.7", "198.51.100.9"},
		{"a forged first entry", "10.1.2.3:5000", "192.0.2.66, 198.51.100.9", "198.51.100.9"},
		{"a proxy without the header", "10.1.2.3:5000", "", "10.1.2.3"},
		{"a proxy with a malformed header", "10.1.2.3:5000", "not an address", "10.1.2.3"},
		{"only proxies in the header", "10.1.2.3:5000", "10.0.0.8, 10.0.0.7", "10.1.2.3"},
		{"IPv6 through a trusted proxy", "[fd00::1]:5000", "2001:db8::9", "2001:db8::9"},
		{"an IPv6 client", "[2001:db8::1]:5000", "", "2001:db8::1"},
		{"a peer that is no IP address", "@", "198.51.100.9", "@"},
	} {
		if got := proxies.Address(request(c.peer, c.forwarded)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := clientip.Trust(nil).Address(request("10.1.2.3:5000", "198.51.100.9")); got != "10.1.2.3" {
		t.Errorf("no trusted proxy: got %q, want the peer 10.1.2.3", got)
	}
}

// TestOfReadsWhatHandlerRecorded checks that Of gives, after Handler, the
// address Handler decided, and for a request that did not pass it, the
// peer's.
func TestOfReadsWhatHandlerRecorded(t *testing.T) {
	var got string
	h := clientip.Trust(mustRanges(t, "10.0.0.0/8")).Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = clientip.Of(r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), request("10.1.2.3:5000", "198.51.100.9"))
	if got != "198.51.100.9" {
		t.Errorf("after Handler: got %q, want 198.51.100.9", got)
	}
	if got := clientip.Of(request("10.1.2.3:5000", "198.51.100.9")); got != "10.1.2.3" {
		t.Errorf("without Handler: got %q, want the peer 10.1.2.3", got)
	}
}

// TestNothingElseReadsTheClientAddress keeps Proxies.Address the only code
// that decides a client's address: no other non-test Go file of the module
// reads a request's RemoteAddr or names the X-Forwarded-For header.
func TestNothingElseReadsTheClientAddress(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "node_modules" || name == "testdata" || (strings.HasPrefix(name, ".") && name != "..") || path == filepath.Join("..", "clientip") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if n.Sel.Name == "RemoteAddr" {
					t.Errorf("%s reads RemoteAddr: use clientip.Of", fset.Position(n.Pos()))
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && strings.EqualFold(strings.Trim(n.Value, "`\""), "X-Forwarded-For") {
					t.Errorf("%s names X-Forwarded-For: use clientip.Of", fset.Position(n.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
