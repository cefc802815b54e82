package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"engage/api"
)

// The pages of one token, each with one form: rename it, regenerate its
// secret, revoke it. Each form leads back to the token page, which says
// what was done.

// tokenActions are the actions on a token that have a page.
var tokenActions = map[string]bool{"rename": true, "regenerate": true, "revoke": true}

const tokenQuery = `query Token($id: ID!) { node(id: $id) { ... on APIToken { ...Row } } }
` + tokenRowFragment

const renameMutation = `mutation RenameToken($id: ID!, $name: String!, $description: String) {
  renameAPIToken(id: $id, name: $name, description: $description) { id name }
}`

const rotateMutation = `mutation RegenerateToken($id: ID!) { rotateAPIToken(id: $id) { secret token { id name prefix } } }`

const revokeMutation = `mutation RevokeToken($id: ID!) { revokeAPIToken(id: $id) { id name } }`

// tokenActionData fills templates/token.html.
type tokenActionData struct {
	layout
	Action    string // rename, regenerate or revoke
	Token     tokenRow
	Form      tokenForm // the rename form's name and description
	Nonce     string    // the regenerate form's
	FormError *formError
}

// tokenActionPage shows the page of an action on a token: the rename form,
// or the confirmation of regenerating or revoking it.
func (p *Pages) tokenActionPage(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !tokenActions[action] {
		http.NotFound(w, r)
		return
	}
	data, ok := p.loadTokenAction(w, r, action)
	if !ok {
		return
	}
	switch {
	case data.Token.Revoked:
		p.leaveNotice(r, "The token “"+data.Token.Name+"” is revoked already.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
		return
	case action == "regenerate" && !data.Token.Live():
		p.leaveNotice(r, "The token “"+data.Token.Name+"” has expired: only a live token gets a new secret. Create a new token instead.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
		return
	}
	if draft := p.takeDraft(r, r.URL.Path); draft != nil {
		data.Form = readTokenForm(draft)
	}
	p.renderPage(w, r, http.StatusOK, "token.html", pageCSP, data)
}

// loadTokenAction reads the token of r's path for the page of action, or
// answers the request (the login page, 404 for a token the user may not
// see, or an error) and returns false.
func (p *Pages) loadTokenAction(w http.ResponseWriter, r *http.Request, action string) (tokenActionData, bool) {
	u, ok := p.requireUser(w, r)
	if !ok {
		return tokenActionData{}, false
	}
	var out struct {
		Node *tokenNode `json:"node"`
	}
	err := p.graphQL.Run(r, tokenQuery, map[string]any{"id": r.PathValue("id")}, &out)
	_, refused := asRefusal(err)
	switch {
	case errors.Is(err, api.ErrSignedOut):
		redirectToLogin(w, r)
		return tokenActionData{}, false
	case refused, err == nil && (out.Node == nil || out.Node.ID == ""):
		// A token the user may not see looks like one that does not exist.
		http.NotFound(w, r)
		return tokenActionData{}, false
	case err != nil:
		p.serverError(w, r, "reading a token", err)
		return tokenActionData{}, false
	}
	token := newTokenRow(*out.Node, time.Now())
	titles := map[string]string{"rename": "Rename a token", "regenerate": "Regenerate a token’s secret", "revoke": "Revoke a token"}
	return tokenActionData{
		layout: layout{User: u, Page: "tokens", Title: titles[action]},
		Action: action, Token: token, Form: tokenForm{Name: token.Name, Description: token.Description}, Nonce: newNonce(),
	}, true
}

// showActionError shows the page of action again with what went wrong,
// and the form as typed.
func (p *Pages) showActionError(w http.ResponseWriter, r *http.Request, action string, form tokenForm, formErr *formError) {
	data, ok := p.loadTokenAction(w, r, action)
	if !ok {
		return
	}
	data.Form, data.FormError = form, formErr
	p.renderPage(w, r, http.StatusBadRequest, "token.html", pageCSP, data)
}

// rename renames a token, and sets its description, from its rename form.
// A post without the description field (an older page) keeps it.
func (p *Pages) rename(w http.ResponseWriter, r *http.Request) {
	if !p.readForm(w, r, r.URL.Path) {
		return
	}
	data, ok := p.loadTokenAction(w, r, "rename")
	if !ok {
		return
	}
	form := readTokenForm(r.PostForm)
	name := form.Name
	formErr := form.check()
	var err error
	if formErr == nil && !strings.EqualFold(name, data.Token.Name) {
		formErr, err = p.nameTaken(r, data.Token.OwnerID, name, data.Token.ID, data.Token.OwnerID == data.User.ID)
	}
	if formErr == nil && err == nil {
		vars := map[string]any{"id": data.Token.ID, "name": name}
		if r.PostForm.Has("description") {
			vars["description"] = form.Description
		}
		err = p.graphQL.Run(r, renameMutation, vars, nil)
		if refused, ok := asRefusal(err); ok {
			formErr, err = &formError{"name", "The token was not renamed: " + refused.Message}, nil
		}
	}
	switch {
	case errors.Is(err, api.ErrSignedOut):
		p.keepDraftAndSignIn(w, r, r.URL.Path)
	case err != nil:
		p.serverError(w, r, "renaming a token", err)
	case formErr != nil:
		p.showActionError(w, r, "rename", form, formErr)
	case name == data.Token.Name:
		p.leaveNotice(r, "The token “"+name+"” is saved.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	default:
		p.leaveNotice(r, "The token “"+data.Token.Name+"” is now named “"+name+"”.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	}
}

// regenerate gives a token a new secret, once per confirmation (its nonce),
// and leads to the token page, which shows the secret this once.
func (p *Pages) regenerate(w http.ResponseWriter, r *http.Request) {
	if !p.readForm(w, r, r.URL.Path) || !p.claimFormOnce(w, r) {
		return
	}
	var out struct {
		RotateAPIToken mintedToken `json:"rotateAPIToken"`
	}
	err := p.graphQL.Run(r, rotateMutation, map[string]any{"id": r.PathValue("id")}, &out)
	refused, isRefusal := asRefusal(err)
	switch {
	case errors.Is(err, api.ErrSignedOut):
		p.keepDraftAndSignIn(w, r, r.URL.Path)
	case isRefusal:
		p.showActionError(w, r, "regenerate", tokenForm{}, &formError{Message: "The secret was not regenerated: " + refused.Message})
	case err != nil:
		p.serverError(w, r, "regenerating a token", err)
	default:
		minted := out.RotateAPIToken
		p.logger.InfoContext(r.Context(), "token regenerated on the token page", "token", minted.Token.ID)
		p.leaveSecret(r, shownSecret{TokenName: minted.Token.Name, Secret: minted.Secret, Regenerated: true})
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	}
}

// revoke revokes a token once the user confirmed it.
func (p *Pages) revoke(w http.ResponseWriter, r *http.Request) {
	if !p.readForm(w, r, r.URL.Path) {
		return
	}
	var out struct {
		RevokeAPIToken struct{ ID, Name string } `json:"revokeAPIToken"`
	}
	err := p.graphQL.Run(r, revokeMutation, map[string]any{"id": r.PathValue("id")}, &out)
	refused, isRefusal := asRefusal(err)
	switch {
	case errors.Is(err, api.ErrSignedOut):
		p.keepDraftAndSignIn(w, r, r.URL.Path)
	case isRefusal:
		http.Error(w, "The token was not revoked: "+refused.Message, http.StatusNotFound)
	case err != nil:
		p.serverError(w, r, "revoking a token", err)
	default:
		p.logger.InfoContext(r.Context(), "token revoked on the token page", "token", out.RevokeAPIToken.ID)
		p.leaveNotice(r, "The token “"+out.RevokeAPIToken.Name+"” is revoked: programs that use it now get HTTP 401.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	}
}
