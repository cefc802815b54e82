package web

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"engage/session"
)

// What one request leaves in the session for the next: the forms answer
// with a redirect (Post/Redirect/Get), so that reloading or going Back
// never sends them again, and the page after the redirect shows their
// outcome once.

// Session keys of the hand-offs.
const (
	noticeKey = "web.notice" // a sentence that says what was done
	secretKey = "web.secret" // a shownSecret, as JSON
	draftKey  = "web.draft:" // + a form's page: the form as typed, when the session had ended
)

// shownSecret is a token's secret, shown once on the page after the form
// that minted or regenerated it. It waits in the session (the database) for
// no longer than that redirect, unless the browser never follows it; then
// it goes with the session.
type shownSecret struct {
	TokenName   string `json:"tokenName"`
	Secret      string `json:"secret"`
	Regenerated bool   `json:"regenerated"`
}

// leaveNotice leaves the next page a sentence to show.
func (p *Pages) leaveNotice(r *http.Request, notice string) {
	p.sm.Put(r.Context(), noticeKey, notice)
}

// takeNotice returns the sentence the previous request left, once.
func (p *Pages) takeNotice(r *http.Request) string {
	return p.sm.PopString(r.Context(), noticeKey)
}

// leaveSecret leaves the next page a secret to show.
func (p *Pages) leaveSecret(r *http.Request, s shownSecret) {
	b, _ := json.Marshal(s) // strings and a bool always encode
	p.sm.Put(r.Context(), secretKey, string(b))
}

// takeSecret returns the secret the previous request left, once, or nil.
func (p *Pages) takeSecret(r *http.Request) *shownSecret {
	raw := p.sm.PopString(r.Context(), secretKey)
	var s shownSecret
	if raw == "" || json.Unmarshal([]byte(raw), &s) != nil {
		return nil
	}
	return &s
}

// keepDraftAndSignIn answers a form that r posted after its session ended:
// it keeps what was typed for the form's page and sends the browser to the
// login page, which leads back to that page, where takeDraft fills the form
// again. A form posted from another site keeps nothing, so that no site can
// plant values in the forms of this one.
func (p *Pages) keepDraftAndSignIn(w http.ResponseWriter, r *http.Request, page string) {
	if http.NewCrossOriginProtection().Check(r) == nil {
		draft := url.Values{}
		for name, values := range r.PostForm {
			if name != nonceField {
				draft[name] = values
			}
		}
		p.sm.Put(r.Context(), draftKey+page, draft.Encode())
	}
	http.Redirect(w, r, "/login?next="+nextParam(page), http.StatusSeeOther)
}

// takeDraft returns, once, what was typed into the form of page before the
// session ended, or nil.
func (p *Pages) takeDraft(r *http.Request, page string) url.Values {
	raw := p.sm.PopString(r.Context(), draftKey+page)
	if raw == "" {
		return nil
	}
	draft, err := url.ParseQuery(raw)
	if err != nil {
		return nil
	}
	return draft
}

// nonceField is the name of a form's one-time nonce.
const nonceField = "nonce"

// nonceLifetime is how long a used nonce is remembered: longer than a page
// with a form stays open in a browser, session included.
const nonceLifetime = 2 * session.Lifetime

// newNonce returns a one-time nonce for a form that must act once.
func newNonce() string { return rand.Text() }

// errNoNonce is claimNonce's error for a form without a well-formed nonce,
// which is not a form of these pages.
var errNoNonce = errors.New("the form has no nonce")

// claimNonce reports whether the nonce of the form r posted is used now for
// the first time. Of a form sent twice (a double click, a reload, Back and
// send again), only the first is: the claim is recorded in the database,
// for every server process.
func (p *Pages) claimNonce(r *http.Request) (bool, error) {
	nonce := r.PostFormValue(nonceField)
	if len(nonce) < 20 || len(nonce) > 64 {
		return false, errNoNonce
	}
	return session.Claim(r.Context(), p.sm, "form:"+nonce, time.Now().Add(nonceLifetime))
}
