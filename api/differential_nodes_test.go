package api_test

// node(id) and nodes(ids) of TestDifferential (differential_test.go) on a
// sample of visible, hidden and missing objects, and the 401s of dead
// tokens.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"engage/gid"
	"engage/internal/apitest"
)

// item is one object of the world with what tok should see of it by node.
type item struct {
	id      string
	visible bool
	fields  map[string]any // when visible: __typename, id and personal data
}

// typeNames maps ID prefixes to GraphQL type names.
var typeNames = map[string]string{
	gid.User: "User", gid.Team: "Team", gid.TeamMembership: "TeamMembership", gid.Project: "Project",
	gid.ProjectMembership: "ProjectMembership", gid.Survey: "Survey", gid.Question: "Question",
	gid.Response: "Response", gid.Answer: "Answer", gid.Map: "Map", gid.Pin: "Pin", gid.Comment: "Comment",
	gid.APIToken: "APIToken", gid.AuditEvent: "AuditEvent",
}

func prefixOf(id string) string { p, _, _ := strings.Cut(id, "_"); return p }

// items lists every object of the world, by kind, with its expected view.
func (d *diffRun) items(tok *oToken) [][]item {
	o, w := d.o, d.o.w
	return [][]item{
		itemsOf(w.Users, func(x *oUser) item {
			return newItem(x.ID, o.userVisible(tok, x), map[string]any{"email": o.userEmail(tok, x)})
		}),
		itemsOf(w.Teams, func(x *oTeam) item { return newItem(x.ID, o.teamVisible(tok, x), nil) }),
		itemsOf(w.TeamMemberships, func(x *oMember) item { return newItem(x.ID, o.teamMembershipVisible(tok, x), nil) }),
		itemsOf(w.Projects, func(x *oProject) item { return newItem(x.ID, o.projectVisible(tok, x.ID), nil) }),
		itemsOf(w.ProjectMemberships, func(x *oMember) item { return newItem(x.ID, o.projectMembershipVisible(tok, x), nil) }),
		itemsOf(w.Surveys, func(x *oSurvey) item { return newItem(x.ID, o.surveyVisible(tok, x), nil) }),
		itemsOf(w.Questions, func(x *oQuestion) item { return newItem(x.ID, o.questionVisible(tok, x), nil) }),
		itemsOf(w.Responses, func(x *oResponse) item {
			name, email := o.responsePII(tok, x)
			return newItem(x.ID, o.responseVisible(tok, x), map[string]any{"respondentName": name, "respondentEmail": email})
		}),
		itemsOf(w.Answers, func(x *oAnswer) item { return newItem(x.ID, o.answerVisible(tok, x), nil) }),
		itemsOf(w.Maps, func(x *oMap) item { return newItem(x.ID, o.mapVisible(tok, x), nil) }),
		itemsOf(w.Pins, func(x *oPin) item {
			return newItem(x.ID, o.pinVisible(tok, x), map[string]any{"authorEmail": o.pinEmail(tok, x)})
		}),
		itemsOf(w.Comments, func(x *oComment) item {
			return newItem(x.ID, o.commentVisible(tok, x), map[string]any{"authorEmail": o.commentEmail(tok, x)})
		}),
		itemsOf(w.Tokens, func(x *oToken) item { return newItem(x.ID, o.tokenVisible(tok, x), nil) }),
		itemsOf(w.Audits, func(x *oAudit) item { return newItem(x.ID, o.auditVisible(tok, x), nil) }),
	}
}

// itemsOf is the view of each object of one kind.
func itemsOf[T any](xs []T, view func(T) item) []item {
	out := make([]item, 0, len(xs))
	for _, x := range xs {
		out = append(out, view(x))
	}
	return out
}

// newItem is the object id as node shows it when visible: its type name,
// its ID and the personal data given.
func newItem(id string, visible bool, personal map[string]any) item {
	f := map[string]any{"__typename": typeNames[prefixOf(id)], "id": id}
	maps.Copy(f, personal)
	return item{id: id, visible: visible, fields: f}
}

// sample takes up to n visible and n hidden objects of each kind, at random.
func (d *diffRun) sample(tok *oToken, n int) []item {
	var out []item
	for _, kind := range d.items(tok) {
		shuffled := slices.Clone(kind)
		d.rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		visible, hidden := 0, 0
		for _, it := range shuffled {
			if it.visible && visible < n {
				visible++
				out = append(out, it)
			} else if !it.visible && hidden < n {
				hidden++
				out = append(out, it)
			}
		}
	}
	return out
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// missingID is a well-formed ID with the given prefix that names nothing.
func (d *diffRun) missingID(prefix string) string {
	b := make([]byte, 22)
	for i := range b {
		b[i] = base62[d.rng.IntN(len(base62))]
	}
	return prefix + "_" + string(b)
}

const nodeFragment = `fragment N on Node { __typename id
  ... on Response { respondentName respondentEmail } ... on Pin { authorEmail }
  ... on Comment { authorEmail } ... on User { email } }`

// checkNode looks up a sample of every kind of object, and missing IDs, in
// one request of aliased node(id) fields. A hidden object
// must answer exactly as the missing ID of its kind: node null and one
// NOT_FOUND error with the same message (the ID itself aside).
func (d *diffRun) checkNode(tok *oToken) {
	sample := d.sample(tok, 1)
	// A missing ID of every kind that has a hidden object in the sample, to
	// compare it with, and of one more kind at random.
	kinds := map[string]bool{pick(d.rng, slices.Sorted(maps.Keys(typeNames))): true}
	for _, it := range sample {
		if !it.visible {
			kinds[prefixOf(it.id)] = true
		}
	}
	prefixes := slices.Sorted(maps.Keys(kinds))
	missing := map[string]string{} // prefix -> missing ID
	for _, p := range prefixes {
		missing[p] = d.missingID(p)
	}
	var ids []string
	for _, p := range prefixes {
		ids = append(ids, missing[p])
	}
	for _, it := range sample {
		ids = append(ids, it.id)
	}
	var q strings.Builder
	q.WriteString("query(")
	vars := map[string]any{}
	for i := range ids {
		fmt.Fprintf(&q, "$i%d: ID!, ", i)
		vars[fmt.Sprintf("i%d", i)] = ids[i]
	}
	q.WriteString(") {")
	for i := range ids {
		fmt.Fprintf(&q, " n%d: node(id: $i%d) { ...N }", i, i)
	}
	q.WriteString(" }\n" + nodeFragment)
	resp, ok := d.read(tok, "node", q.String(), vars)
	if !ok {
		return
	}
	var out map[string]map[string]any
	if !d.decode(tok, "node", q.String(), resp.Data, &out) {
		return
	}
	// What each alias gave: its data, and its errors with the ID in their
	// messages replaced by <ID>.
	view := func(i int) (data string, errs []string) {
		alias := fmt.Sprintf("n%d", i)
		data = "null"
		if n := out[alias]; n != nil {
			data = nodeLine("", n)[1:]
		}
		for _, e := range resp.Errors {
			if len(e.Path) > 0 && e.Path[0] == alias {
				code, _ := e.Extensions["code"].(string)
				errs = append(errs, fmt.Sprintf("error %s: %s", code, strings.ReplaceAll(e.Message, ids[i], "<ID>")))
			}
		}
		return data, errs
	}
	line := func(data string, errs []string) string { return strings.Join(append([]string{data}, errs...), ", ") }
	missingView := map[string]string{}
	var want, got []string
	for i, p := range prefixes {
		data, errs := view(i)
		missingView[p] = line(data, errs)
		// A missing ID answers null with one NOT_FOUND error.
		codes := []string{}
		for _, e := range errs {
			codes = append(codes, strings.SplitN(e, ":", 2)[0])
		}
		got = append(got, fmt.Sprintf("missing %s: data %s, %v", ids[i], data, codes))
		want = append(want, fmt.Sprintf("missing %s: data null, [error NOT_FOUND]", ids[i]))
	}
	for j, it := range sample {
		if it.visible {
			d.stats["node(id) of visible objects"]++
		} else {
			d.stats["node(id) of hidden objects"]++
		}
		i := len(prefixes) + j
		got = append(got, fmt.Sprintf("node %s: %s", it.id, line(view(i))))
		if it.visible {
			want = append(want, fmt.Sprintf("node %s: %s", it.id, nodeLine("", it.fields)[1:]))
		} else {
			want = append(want, fmt.Sprintf("node %s: %s", it.id, missingView[prefixOf(it.id)]))
		}
	}
	for _, e := range resp.Errors {
		if len(e.Path) == 0 {
			got = append(got, errorLines(apitest.Response{Errors: []apitest.Error{e}})...)
		}
	}
	d.compare(tok, "node(id)", q.String()[:min(300, q.Len())], want, got)
}

// checkNodes asks nodes(ids) for visible, hidden and missing IDs, and again
// with every hidden ID replaced by a missing one of its kind: the two
// answers must be the same, but for the IDs themselves.
func (d *diffRun) checkNodes(tok *oToken) {
	sample := d.sample(tok, 1)
	d.rng.Shuffle(len(sample), func(i, j int) { sample[i], sample[j] = sample[j], sample[i] })
	sample = sample[:min(8, len(sample))]
	var ids, alt []string
	var want []string
	for i, it := range sample {
		ids = append(ids, it.id)
		if it.visible {
			alt = append(alt, it.id)
			want = append(want, fmt.Sprintf("nodes[%d] %s", i, jstr(it.id)))
		} else {
			alt = append(alt, d.missingID(prefixOf(it.id)))
			want = append(want, fmt.Sprintf("nodes[%d] null", i))
		}
	}
	m := d.missingID(gid.Project)
	ids, alt = append(ids, m), append(alt, m)
	want = append(want, fmt.Sprintf("nodes[%d] null", len(ids)-1))
	const q = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	render := func(resp apitest.Response, ids []string) []string {
		var out struct{ Nodes []map[string]any }
		if !d.decode(tok, "nodes(ids)", q, resp.Data, &out) {
			return nil
		}
		var lines []string
		for i, n := range out.Nodes {
			if n == nil {
				lines = append(lines, fmt.Sprintf("nodes[%d] null", i))
			} else {
				lines = append(lines, fmt.Sprintf("nodes[%d] %s", i, jstr(n["id"])))
			}
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			msg := e.Message
			for _, id := range ids {
				msg = strings.ReplaceAll(msg, id, "<ID>")
			}
			lines = append(lines, fmt.Sprintf("error at %v: %s: %s", e.Path, code, msg))
		}
		return lines
	}
	resp, ok := d.read(tok, "nodes(ids)", q, map[string]any{"ids": ids})
	if !ok {
		return
	}
	altResp, ok := d.read(tok, "nodes(ids)", q, map[string]any{"ids": alt})
	if !ok {
		return
	}
	got, gotAlt := render(resp, ids), render(altResp, alt)
	// Data as the oracle says, and one NOT_FOUND error per null.
	var gotData []string
	nulls := map[string]bool{}
	for _, l := range got {
		if strings.HasPrefix(l, "nodes[") {
			gotData = append(gotData, l)
		}
	}
	for i, l := range want {
		if strings.HasSuffix(l, " null") {
			nulls[fmt.Sprint(i)] = true
		}
	}
	var errs []string
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		errs = append(errs, fmt.Sprintf("error at %v: %s", e.Path, code))
	}
	var wantErrs []string
	for i := range want {
		if nulls[fmt.Sprint(i)] {
			wantErrs = append(wantErrs, fmt.Sprintf("error at [nodes %d]: NOT_FOUND", i))
		}
	}
	query := fmt.Sprintf("%s with ids %v (hidden ones replaced by %v)", q, ids, alt)
	d.compare(tok, "nodes(ids)", query, append(want, wantErrs...), append(gotData, errs...))
	d.compare(tok, "nodes(ids) hidden vs missing", query, gotAlt, got)
}

// check401: every token that must not authenticate gets 401 UNAUTHENTICATED.
func (d *diffRun) check401() {
	const q = `{ projects(first: 1) { totalCount } }`
	for _, tok := range d.o.w.Tokens {
		if d.o.live(tok) {
			continue
		}
		resp, ok := d.send(tok, "401 for a dead token", q, nil)
		if !ok {
			continue
		}
		got := []string{fmt.Sprintf("status %d codes %v", resp.Status, resp.Codes()),
			"WWW-Authenticate: " + resp.Header.Get("WWW-Authenticate")}
		if resp.Data != nil && string(resp.Data) != "null" {
			got = append(got, "data "+string(resp.Data))
		}
		d.stats["dead tokens refused"]++
		want := []string{"status 401 codes [UNAUTHENTICATED]", `WWW-Authenticate: Bearer realm="engage", error="invalid_token"`}
		d.compare(tok, "401 for a dead token", q, want, got)
	}
}
