package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// errSignedOut is returned by query when the API does not accept the
// request's session: nobody is signed in, or the account was deactivated.
var errSignedOut = errors.New("not signed in")

// apiError is a GraphQL error the API answered, such as FORBIDDEN; its
// message is written for the caller and safe to show.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

// query runs a GraphQL operation through the API's own /graphql handler on
// mux, as the user signed in with r's session, and decodes its data into
// out. The pages read and change data only this way, so every privacy rule
// of the API applies to them too.
//
// The operation runs with r's context, which carries the session that
// sm.LoadAndSave loaded, and with no Authorization header, so the API
// authenticates it by that session.
func (p *Pages) query(r *http.Request, op string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": op, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Host = r.Host
	req.RemoteAddr = r.RemoteAddr
	req.Header.Set("Content-Type", "application/json")
	h, pattern := p.mux.Handler(req)
	if pattern == "" {
		return errors.New("no /graphql handler on the mux")
	}
	w := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(w, req)
	return decodeGraphQL(w.status, w.body.Bytes(), out)
}

// decodeGraphQL turns an API response into out, errSignedOut, an *apiError
// or an error.
func decodeGraphQL(status int, body []byte, out any) error {
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("the API answered HTTP %d and no JSON: %w", status, err)
	}
	if status == http.StatusUnauthorized {
		return errSignedOut
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		return &apiError{Code: e.Extensions.Code, Message: e.Message}
	}
	if status != http.StatusOK {
		return fmt.Errorf("the API answered HTTP %d", status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp.Data, out)
}

// bufferedResponse keeps what a handler writes.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// viewerQuery reads who is signed in, for the page header.
const viewerQuery = `query PageHeader { viewer { user { id name email role apiAccess } } }`

// signedInUser is the user of the page header.
type signedInUser struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	APIAccess bool   `json:"apiAccess"`
}

// Admin reports whether the user is an administrator.
func (u signedInUser) Admin() bool { return u.Role == "ADMIN" }

// requireUser returns who is signed in with r's session. When nobody is, it
// redirects to the login page, which leads back to r's page, and returns
// false; on other errors it answers 500.
func (p *Pages) requireUser(w http.ResponseWriter, r *http.Request) (signedInUser, bool) {
	var data struct {
		Viewer struct{ User signedInUser } `json:"viewer"`
	}
	err := p.query(r, viewerQuery, nil, &data)
	switch {
	case errors.Is(err, errSignedOut):
		redirectToLogin(w, r)
		return signedInUser{}, false
	case err != nil:
		p.serverError(w, r, "reading the signed-in user", err)
		return signedInUser{}, false
	}
	return data.Viewer.User, true
}

// redirectToLogin sends the browser to the login page, with r's path (and
// query) as the page to come back to.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	// Slashes may stay as they are in a query, and read better there.
	escaped := strings.ReplaceAll(url.QueryEscape(next), "%2F", "/")
	http.Redirect(w, r, "/login?next="+escaped, http.StatusSeeOther)
}

// serverError logs err and answers 500 without details.
func (p *Pages) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.logger.ErrorContext(r.Context(), what, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}
