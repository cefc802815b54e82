package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"engage/api"
	"engage/session"
)

// The token page, /settings/api, reads and changes tokens through the
// GraphQL API with the user's session (api.Runner), so the API's rules
// decide what it shows and allows: users see their own tokens, and
// administrators everyone's.

// tokensPath is the token page.
const tokensPath = "/settings/api"

// tokenRoutes registers the token page, its New token form, and the pages
// and forms that rename, regenerate and revoke a token.
func (p *Pages) tokenRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+tokensPath, p.tokensPage)
	mux.Handle("POST "+tokensPath+"/tokens", limitBody(http.HandlerFunc(p.createToken)))
	// The form's address, opened as a page (an old bookmark, a typed URL),
	// is the page of the form.
	mux.Handle("GET "+tokensPath+"/tokens", http.RedirectHandler(tokensPath, http.StatusSeeOther))
	mux.HandleFunc("GET "+tokensPath+"/tokens/{id}/{action}", p.tokenActionPage)
	mux.Handle("POST "+tokensPath+"/tokens/{id}/rename", limitBody(http.HandlerFunc(p.rename)))
	mux.Handle("POST "+tokensPath+"/tokens/{id}/regenerate", limitBody(http.HandlerFunc(p.regenerate)))
	mux.Handle("POST "+tokensPath+"/tokens/{id}/revoke", limitBody(http.HandlerFunc(p.revoke)))
}

// tokenPageQuery reads the page's data; $all adds the other users' tokens,
// which only an administrator can see.
const tokenPageQuery = `query TokenPage($all: Boolean!, $me: ID!) {
  viewer {
    user { id name email role apiAccess }
    apiTokens(first: 100, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount edges { node { ...Row } } }
  }
  others: apiTokens(first: 100, orderBy: {field: CREATED_AT, direction: DESC}, where: {ownerIDNEQ: $me}) @include(if: $all) {
    totalCount edges { node { ...Row } }
  }
  projects(first: 100, orderBy: {field: TITLE, direction: ASC}) { totalCount edges { node { id title } } }
}
` + tokenRowFragment

// tokenRowFragment is what a row of the token tables shows.
const tokenRowFragment = `fragment Row on APIToken {
  id name description prefix readOnly createdAt lastUsedAt lastUsedIP useCount expiresAt revokedAt
  owner { id name email }
  allowedProjects(first: 20, orderBy: {field: TITLE, direction: ASC}) { edges { node { title } } }
}`

const createTokenMutation = `mutation CreateToken($input: CreateAPITokenInput!) {
  createAPIToken(input: $input) { secret token { id name prefix } }
}`

// liveTokensNamedQuery counts an owner's live tokens with a name, but for
// one (the token being renamed), in any capitals.
const liveTokensNamedQuery = `query LiveTokensNamed($owner: ID!, $name: String!, $except: ID, $now: Time!) {
  apiTokens(where: {ownerID: $owner, nameEqualFold: $name, idNEQ: $except, revokedAtIsNil: true,
    or: [{expiresAtIsNil: true}, {expiresAtGT: $now}]}) { totalCount }
}`

// tokenNode is an API token as the queries above return it.
type tokenNode struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	Description     string     `json:"description"`
	Prefix          string     `json:"prefix"`
	ReadOnly        bool       `json:"readOnly"`
	CreatedAt       time.Time  `json:"createdAt"`
	LastUsedAt      *time.Time `json:"lastUsedAt"`
	LastUsedIP      *string    `json:"lastUsedIP"`
	UseCount        int        `json:"useCount"`
	ExpiresAt       *time.Time `json:"expiresAt"`
	RevokedAt       *time.Time `json:"revokedAt"`
	AllowedProjects struct {
		Edges []struct {
			Node struct{ Title string } `json:"node"`
		} `json:"edges"`
	} `json:"allowedProjects"`
	Owner struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"owner"`
}

type tokenConnection struct {
	TotalCount int `json:"totalCount"`
	Edges      []struct {
		Node tokenNode `json:"node"`
	} `json:"edges"`
}

// tokenRow is a token as the page's tables show it.
type tokenRow struct {
	ID, Name, Description, Prefix string
	OwnerID, Owner                string // Owner: "Name (email)"
	Created, LastUsed, Expires    timeText
	Rights, Projects              string
	Status                        string // live, revoked or expired
	Revoked                       bool
}

// Live reports whether the token works: neither revoked nor expired. Only a
// live token can get a new secret.
func (t tokenRow) Live() bool { return t.Status == "live" }

// timeText is a time for display, with its machine-readable form.
type timeText struct{ Text, ISO string }

// tokenTable is a table of tokens: the newest hundred of Total.
type tokenTable struct {
	Rows  []tokenRow
	Total int
}

// projectOption is a project the New token form offers.
type projectOption struct {
	ID, Title string
	Checked   bool
}

// tokensData fills templates/tokens.html.
type tokensData struct {
	layout
	CanMint bool
	// The New token form.
	Form      tokenForm
	FormError *formError
	Nonce     string
	Expiry    []expiryOption
	FirstDay  string // the date field's range; LastDay "" for none
	LastDay   string
	MaxDays   int // the longest lifetime, 0 for none
	Projects  []projectOption
	// What the previous form did.
	Notice string
	Secret *shownSecret
	// The tables.
	Mine   tokenTable
	Others *tokenTable // the other users' tokens, for administrators
}

// tokenPageData is the data of tokenPageQuery.
type tokenPageData struct {
	Viewer struct {
		User      signedInUser    `json:"user"`
		APITokens tokenConnection `json:"apiTokens"`
	} `json:"viewer"`
	Others   *tokenConnection `json:"others"`
	Projects struct {
		Edges []struct {
			Node struct{ ID, Title string } `json:"node"`
		} `json:"edges"`
	} `json:"projects"`
}

// tokensPage shows the token page, with what the previous form left: a
// notice, a secret to show this once, or a form as typed before the
// session ended.
func (p *Pages) tokensPage(w http.ResponseWriter, r *http.Request) {
	var form tokenForm
	if draft := p.takeDraft(r, tokensPath); draft != nil {
		form = readTokenForm(draft)
	}
	data, ok := p.loadTokens(w, r, form)
	if !ok {
		return
	}
	data.Notice, data.Secret = p.takeNotice(r), p.takeSecret(r)
	p.renderPage(w, r, http.StatusOK, "tokens.html", pageCSP, data)
}

// loadTokens reads the page's data, with form in the New token form and a
// fresh nonce, or answers the request (a redirect to the login page, or an
// error) and returns false.
func (p *Pages) loadTokens(w http.ResponseWriter, r *http.Request, form tokenForm) (tokensData, bool) {
	// Whether the user is an administrator decides whether to ask for the
	// other users' tokens; the header query answers it.
	u, ok := p.requireUser(w, r)
	if !ok {
		return tokensData{}, false
	}
	var page tokenPageData
	if err := p.graphQL.Run(r, tokenPageQuery, map[string]any{"all": u.Admin(), "me": u.ID}, &page); err != nil {
		if errors.Is(err, api.ErrSignedOut) {
			redirectToLogin(w, r)
		} else {
			p.serverError(w, r, "reading the token page", err)
		}
		return tokensData{}, false
	}
	rules := p.expiryRules()
	data := tokensData{
		layout:   layout{User: page.Viewer.User, Page: "tokens", Title: "API tokens"},
		CanMint:  page.Viewer.User.Admin() || page.Viewer.User.APIAccess,
		Form:     form,
		Nonce:    newNonce(),
		Expiry:   rules.options(form.Expiry),
		FirstDay: rules.firstDay(),
		LastDay:  rules.lastDay(),
		MaxDays:  rules.maxDays(),
		Mine:     newTokenTable(page.Viewer.APITokens, rules.now),
	}
	if page.Others != nil {
		others := newTokenTable(*page.Others, rules.now)
		data.Others = &others
	}
	for _, e := range page.Projects.Edges {
		data.Projects = append(data.Projects, projectOption{
			ID: e.Node.ID, Title: e.Node.Title, Checked: slices.Contains(form.Projects, e.Node.ID),
		})
	}
	return data, true
}

// expiryRules are the expiries the New token form may offer now.
func (p *Pages) expiryRules() expiryRules {
	return expiryRules{now: time.Now().UTC(), maxLifetime: p.tokenMaxLifetime}
}

func newTokenTable(c tokenConnection, now time.Time) tokenTable {
	table := tokenTable{Total: c.TotalCount}
	for _, e := range c.Edges {
		table.Rows = append(table.Rows, newTokenRow(e.Node, now))
	}
	return table
}

func newTokenRow(t tokenNode, now time.Time) tokenRow {
	row := tokenRow{
		// The prefix is the start of the secret: "eng_AbC1…".
		ID: t.ID, Name: t.Name, Description: t.Description, Prefix: t.Prefix + "…",
		OwnerID: t.Owner.ID, Owner: t.Owner.Name + " (" + t.Owner.Email + ")",
		Created: formatTime(&t.CreatedAt), LastUsed: timeText{Text: "Never"}, Expires: timeText{Text: "Never"},
		Rights: "Read and write", Projects: "All projects the owner can see",
		Status: "live", Revoked: t.RevokedAt != nil,
	}
	if t.ReadOnly {
		row.Rights = "Read only"
	}
	if t.LastUsedAt != nil {
		row.LastUsed = formatTime(t.LastUsedAt)
		if t.LastUsedIP != nil {
			row.LastUsed.Text += " from " + *t.LastUsedIP
		}
		if t.UseCount > 0 {
			row.LastUsed.Text += ", " + plural(t.UseCount, "use")
		}
	}
	if t.ExpiresAt != nil {
		row.Expires = formatTime(t.ExpiresAt)
		if !t.ExpiresAt.After(now) {
			row.Status = "expired"
		}
	}
	if t.RevokedAt != nil {
		row.Status = "revoked"
	}
	if n := len(t.AllowedProjects.Edges); n > 0 {
		titles := make([]string, n)
		for i, e := range t.AllowedProjects.Edges {
			titles[i] = e.Node.Title
		}
		row.Projects = strings.Join(titles, ", ")
	}
	return row
}

// createToken mints a token from the New token form, once per form (its
// nonce), and leads to the token page, which shows the secret this once.
// A session that ended while the form was being filled leads to the login
// page, and back to the form as it was typed.
func (p *Pages) createToken(w http.ResponseWriter, r *http.Request) {
	if !p.readForm(w, r, tokensPath) {
		return
	}
	form := readTokenForm(r.PostForm)
	// A form to correct is shown again however often it is sent; only one
	// that may mint claims its nonce.
	expiresAt, formErr := p.expiryRules().expiresAt(form)
	if formErr == nil {
		formErr = form.check()
	}
	if formErr != nil {
		p.showFormError(w, r, form, formErr)
		return
	}
	if !p.claimFormOnce(w, r) {
		return
	}
	minted, formErr, err := p.mint(r, form, expiresAt)
	switch {
	case errors.Is(err, api.ErrSignedOut):
		p.keepDraftAndSignIn(w, r, tokensPath)
	case err != nil:
		p.serverError(w, r, "creating a token", err)
	case formErr != nil:
		p.showFormError(w, r, form, formErr)
	default:
		p.logger.InfoContext(r.Context(), "token created on the token page", "user", session.UserID(r.Context(), p.sm), "token", minted.Token.ID)
		p.leaveSecret(r, shownSecret{TokenName: minted.Token.Name, Secret: minted.Secret})
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	}
}

// mintedToken is what createAPIToken and rotateAPIToken answer.
type mintedToken struct {
	Secret string `json:"secret"`
	Token  struct {
		ID, Name, Prefix string
	} `json:"token"`
}

// mint mints the token the form describes, expiring at expiresAt, as the
// signed-in user. When the name is taken, or the API refuses the token,
// formErr says what to correct.
func (p *Pages) mint(r *http.Request, form tokenForm, expiresAt *time.Time) (minted mintedToken, formErr *formError, err error) {
	formErr, err = p.nameTaken(r, session.UserID(r.Context(), p.sm), form.Name, "", true)
	if formErr != nil || err != nil {
		return mintedToken{}, formErr, err
	}
	var out struct {
		CreateAPIToken mintedToken `json:"createAPIToken"`
	}
	err = p.graphQL.Run(r, createTokenMutation, map[string]any{"input": form.input(expiresAt)}, &out)
	if refused, ok := asRefusal(err); ok {
		return mintedToken{}, &formError{Message: "The token was not created: " + refused.Message}, nil
	}
	return out.CreateAPIToken, nil, err
}

// nameTaken says, as a formError, when owner has a live token named name
// already (in any capitals), but for the token except; mine says whether
// the owner is the signed-in user.
func (p *Pages) nameTaken(r *http.Request, owner, name, except string, mine bool) (*formError, error) {
	var out struct {
		APITokens struct{ TotalCount int } `json:"apiTokens"`
	}
	vars := map[string]any{"owner": owner, "name": name, "now": time.Now().UTC().Format(time.RFC3339)}
	if except != "" {
		vars["except"] = except
	}
	if err := p.graphQL.Run(r, liveTokensNamedQuery, vars, &out); err != nil || out.APITokens.TotalCount == 0 {
		return nil, err
	}
	whose := "Its owner has"
	if mine {
		whose = "You have"
	}
	return &formError{"name", whose + " a live token named “" + name + "” already: choose another name, or revoke that token first."}, nil
}

// showFormError shows the token page again with the New token form as it
// was sent and what to correct in it.
func (p *Pages) showFormError(w http.ResponseWriter, r *http.Request, form tokenForm, formErr *formError) {
	data, ok := p.loadTokens(w, r, form)
	if !ok {
		return
	}
	data.FormError = formErr
	p.renderPage(w, r, http.StatusBadRequest, "tokens.html", pageCSP, data)
}

// readForm parses the form r posted from page, and reports whether someone
// is signed in to act on it. When not, it has answered: a form that cannot
// be read is a 400; a session that ended leads to the login page, and back
// to page with the form as it was typed.
func (p *Pages) readForm(w http.ResponseWriter, r *http.Request, page string) bool {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return false
	}
	if session.UserID(r.Context(), p.sm) == "" {
		p.keepDraftAndSignIn(w, r, page)
		return false
	}
	return true
}

// claimFormOnce claims the nonce of the form r posted, and reports whether
// the form may act. When it may not, it has answered: a form sent again
// leads to the token page, which says so; a form with no nonce is not one
// of these pages' (400).
func (p *Pages) claimFormOnce(w http.ResponseWriter, r *http.Request) bool {
	first, err := p.claimNonce(r)
	switch {
	case errors.Is(err, errNoNonce):
		http.Error(w, "The form is out of date: reload the page and send it again.", http.StatusBadRequest)
	case err != nil:
		p.serverError(w, r, "claiming a form's nonce", err)
	case !first:
		p.leaveNotice(r, "That form was sent more than once; only the first was handled.")
		http.Redirect(w, r, tokensPath, http.StatusSeeOther)
	}
	return err == nil && first
}

// asRefusal returns err as the API's refusal of an operation, if it is one.
func asRefusal(err error) (*api.OperationError, bool) {
	var refused *api.OperationError
	return refused, errors.As(err, &refused)
}

// formatTime shows t in UTC to the minute.
func formatTime(t *time.Time) timeText {
	return timeText{Text: t.UTC().Format("2 Jan 2006, 15:04 UTC"), ISO: t.UTC().Format(time.RFC3339)}
}

// plural is "1 use" or "n uses".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
