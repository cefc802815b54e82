package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"engage/api"
)

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
	err := p.graphQL.Run(r, viewerQuery, nil, &data)
	switch {
	case errors.Is(err, api.ErrSignedOut):
		redirectToLogin(w, r)
		return signedInUser{}, false
	case err != nil:
		p.serverError(w, r, "reading the signed-in user", err)
		return signedInUser{}, false
	}
	return data.Viewer.User, true
}

// redirectToLogin sends the browser to the login page, with r's path (and
// query) as the page to come back to. Forms use keepDraftAndSignIn, which
// leads back to the form's page.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, "/login?next="+nextParam(next), http.StatusSeeOther)
}

// nextParam is path as the login page's next parameter.
func nextParam(path string) string {
	// Slashes may stay as they are in a query, and read better there.
	return strings.ReplaceAll(url.QueryEscape(path), "%2F", "/")
}

// serverError logs err and answers 500 without details.
func (p *Pages) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.logger.ErrorContext(r.Context(), what, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}
