package web

import (
	"engage/api"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The token page, /settings/api, reads and changes tokens through the
// GraphQL API with the user's session (api.Runner), so the API's rules
// decide what it shows and allows: users see their own tokens, and
// administrators everyone's.

// tokenPageQuery reads the page's data; $all adds every user's tokens, which
// only an administrator can see.
const tokenPageQuery = `query TokenPage($all: Boolean!) {
  viewer {
    user { id name email role apiAccess }
    apiTokens(first: 100, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount edges { node { ...Row } } }
  }
  everyone: apiTokens(first: 100, orderBy: {field: CREATED_AT, direction: DESC}) @include(if: $all) {
    totalCount edges { node { ...Row owner { name email } } }
  }
  projects(first: 100, orderBy: {field: TITLE, direction: ASC}) { totalCount edges { node { id title } } }
}
fragment Row on APIToken {
  id name prefix readOnly createdAt lastUsedAt lastUsedIP useCount expiresAt revokedAt
  allowedProjects(first: 20, orderBy: {field: TITLE, direction: ASC}) { edges { node { title } } }
}`

const createTokenMutation = `mutation CreateToken($input: CreateAPITokenInput!) {
  createAPIToken(input: $input) { secret token { id name prefix } }
}`

const tokenQuery = `query Token($id: ID!) {
  node(id: $id) { ... on APIToken { id name prefix createdAt revokedAt owner { name email } } }
}`

const revokeMutation = `mutation RevokeToken($id: ID!) { revokeAPIToken(id: $id) { id name } }`

// tokenNode is an API token as the queries above return it.
type tokenNode struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
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
	Owner *struct {
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
	ID, Name, Prefix, Owner    string
	Created, LastUsed, Expires timeText
	Rights, Projects           string
	Status                     string // live, revoked or expired
	Revocable                  bool
}

// timeText is a time for display, with its machine-readable form.
type timeText struct{ Text, ISO string }

// projectOption is a project the New token form offers.
type projectOption struct {
	ID, Title string
	Checked   bool
}

// tokenForm is what the New token form holds.
type tokenForm struct {
	Name, Expires string
	ReadOnly      bool
	Projects      []string
}

// createdToken is a token just minted, shown once with its secret.
type createdToken struct{ Name, Secret string }

// tokensData fills templates/tokens.html.
type tokensData struct {
	layout
	CanMint   bool
	Form      tokenForm
	Projects  []projectOption
	MinDate   string // the earliest expiry date the form accepts
	Error     string
	Notice    string
	Created   *createdToken
	Mine      []tokenRow
	MineTotal int
	All       []tokenRow // every user's tokens; for administrators only
	AllTotal  int
}

// tokenPageData is the data of tokenPageQuery.
type tokenPageData struct {
	Viewer struct {
		User      signedInUser    `json:"user"`
		APITokens tokenConnection `json:"apiTokens"`
	} `json:"viewer"`
	Everyone *tokenConnection `json:"everyone"`
	Projects struct {
		Edges []struct {
			Node struct{ ID, Title string } `json:"node"`
		} `json:"edges"`
	} `json:"projects"`
}

// tokensPage shows the token page.
func (p *Pages) tokensPage(w http.ResponseWriter, r *http.Request) {
	data, ok := p.loadTokens(w, r, tokenForm{})
	if !ok {
		return
	}
	if id := r.URL.Query().Get("revoked"); id != "" {
		for _, t := range append(data.Mine, data.All...) {
			if t.ID == id {
				data.Notice = "The token “" + t.Name + "” (" + t.Prefix + ") is revoked: programs that use it now get HTTP 401."
				break
			}
		}
	}
	p.renderPage(w, r, http.StatusOK, "tokens.html", pageCSP, data)
}

// loadTokens reads the page's data, or answers the request (a redirect to
// the login page, or an error) and returns false.
func (p *Pages) loadTokens(w http.ResponseWriter, r *http.Request, form tokenForm) (tokensData, bool) {
	// Whether the user is an administrator decides whether to ask for every
	// user's tokens; the header query answers it.
	u, ok := p.requireUser(w, r)
	if !ok {
		return tokensData{}, false
	}
	var page tokenPageData
	if err := p.graphQL.Run(r, tokenPageQuery, map[string]any{"all": u.Admin()}, &page); err != nil {
		if errors.Is(err, api.ErrSignedOut) {
			redirectToLogin(w, r)
		} else {
			p.serverError(w, r, "reading the token page", err)
		}
		return tokensData{}, false
	}
	now := time.Now()
	data := tokensData{
		layout:    layout{User: page.Viewer.User, Page: "tokens", Title: "API tokens"},
		CanMint:   page.Viewer.User.Admin() || page.Viewer.User.APIAccess,
		Form:      form,
		MinDate:   now.UTC().AddDate(0, 0, 1).Format(time.DateOnly),
		MineTotal: page.Viewer.APITokens.TotalCount,
	}
	for _, e := range page.Viewer.APITokens.Edges {
		data.Mine = append(data.Mine, newTokenRow(e.Node, now))
	}
	if page.Everyone != nil {
		data.AllTotal = page.Everyone.TotalCount
		for _, e := range page.Everyone.Edges {
			data.All = append(data.All, newTokenRow(e.Node, now))
		}
	}
	for _, e := range page.Projects.Edges {
		data.Projects = append(data.Projects, projectOption{
			ID: e.Node.ID, Title: e.Node.Title, Checked: slices.Contains(form.Projects, e.Node.ID),
		})
	}
	return data, true
}

func newTokenRow(t tokenNode, now time.Time) tokenRow {
	row := tokenRow{
		// The prefix is the start of the secret: "eng_AbC1…".
		ID: t.ID, Name: t.Name, Prefix: t.Prefix + "…", Created: formatTime(&t.CreatedAt),
		LastUsed: timeText{Text: "Never"}, Expires: timeText{Text: "Never"},
		Rights: "Read and write", Projects: "All projects the owner can see",
		Status: "live", Revocable: t.RevokedAt == nil,
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
	if t.Owner != nil {
		row.Owner = t.Owner.Name + " (" + t.Owner.Email + ")"
	}
	return row
}

// createToken mints a token from the New token form and shows its secret,
// this once, on the page it answers with. The secret is not kept anywhere,
// not even in the session, so it is never shown again.
func (p *Pages) createToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return
	}
	form := readTokenForm(r)
	input, formError := form.input()
	var minted mintedToken
	if formError == "" {
		var err error
		minted, err = p.mintToken(r, input)
		var ae *api.OperationError
		switch {
		case errors.Is(err, api.ErrSignedOut):
			redirectToLogin(w, r)
			return
		case errors.As(err, &ae):
			formError = "The token was not created: " + ae.Message
		case err != nil:
			p.serverError(w, r, "creating a token", err)
			return
		}
	}
	if formError != "" {
		p.showFormError(w, r, form, formError)
		return
	}
	data, ok := p.loadTokens(w, r, tokenForm{})
	if !ok {
		return
	}
	data.Created = &createdToken{Name: minted.Token.Name, Secret: minted.Secret}
	p.logger.InfoContext(r.Context(), "token created on the token page", "user", data.User.ID, "token", minted.Token.ID)
	p.renderPage(w, r, http.StatusCreated, "tokens.html", pageCSP, data)
}

// readTokenForm reads the New token form that r posted.
func readTokenForm(r *http.Request) tokenForm {
	return tokenForm{
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		Expires:  strings.TrimSpace(r.PostFormValue("expires")),
		ReadOnly: r.PostFormValue("read_only") != "",
		Projects: r.PostForm["project"],
	}
}

// input is the form as the input of createAPIToken, or else a message that
// says what to correct.
func (f tokenForm) input() (map[string]any, string) {
	if f.Name == "" {
		return nil, "Give the token a name, such as the program that will use it."
	}
	input := map[string]any{"name": f.Name, "readOnly": f.ReadOnly}
	if len(f.Projects) > 0 {
		input["projectIDs"] = f.Projects
	}
	if f.Expires != "" {
		day, err := time.Parse(time.DateOnly, f.Expires)
		if err != nil {
			return nil, "The expiry date must be a date such as 2027-06-30."
		}
		// The token works until the end of the chosen day, in UTC.
		input["expiresAt"] = day.Add(24*time.Hour - time.Second).Format(time.RFC3339)
	}
	return input, ""
}

// mintedToken is what createAPIToken answers.
type mintedToken struct {
	Secret string `json:"secret"`
	Token  struct {
		ID, Name, Prefix string
	} `json:"token"`
}

// mintToken runs createAPIToken with input as the signed-in user.
func (p *Pages) mintToken(r *http.Request, input map[string]any) (mintedToken, error) {
	var out struct {
		CreateAPIToken mintedToken `json:"createAPIToken"`
	}
	err := p.graphQL.Run(r, createTokenMutation, map[string]any{"input": input}, &out)
	return out.CreateAPIToken, err
}

// showFormError shows the token page again with the form as it was sent and
// what to correct in it.
func (p *Pages) showFormError(w http.ResponseWriter, r *http.Request, form tokenForm, message string) {
	data, ok := p.loadTokens(w, r, form)
	if !ok {
		return
	}
	data.Error = message
	p.renderPage(w, r, http.StatusBadRequest, "tokens.html", pageCSP, data)
}

// revokeData fills templates/revoke.html.
type revokeData struct {
	layout
	Token tokenRow
}

// revokeConfirm asks whether to revoke a token: revoking is for good.
func (p *Pages) revokeConfirm(w http.ResponseWriter, r *http.Request) {
	u, ok := p.requireUser(w, r)
	if !ok {
		return
	}
	var out struct {
		Node *tokenNode `json:"node"`
	}
	err := p.graphQL.Run(r, tokenQuery, map[string]any{"id": r.PathValue("id")}, &out)
	var ae *api.OperationError
	switch {
	case errors.Is(err, api.ErrSignedOut):
		redirectToLogin(w, r)
		return
	case errors.As(err, &ae), err == nil && (out.Node == nil || out.Node.ID == ""):
		// A token the user may not see looks like one that does not exist.
		http.NotFound(w, r)
		return
	case err != nil:
		p.serverError(w, r, "reading a token", err)
		return
	}
	if out.Node.RevokedAt != nil {
		http.Redirect(w, r, "/settings/api?revoked="+out.Node.ID, http.StatusSeeOther)
		return
	}
	p.renderPage(w, r, http.StatusOK, "revoke.html", pageCSP, revokeData{
		layout: layout{User: u, Page: "tokens", Title: "Revoke a token"},
		Token:  newTokenRow(*out.Node, time.Now()),
	})
}

// revoke revokes a token once the user confirmed it.
func (p *Pages) revoke(w http.ResponseWriter, r *http.Request) {
	var out struct {
		RevokeAPIToken struct{ ID string } `json:"revokeAPIToken"`
	}
	err := p.graphQL.Run(r, revokeMutation, map[string]any{"id": r.PathValue("id")}, &out)
	var ae *api.OperationError
	switch {
	case errors.Is(err, api.ErrSignedOut):
		redirectToLogin(w, r)
		return
	case errors.As(err, &ae):
		http.Error(w, "The token was not revoked: "+ae.Message, http.StatusNotFound)
		return
	case err != nil:
		p.serverError(w, r, "revoking a token", err)
		return
	}
	p.logger.InfoContext(r.Context(), "token revoked on the token page", "token", out.RevokeAPIToken.ID)
	http.Redirect(w, r, "/settings/api?revoked="+out.RevokeAPIToken.ID, http.StatusSeeOther)
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
