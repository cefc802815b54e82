package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// cdnHosts are hosts that GraphiQL's own setup loads from; the embedded
// build must name none of them.
var cdnHosts = []string{"esm.sh", "unpkg.com", "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "fonts.googleapis.com", "fonts.gstatic.com"}

func TestDocsAssetsAreEmbedded(t *testing.T) {
	for _, name := range []string{
		"docs/assets/docs.js", "docs/assets/docs.css", "docs/assets/LICENSES.txt",
		"docs/assets/workers/editor.worker.js", "docs/assets/workers/json.worker.js", "docs/assets/workers/graphql.worker.js",
	} {
		if b, err := fs.ReadFile(docsBuild, name); err != nil || len(b) == 0 {
			t.Errorf("%s: got %d bytes, error %v; want the built file (npm ci && npm run build in web/docs/ui)", name, len(b), err)
		}
	}
	fonts, _ := fs.Glob(docsBuild, "docs/assets/fonts/*")
	if len(fonts) == 0 {
		t.Error("no fonts embedded")
	}
}

// TestDocsAssetsAreLocal checks that the stylesheet's url()s name embedded
// files and that no asset names a CDN, so the page works offline.
func TestDocsAssetsAreLocal(t *testing.T) {
	css, err := fs.ReadFile(docsBuild, "docs/assets/docs.css")
	if err != nil {
		t.Fatal(err)
	}
	urls := regexp.MustCompile(`url\(\s*["']?([^"')]+)["']?\s*\)`).FindAllStringSubmatch(string(css), -1)
	if len(urls) == 0 {
		t.Error("docs.css has no url(): the fonts are missing")
	}
	for _, m := range urls {
		u := m[1]
		if strings.HasPrefix(u, "data:") || strings.Contains(u, "//") {
			t.Errorf("docs.css loads %.60q; want a file beside it", u)
			continue
		}
		if _, err := fs.Stat(docsBuild, "docs/assets/"+strings.TrimPrefix(u, "./")); err != nil {
			t.Errorf("docs.css names %s, which is not embedded: %v", u, err)
		}
	}
	_ = fs.WalkDir(docsBuild, "docs/assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "/fonts/") {
			return err
		}
		b, _ := fs.ReadFile(docsBuild, p)
		for _, host := range cdnHosts {
			if strings.Contains(string(b), host) {
				t.Errorf("%s names %s", p, host)
			}
		}
		return nil
	})
}

func TestAssetServerStaysInItsFolder(t *testing.T) {
	p := NewPages(Deps{})
	for _, name := range []string{"../static/pages.css", "/../static/pages.css", "..", "docs/assets/docs.js", ""} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = name
		p.docsAssets.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("docs assets, path %q: got %d, want 404", name, rec.Code)
		}
	}
}

func TestAssetServer(t *testing.T) {
	p := NewPages(Deps{})
	mux := http.NewServeMux()
	mux.Handle("GET "+DocsAssetsPath, http.StripPrefix(DocsAssetsPath, p.docsAssets))
	mux.Handle("GET /static/", http.StripPrefix("/static/", p.staticAssets))
	fonts, _ := fs.Glob(docsBuild, "docs/assets/fonts/*.woff2")
	if len(fonts) == 0 {
		t.Fatal("no woff2 font embedded")
	}
	font := strings.TrimPrefix(fonts[0], "docs/assets/")
	for _, c := range []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/docs/assets/docs.js", "text/javascript; charset=utf-8", 200},
		{"/docs/assets/docs.css", "text/css; charset=utf-8", 200},
		{"/docs/assets/workers/graphql.worker.js", "text/javascript; charset=utf-8", 200},
		{"/docs/assets/" + font, "font/woff2", 200},
		{"/static/pages.css", "text/css; charset=utf-8", 200},
		{"/static/tokens.js", "text/javascript; charset=utf-8", 200},
		{"/static/favicon.svg", "image/svg+xml", 200},
		{"/docs/assets/nothing.js", "", 404},
		{"/docs/assets/", "", 404},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.wantStatus {
			t.Errorf("GET %s: got %d, want %d", c.path, rec.Code, c.wantStatus)
			continue
		}
		if c.wantStatus != 200 {
			continue
		}
		h := rec.Header()
		if got := h.Get("Content-Type"); got != c.wantType {
			t.Errorf("GET %s: got Content-Type %q, want %q", c.path, got, c.wantType)
		}
		if h.Get("ETag") == "" || h.Get("Cache-Control") != "no-cache" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: got ETag %q, Cache-Control %q, X-Content-Type-Options %q; want an ETag, no-cache, nosniff",
				c.path, h.Get("ETag"), h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
		}
		// A revalidation with the ETag costs no body.
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		req.Header.Set("If-None-Match", h.Get("ETag"))
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: got %d, want 304", c.path, rec.Code)
		}
	}
}
