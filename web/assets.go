package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// docsBuild is the built GraphiQL page: docs/ui builds it into docs/assets
// (see docs/ui/build.mjs), and the result is committed, so that building the
// binary needs no npm.
//
//go:embed docs/assets
var docsBuild embed.FS

// staticFiles are the hand-written stylesheet and script of the pages.
//
//go:embed static
var staticFiles embed.FS

// contentTypes are the types of the files the binary serves, fixed here
// rather than read from the system's MIME tables, which differ by machine.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".json":  "application/json",
	".png":   "image/png",
	".svg":   "image/svg+xml",
	".ttf":   "font/ttf",
	".txt":   "text/plain; charset=utf-8",
	".woff":  "font/woff",
	".woff2": "font/woff2",
}

// assetServer serves the files of an embedded folder with their content
// type and an ETag, so that browsers revalidate them cheaply (Cache-Control:
// no-cache) and always get the version of the running binary.
type assetServer struct {
	fsys  fs.FS
	etags map[string]string // file path to its quoted ETag
}

// newAssetServer serves the files of fsys under its folder dir.
func newAssetServer(fsys fs.FS, dir string) *assetServer {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant folder of an embed.FS
	}
	a := &assetServer{fsys: sub, etags: map[string]string{}}
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.etags[p] = `"` + hex.EncodeToString(sum[:16]) + `"`
		return nil
	})
	return a
}

// ServeHTTP serves the file that the request's path names, relative to the
// prefix the handler was stripped of.
func (a *assetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	etag, ok := a.etags[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := a.fsys.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// Embedded files are io.ReadSeekers; ServeContent answers ranges and
	// If-None-Match.
	http.ServeContent(w, r, name, time.Time{}, f.(io.ReadSeeker))
}

// contentType returns the Content-Type of the file name.
func contentType(name string) string {
	if t, ok := contentTypes[path.Ext(name)]; ok {
		return t
	}
	return "application/octet-stream"
}
