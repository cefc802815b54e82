package api_test

// The reads of TestDifferential (differential_test.go): root connections,
// the nested query and edge filters, as each live token, against the
// oracle. differential_nodes_test.go checks node lookups and 401s.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"engage/internal/apitest"
)

// jstr writes a value as the report lines show it: strings quoted, nil
// (also a nil *string) as null.
func jstr(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	case *string:
		if v == nil {
			return "null"
		}
		return fmt.Sprintf("%q", *v)
	}
	return fmt.Sprint(v)
}

// do is apitest.Server.Do without t.Fatalf, so that it may run off the test's
// goroutine: an answer that is not JSON is an error.
func (d *diffRun) do(secret, query string, vars map[string]any) (apitest.Response, error) {
	raw := d.h.DoRaw(secret, query, vars)
	resp := apitest.Response{Status: raw.Status, Header: raw.Header}
	if err := json.Unmarshal([]byte(raw.Body), &resp); err != nil {
		return resp, fmt.Errorf("status %d, body is not JSON: %q", raw.Status, raw.Body)
	}
	return resp, nil
}

// decode decodes data into out; failing that, it records a mismatch.
func (d *diffRun) decode(tok *oToken, label, query string, data json.RawMessage, out any) bool {
	if err := json.Unmarshal(data, out); err != nil {
		d.record(mismatch{tok: tok, label: label, query: query,
			missing: []string{"data of the queried shape"}, unexpected: []string{fmt.Sprintf("%s (%v)", data, err)}})
		return false
	}
	return true
}

// send is do that records a mismatch for an answer that is not JSON.
func (d *diffRun) send(tok *oToken, label, query string, vars map[string]any) (apitest.Response, bool) {
	resp, err := d.do(tok.Secret, query, vars)
	if err != nil {
		d.record(mismatch{tok: tok, label: label, query: query,
			missing: []string{"a JSON answer"}, unexpected: []string{err.Error()}})
		return resp, false
	}
	return resp, true
}

// read sends a request that must succeed with status 200 and data; else it
// records a mismatch and reports ok=false.
func (d *diffRun) read(tok *oToken, label, query string, vars map[string]any) (apitest.Response, bool) {
	resp, ok := d.send(tok, label, query, vars)
	if !ok {
		return resp, false
	}
	if resp.Status != http.StatusOK || resp.Data == nil || string(resp.Data) == "null" {
		d.record(mismatch{tok: tok, label: label, query: query,
			missing:    []string{"status 200 with data"},
			unexpected: []string{fmt.Sprintf("status %d, data %s, errors %s", resp.Status, resp.Data, errorsText(resp))}})
		return resp, false
	}
	return resp, true
}

func errorsText(resp apitest.Response) string {
	var out []string
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, fmt.Sprintf("%v %s: %s", e.Path, code, e.Message))
	}
	return "[" + strings.Join(out, "; ") + "]"
}

// errorLinesAt is errorLines of the errors at the root field name.
func errorLinesAt(resp apitest.Response, name string) []string {
	var at []apitest.Error
	for _, e := range resp.Errors {
		if len(e.Path) > 0 && e.Path[0] == name {
			at = append(at, e)
		}
	}
	return errorLines(apitest.Response{Errors: at})
}

// errorLines turns errors into comparable lines.
func errorLines(resp apitest.Response) []string {
	var out []string
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, fmt.Sprintf("error at %v: %s: %s", e.Path, code, e.Message))
	}
	return out
}

type rootConn struct {
	TotalCount int
	Edges      []struct{ Node map[string]any }
}

// connLines renders a connection: its totalCount and one line per node,
// with the node's fields other than id.
func connLines(name string, c rootConn) []string {
	out := []string{fmt.Sprintf("%s.totalCount=%d", name, c.TotalCount)}
	for _, e := range c.Edges {
		out = append(out, nodeLine(name, e.Node))
	}
	return out
}

func nodeLine(prefix string, n map[string]any) string {
	keys := slices.Sorted(maps.Keys(n))
	parts := []string{prefix, jstr(n["id"])}
	for _, k := range keys {
		if k != "id" {
			parts = append(parts, k+"="+jstr(n[k]))
		}
	}
	return strings.Join(parts, " ")
}

const rootQuery = `{
  projects(first: 100) { totalCount edges { node { id } } }
  surveys(first: 100) { totalCount edges { node { id } } }
  questions(first: 100) { totalCount edges { node { id } } }
  responses(first: 100) { totalCount edges { node { id respondentName respondentEmail } } }
  answers(first: 100) { totalCount edges { node { id } } }
  maps(first: 100) { totalCount edges { node { id } } }
  pins(first: 100) { totalCount edges { node { id authorEmail } } }
  comments(first: 100) { totalCount edges { node { id authorEmail } } }
  teams(first: 100) { totalCount edges { node { id } } }
  teamMemberships(first: 100) { totalCount edges { node { id user { id } } } }
  projectMemberships(first: 100) { totalCount edges { node { id user { id } } } }
  users(first: 100) { totalCount edges { node { id email } } }
  apiTokens(first: 100) { totalCount edges { node { id } } }
  auditEvents(first: 100) { totalCount edges { node { id } } }
}`

// expectedConn renders what the oracle expects of a connection.
func expectedConn(name string, nodes []map[string]any) []string {
	out := []string{fmt.Sprintf("%s.totalCount=%d", name, len(nodes))}
	for _, n := range nodes {
		out = append(out, nodeLine(name, n))
	}
	return out
}

func collect[T any](s []T, keep func(T) bool, node func(T) map[string]any) []map[string]any {
	var out []map[string]any
	for _, x := range s {
		if keep(x) {
			out = append(out, node(x))
		}
	}
	return out
}

func idNode(id string) map[string]any { return map[string]any{"id": id} }

// expectedRoot is what the oracle expects of each root connection.
func (d *diffRun) expectedRoot(tok *oToken) map[string][]map[string]any {
	o, w := d.o, d.o.w
	return map[string][]map[string]any{
		"projects": collect(w.Projects, func(x *oProject) bool { return o.projectVisible(tok, x.ID) }, func(x *oProject) map[string]any { return idNode(x.ID) }),
		"surveys":  collect(w.Surveys, func(x *oSurvey) bool { return o.surveyVisible(tok, x) }, func(x *oSurvey) map[string]any { return idNode(x.ID) }),
		"questions": collect(w.Questions, func(x *oQuestion) bool { return o.questionVisible(tok, x) },
			func(x *oQuestion) map[string]any { return idNode(x.ID) }),
		"responses": collect(w.Responses, func(x *oResponse) bool { return o.responseVisible(tok, x) }, func(x *oResponse) map[string]any {
			name, email := o.responsePII(tok, x)
			return map[string]any{"id": x.ID, "respondentName": name, "respondentEmail": email}
		}),
		"answers": collect(w.Answers, func(x *oAnswer) bool { return o.answerVisible(tok, x) }, func(x *oAnswer) map[string]any { return idNode(x.ID) }),
		"maps":    collect(w.Maps, func(x *oMap) bool { return o.mapVisible(tok, x) }, func(x *oMap) map[string]any { return idNode(x.ID) }),
		"pins": collect(w.Pins, func(x *oPin) bool { return o.pinVisible(tok, x) }, func(x *oPin) map[string]any {
			return map[string]any{"id": x.ID, "authorEmail": o.pinEmail(tok, x)}
		}),
		"comments": collect(w.Comments, func(x *oComment) bool { return o.commentVisible(tok, x) }, func(x *oComment) map[string]any {
			return map[string]any{"id": x.ID, "authorEmail": o.commentEmail(tok, x)}
		}),
		"teams": collect(w.Teams, func(x *oTeam) bool { return o.teamVisible(tok, x) }, func(x *oTeam) map[string]any { return idNode(x.ID) }),
		"teamMemberships": collect(w.TeamMemberships, func(x *oMember) bool { return o.teamMembershipVisible(tok, x) },
			func(x *oMember) map[string]any { return map[string]any{"id": x.ID, "user": o.memberUser(tok, x)} }),
		"projectMemberships": collect(w.ProjectMemberships, func(x *oMember) bool { return o.projectMembershipVisible(tok, x) },
			func(x *oMember) map[string]any { return map[string]any{"id": x.ID, "user": o.memberUser(tok, x)} }),
		"users": collect(w.Users, func(x *oUser) bool { return o.userVisible(tok, x) }, func(x *oUser) map[string]any {
			return map[string]any{"id": x.ID, "email": o.userEmail(tok, x)}
		}),
		"apiTokens":   collect(w.Tokens, func(x *oToken) bool { return o.tokenVisible(tok, x) }, func(x *oToken) map[string]any { return idNode(x.ID) }),
		"auditEvents": collect(w.Audits, func(x *oAudit) bool { return o.auditVisible(tok, x) }, func(x *oAudit) map[string]any { return idNode(x.ID) }),
	}
}

// checkAllReads runs the read battery as the live tokens. Tokens of one
// owner with the same allowed projects must read the same (read-only and a
// future expiry do not change reads), so only one of them, picked at random,
// runs it. Each battery draws from its own random source, derived from the
// seed and the battery's place, and keeps its own findings, merged in order:
// so reads may run in parallel (on PostgreSQL, where that is quicker) and
// still give the same result for the same seed.
func (d *diffRun) checkAllReads() {
	groups := map[string][]*oToken{}
	var keys []string
	for _, tok := range d.o.w.Tokens {
		if !d.o.live(tok) {
			continue
		}
		key := tok.OwnerID + fmt.Sprint(tok.Projects)
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], tok)
	}
	runs := make([]*diffRun, len(keys))
	for i, key := range keys {
		c := *d
		c.rng = rand.New(rand.NewPCG(d.seed, uint64(i)+1))
		c.found, c.stats = nil, map[string]int{}
		c.part, c.parts = i, len(keys)
		if *everyFilterAsEveryToken {
			c.parts = 0
		}
		runs[i] = &c
		c.readAs = pick(d.rng, groups[key])
	}
	parallel := 1
	if d.h.DB.Dialect == dialect.Postgres {
		parallel = 4
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, c := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.checkReads(c.readAs)
		}()
	}
	wg.Wait()
	for _, c := range runs {
		d.found = append(d.found, c.found...)
		for k, n := range c.stats {
			d.stats[k] += n
		}
	}
}

// checkReads runs the read battery as tok.
func (d *diffRun) checkReads(tok *oToken) {
	d.stats["read batteries"]++
	d.checkRoot(tok)
	d.checkNested(tok)
	d.checkEdgeFilters(tok)
	d.checkNode(tok)
	d.checkNodes(tok)
	d.checkPredicates(tok)
}

func (d *diffRun) checkRoot(tok *oToken) {
	resp, ok := d.read(tok, "root connections", rootQuery, nil)
	if !ok {
		return
	}
	var out map[string]rootConn
	if !d.decode(tok, "root connections", rootQuery, resp.Data, &out) {
		return
	}
	for name, nodes := range d.expectedRoot(tok) {
		got := connLines(name, out[name])
		got = append(got, errorLinesAt(resp, name)...)
		d.compare(tok, "root "+name, rootQuery, expectedConn(name, nodes), got)
	}
}

const nestedQuery = `{ projects(first: 100) { edges { node { id
  surveys(first: 100) { totalCount edges { node { id questions(first: 100) { totalCount }
    responses(first: 100) { totalCount edges { node { id respondentName respondentEmail answers(first: 100) { totalCount } } } } } } }
  maps(first: 100) { totalCount edges { node { id
    pins(first: 100) { totalCount edges { node { id authorEmail
      comments(first: 100) { totalCount edges { node { id authorEmail } } } } } } } } } } } } }`

type countOnly struct{ TotalCount int }

type nestedOut struct {
	Projects struct {
		Edges []struct {
			Node struct {
				ID      string
				Surveys struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							ID        string
							Questions countOnly
							Responses struct {
								TotalCount int
								Edges      []struct {
									Node struct {
										ID                              string
										RespondentName, RespondentEmail *string
										Answers                         countOnly
									}
								}
							}
						}
					}
				}
				Maps struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							ID   string
							Pins struct {
								TotalCount int
								Edges      []struct {
									Node struct {
										ID          string
										AuthorEmail *string
										Comments    struct {
											TotalCount int
											Edges      []struct {
												Node struct {
													ID          string
													AuthorEmail *string
												}
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

func (d *diffRun) checkNested(tok *oToken) {
	resp, ok := d.read(tok, "nested", nestedQuery, nil)
	if !ok {
		return
	}
	var out nestedOut
	if !d.decode(tok, "nested", nestedQuery, resp.Data, &out) {
		return
	}
	got := errorLines(resp)
	for _, p := range out.Projects.Edges {
		pn := p.Node
		got = append(got, fmt.Sprintf("project %s surveys.totalCount=%d maps.totalCount=%d", pn.ID, pn.Surveys.TotalCount, pn.Maps.TotalCount))
		for _, s := range pn.Surveys.Edges {
			sn := s.Node
			got = append(got, fmt.Sprintf("project %s survey %s questions.totalCount=%d responses.totalCount=%d", pn.ID, sn.ID, sn.Questions.TotalCount, sn.Responses.TotalCount))
			for _, r := range sn.Responses.Edges {
				rn := r.Node
				got = append(got, fmt.Sprintf("survey %s response %s name=%s email=%s answers.totalCount=%d", sn.ID, rn.ID, jstr(rn.RespondentName), jstr(rn.RespondentEmail), rn.Answers.TotalCount))
			}
		}
		for _, m := range pn.Maps.Edges {
			mn := m.Node
			got = append(got, fmt.Sprintf("project %s map %s pins.totalCount=%d", pn.ID, mn.ID, mn.Pins.TotalCount))
			for _, pin := range mn.Pins.Edges {
				x := pin.Node
				got = append(got, fmt.Sprintf("map %s pin %s authorEmail=%s comments.totalCount=%d", mn.ID, x.ID, jstr(x.AuthorEmail), x.Comments.TotalCount))
				for _, c := range x.Comments.Edges {
					got = append(got, fmt.Sprintf("pin %s comment %s authorEmail=%s", x.ID, c.Node.ID, jstr(c.Node.AuthorEmail)))
				}
			}
		}
	}

	o, w := d.o, d.o.w
	var want []string
	for _, p := range w.Projects {
		if !o.projectVisible(tok, p.ID) {
			continue
		}
		var surveys []*oSurvey
		for _, s := range w.Surveys {
			if s.ProjectID == p.ID && o.surveyVisible(tok, s) {
				surveys = append(surveys, s)
			}
		}
		var pmaps []*oMap
		for _, m := range w.Maps {
			if m.ProjectID == p.ID && o.mapVisible(tok, m) {
				pmaps = append(pmaps, m)
			}
		}
		want = append(want, fmt.Sprintf("project %s surveys.totalCount=%d maps.totalCount=%d", p.ID, len(surveys), len(pmaps)))
		for _, s := range surveys {
			questions, responses := 0, 0
			for _, q := range w.Questions {
				if q.SurveyID == s.ID && o.questionVisible(tok, q) {
					questions++
				}
			}
			for _, r := range w.Responses {
				if r.SurveyID == s.ID && o.responseVisible(tok, r) {
					responses++
					answers := 0
					for _, a := range w.Answers {
						if a.ResponseID == r.ID && o.answerVisible(tok, a) {
							answers++
						}
					}
					name, email := o.responsePII(tok, r)
					want = append(want, fmt.Sprintf("survey %s response %s name=%s email=%s answers.totalCount=%d", s.ID, r.ID, jstr(name), jstr(email), answers))
				}
			}
			want = append(want, fmt.Sprintf("project %s survey %s questions.totalCount=%d responses.totalCount=%d", p.ID, s.ID, questions, responses))
		}
		for _, m := range pmaps {
			pins := 0
			for _, pin := range w.Pins {
				if pin.MapID != m.ID || !o.pinVisible(tok, pin) {
					continue
				}
				pins++
				comments := 0
				for _, c := range w.Comments {
					if c.PinID == pin.ID && o.commentVisible(tok, c) {
						comments++
						want = append(want, fmt.Sprintf("pin %s comment %s authorEmail=%s", pin.ID, c.ID, jstr(o.commentEmail(tok, c))))
					}
				}
				want = append(want, fmt.Sprintf("map %s pin %s authorEmail=%s comments.totalCount=%d", m.ID, pin.ID, jstr(o.pinEmail(tok, pin)), comments))
			}
			want = append(want, fmt.Sprintf("project %s map %s pins.totalCount=%d", p.ID, m.ID, pins))
		}
	}
	d.compare(tok, "nested projects>surveys>responses>answers, maps>pins>comments", nestedQuery, want, got)
}

const filterQuery = `query($t: Time!, $v: String!, $m: String!) {
  surveys(first: 100, where: {hasResponsesWith: {submittedAtGT: $t}}) { totalCount edges { node { id } } }
  responses(first: 100, where: {hasAnswersWith: {valueContains: $v}}) { totalCount edges { node { id } } }
  maps(first: 100, where: {hasProjectWith: {status: PUBLISHED}}) { totalCount edges { node { id } } }
  pins(first: 100, where: {hasMapWith: {titleContains: $m}}) { totalCount edges { node { id } } }
}`

func (d *diffRun) checkEdgeFilters(tok *oToken) {
	o, w, r := d.o, d.o.w, d.rng
	after := baseTime.Add(time.Duration(r.IntN(600))*time.Minute + 30*time.Second)
	value, mapWord := pick(r, words), pick(r, words)
	vars := map[string]any{"t": after.Format(time.RFC3339), "v": value, "m": mapWord}
	query := fmt.Sprintf("%s\nvariables: %v", filterQuery, vars)
	resp, ok := d.read(tok, "edge filters", filterQuery, vars)
	if !ok {
		return
	}
	var out map[string]rootConn
	if !d.decode(tok, "edge filters", query, resp.Data, &out) {
		return
	}
	want := map[string][]map[string]any{
		"surveys": collect(w.Surveys, func(s *oSurvey) bool {
			if !o.surveyVisible(tok, s) {
				return false
			}
			for _, x := range w.Responses {
				if x.SurveyID == s.ID && o.responseVisible(tok, x) && x.SubmittedAt.After(after) {
					return true
				}
			}
			return false
		}, func(x *oSurvey) map[string]any { return idNode(x.ID) }),
		"responses": collect(w.Responses, func(x *oResponse) bool {
			if !o.responseVisible(tok, x) {
				return false
			}
			for _, a := range w.Answers {
				if a.ResponseID == x.ID && o.answerVisible(tok, a) && strings.Contains(a.Value, value) {
					return true
				}
			}
			return false
		}, func(x *oResponse) map[string]any { return idNode(x.ID) }),
		"maps": collect(w.Maps, func(m *oMap) bool { return o.mapVisible(tok, m) && w.project[m.ProjectID].Status == "PUBLISHED" },
			func(x *oMap) map[string]any { return idNode(x.ID) }),
		"pins": collect(w.Pins, func(p *oPin) bool { return o.pinVisible(tok, p) && strings.Contains(w.mapByID[p.MapID].Title, mapWord) },
			func(x *oPin) map[string]any { return idNode(x.ID) }),
	}
	for name, nodes := range want {
		got := connLines(name, out[name])
		got = append(got, errorLinesAt(resp, name)...)
		d.compare(tok, "edge filter "+name, query, expectedConn(name, nodes), got)
	}
}

// checkHiddenEdgeFilterIsGone: filters through edges to objects that may be
// hidden are not offered.
func (d *diffRun) checkHiddenEdgeFilterIsGone() {
	for _, tok := range d.o.w.Tokens {
		if !d.o.live(tok) {
			continue
		}
		const q = `{ projects(where: {hasSurveysWith: {status: DRAFT}}) { totalCount } }`
		resp, ok := d.send(tok, "projects.hasSurveysWith must not exist", q, nil)
		if !ok {
			return
		}
		// A validation failure, answered as application/json: 200 and no data.
		got := []string{fmt.Sprintf("status %d", resp.Status), fmt.Sprintf("codes %v", resp.Codes())}
		if resp.Data != nil {
			got = append(got, "data "+string(resp.Data))
		}
		want := []string{"status 200", "codes [GRAPHQL_VALIDATION_FAILED]"}
		d.compare(tok, "projects.hasSurveysWith must not exist", q, want, got)
		return
	}
}
