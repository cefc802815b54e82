package api_test

// The mutations of TestDifferential (differential_test.go): random ones as
// each live token, each compared row by row with the world before it.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"engage/gid"
	"engage/internal/apitest"
)

// mutationKinds are the mutations of the battery. Each live token runs
// mutationsPerToken of them, dealt from a shuffled deck so that every kind
// runs about equally often.
var mutationKinds = []string{"updateProject", "createSurvey", "moderatePin", "createPin", "updateSurvey", "createTeam", "createProjectMembership"}

const mutationsPerToken = 2

func (d *diffRun) checkMutations() {
	var live []*oToken
	for _, tok := range d.o.w.Tokens {
		if d.o.live(tok) {
			live = append(live, tok)
		}
	}
	var deck []string
	for _, tok := range live {
		for range mutationsPerToken {
			if len(deck) == 0 {
				deck = slices.Clone(mutationKinds)
				d.rng.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
			}
			kind := deck[0]
			deck = deck[1:]
			d.mutate(d.o.w.token[tok.ID], kind) // the token as of the latest reload
		}
	}
}

// target picks a random ID from ids, or a missing ID one time in ten.
func (d *diffRun) target(prefix string, ids []string) string {
	if len(ids) == 0 || d.rng.IntN(10) == 0 {
		return d.missingID(prefix)
	}
	return pick(d.rng, ids)
}

func ids[T any](s []T, id func(T) string) []string {
	var out []string
	for _, x := range s {
		out = append(out, id(x))
	}
	return out
}

// mutate runs one mutation of the given kind as tok against a random target
// and checks the verdict and the database: a refused mutation changes
// nothing; an allowed one changes exactly what it should.
func (d *diffRun) mutate(tok *oToken, kind string) {
	o, w, r := d.o, d.o.w, d.rng
	d.serial++
	var query, want, why string
	var vars map[string]any
	// expect returns the rows after a successful mutation, given the ID of
	// the object it created or changed.
	var expect func(rows map[string]string, id string)
	put := func(rows map[string]string, id string, v any) {
		b, _ := json.Marshal(v)
		rows[id] = string(b)
	}
	switch kind {
	case "updateProject":
		id := d.target(gid.Project, ids(w.Projects, func(x *oProject) string { return x.ID }))
		title := fmt.Sprintf("Renamed %d", d.serial)
		query = `mutation($id: ID!, $title: String!) { obj: updateProject(id: $id, input: {title: $title}) { id } }`
		vars = map[string]any{"id": id, "title": title}
		want, why = o.updateProject(tok, id), o.explain(tok, id)
		expect = func(rows map[string]string, got string) {
			p := *w.project[id]
			p.Title = title
			put(rows, id, p)
		}
	case "createSurvey":
		pid := d.target(gid.Project, ids(w.Projects, func(x *oProject) string { return x.ID }))
		title, status := fmt.Sprintf("New survey %d", d.serial), pick(r, []string{"DRAFT", "OPEN", "CLOSED"})
		query = `mutation($p: ID!, $title: String!, $s: SurveyStatus!) { obj: createSurvey(input: {projectID: $p, title: $title, status: $s}) { id } }`
		vars = map[string]any{"p": pid, "title": title, "s": status}
		want, why = o.createSurvey(tok, pid), "parent "+o.explain(tok, pid)
		expect = func(rows map[string]string, id string) {
			put(rows, id, &oSurvey{ID: id, ProjectID: pid, Title: title, Status: status})
		}
	case "updateSurvey":
		id := d.target(gid.Survey, ids(w.Surveys, func(x *oSurvey) string { return x.ID }))
		title := fmt.Sprintf("Retitled %d", d.serial)
		query = `mutation($id: ID!, $title: String!) { obj: updateSurvey(id: $id, input: {title: $title}) { id } }`
		vars = map[string]any{"id": id, "title": title}
		want, why = o.updateSurvey(tok, id), o.explain(tok, id)
		expect = func(rows map[string]string, got string) {
			s := *w.survey[id]
			s.Title = title
			put(rows, id, s)
		}
	case "moderatePin":
		id := d.target(gid.Pin, ids(w.Pins, func(x *oPin) string { return x.ID }))
		status := pick(r, []string{"PENDING", "PUBLISHED", "REJECTED", "HIDDEN"})
		query = `mutation($id: ID!, $s: ModerationStatus!) { obj: moderatePin(id: $id, status: $s) { id } }`
		vars = map[string]any{"id": id, "s": status}
		want, why = o.moderatePin(tok, id), o.explain(tok, id)
		expect = func(rows map[string]string, got string) {
			p := *w.pin[id]
			p.Status = status
			put(rows, id, p)
		}
	case "createPin":
		mid := d.target(gid.Map, ids(w.Maps, func(x *oMap) string { return x.ID }))
		body, email := fmt.Sprintf("new pin %d", d.serial), fmt.Sprintf("new%d.s%d@example.test", d.serial, d.seed)
		query = `mutation($m: ID!, $body: String!, $email: String!) { obj: createPin(input: {mapID: $m, latitude: 1.5, longitude: 2.5, body: $body, authorName: "Pat", authorEmail: $email}) { id } }`
		vars = map[string]any{"m": mid, "body": body, "email": email}
		want, why = o.createPin(tok, mid), "parent "+o.explain(tok, mid)
		expect = func(rows map[string]string, id string) {
			put(rows, id, &oPin{ID: id, MapID: mid, Body: body, AuthorName: "Pat", Status: o.newContributionStatus(w.mapByID[mid].ProjectID), AuthorEmail: &email})
		}
	case "createTeam":
		name, restricted := fmt.Sprintf("New team %d", d.serial), r.IntN(2) == 0
		query = `mutation($n: String!, $r: Boolean!) { obj: createTeam(input: {name: $n, restricted: $r}) { id } }`
		vars = map[string]any{"n": name, "r": restricted}
		want, why = o.createTeam(tok), fmt.Sprintf("unrestricted ADMIN: %v", o.unrestrictedAdmin(tok))
		expect = func(rows map[string]string, id string) {
			put(rows, id, &oTeam{ID: id, Name: name, Restricted: restricted})
		}
	case "createProjectMembership":
		// A pair of project and user without a membership yet.
		var pid, uid string
		for try := 0; try < 20 && pid == ""; try++ {
			p := d.target(gid.Project, ids(w.Projects, func(x *oProject) string { return x.ID }))
			u := pick(r, w.Users).ID
			if !slices.ContainsFunc(w.ProjectMemberships, func(m *oMember) bool { return m.Group == p && m.UserID == u }) {
				pid, uid = p, u
			}
		}
		if pid == "" {
			return
		}
		rl := pick(r, roleNames[1:])
		query = `mutation($p: ID!, $u: ID!, $r: ProjectRole!) { obj: createProjectMembership(input: {projectID: $p, userID: $u, role: $r}) { id } }`
		vars = map[string]any{"p": pid, "u": uid, "r": rl}
		want = o.createProjectMembership(tok, pid, uid)
		why = fmt.Sprintf("project %s; user %s; unrestricted ADMIN: %v", o.explain(tok, pid), o.explain(tok, uid), o.unrestrictedAdmin(tok))
		expect = func(rows map[string]string, id string) {
			put(rows, id, &oMember{ID: id, Group: pid, UserID: uid, Role: rankOf(rl)})
		}
	default:
		panic(kind)
	}

	before := w.rows()
	resp, err := d.do(tok.Secret, query, vars)
	if err != nil {
		resp.Errors = []apitest.Error{{Message: err.Error(), Extensions: map[string]any{"code": "NOT JSON"}}}
	}
	d.reload()
	after := d.o.w.rows()

	got := vOK
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		got = fmt.Sprintf("status %d codes %v", resp.Status, resp.Codes())
	}
	wantText := want
	if want != vOK {
		wantText = fmt.Sprintf("status %d codes [%s]", http.StatusOK, want)
	}
	label := "mutation " + kind
	d.stats["mutations expected "+want]++
	// Objects created by the mutation take the next ranks, so that later
	// random choices stay reproducible.
	for _, id := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[id]; !ok && prefixOf(id) != gid.AuditEvent {
			d.noteIDs(id)
		}
	}
	qtext := fmt.Sprintf("%s variables %v", query, vars)
	if d.compare(tok, label+" verdict", qtext, []string{wantText}, []string{got}) {
		d.found[len(d.found)-1].why = why
	}

	// The database: unchanged unless both agree that the write is allowed.
	expected := maps.Clone(before)
	if want == vOK && got == vOK {
		var out struct{ Obj struct{ ID string } }
		_ = json.Unmarshal(resp.Data, &out)
		expect(expected, out.Obj.ID)
	}
	var wantRows, gotRows []string
	for id, row := range expected {
		wantRows = append(wantRows, id+" "+row)
	}
	for id, row := range after {
		gotRows = append(gotRows, id+" "+row)
	}
	d.compare(tok, label+" database change", qtext, wantRows, gotRows)
}
