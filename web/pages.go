package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
)

// pageCSP is the Content-Security-Policy of the server-rendered pages: their
// stylesheet and script come from this server, and nothing else loads.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// layout is what every signed-in page's header needs.
type layout struct {
	User  signedInUser
	Page  string // "docs" or "tokens": the current page, marked in the navigation
	Title string // the page's title, before " – Engage"
}

// renderPage writes the template name with data and status, with the
// headers every page of signed-in users has: not cached (they show the
// user's data, and once a token's secret), never framed, and policy csp.
func (p *Pages) renderPage(w http.ResponseWriter, r *http.Request, status int, name, csp string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		p.serverError(w, r, "rendering "+name, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// dict makes a map of its key and value arguments, so that a template can
// pass several values to another: {{template "t" dict "A" 1 "B" 2}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs pairs of keys and values")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
