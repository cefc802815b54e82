package export_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var docsConfig = regexp.MustCompile(`<script type="application/json" id="docs-config">([\s\S]*?)</script>`)

// TestDocsPageLinksToExports checks that the Surveys and Maps areas of
// /docs/api link to the exports, and that each link, followed with the
// session of a signed-in user on the demo data, downloads its file.
func TestDocsPageLinksToExports(t *testing.T) {
	s := newServer(t)
	s.Demo()
	cookie := s.login("admin@demo.engage.test")
	page := s.getWithCookie(cookie, "/docs/api")
	m := docsConfig.FindSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil {
		t.Fatalf("GET /docs/api: got %d without its configuration", page.Status)
	}
	var config struct {
		Areas []struct {
			Key     string
			Exports []struct{ Title, Description, Path string }
		}
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &config); err != nil {
		t.Fatalf("the configuration does not parse: %v", err)
	}
	want := map[string]string{"surveys": "/responses.", "maps": "/pins.geojson"}
	for _, a := range config.Areas {
		if want[a.Key] == "" {
			if len(a.Exports) > 0 {
				t.Errorf("area %s lists exports", a.Key)
			}
			continue
		}
		if len(a.Exports) == 0 {
			t.Errorf("area %s lists no export", a.Key)
		}
		for _, e := range a.Exports {
			if !strings.Contains(e.Path, want[a.Key]) || e.Title == "" || e.Description == "" {
				t.Errorf("area %s: export %+v", a.Key, e)
			}
			resp := s.getWithCookie(cookie, e.Path)
			if resp.Status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || len(resp.Body) < 100 {
				t.Errorf("%s (%s): got %d, %q, %d bytes; want a file", e.Title, e.Path, resp.Status, resp.Header.Get("Content-Disposition"), len(resp.Body))
			}
		}
	}
}
