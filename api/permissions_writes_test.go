package api_test

// The writes of TestPermissions (permissions_test.go): every mutation, for
// each caller, answers as its table says and changes only its object.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"engage/ent/auditevent"
	"engage/gid"
	"engage/internal/apitest"
	"engage/moderation"
	"engage/testdb"
)

// permMutation is one row of the write table.
type permMutation struct {
	name  string // the mutation and its target, for subtest names
	query string // returns the written object as m
	// target is the object given by ID whose visibility decides between
	// FORBIDDEN and NOT_FOUND; "" for none. A NOT_FOUND outcome is compared
	// with the same mutation on a missing ID in its place.
	target string
	vars   func(target, self string) map[string]any
	// want is the outcome per caller (columns "AMEDVPORL"): + success,
	// F FORBIDDEN, N NOT_FOUND. Locked callers always get 401.
	want string
	// done checks, with the system context, what a successful mutation
	// changed, and undoes it so that the next row starts from the world.
	done func(t *testing.T, target, self string, m map[string]any)
}

// permWant checks the shape of an outcome string.
func permWant(s string) string {
	if len(s) != len(permCallers) || strings.Trim(s, "+FN") != "" {
		panic(fmt.Sprintf("mutation outcomes %q: want one of + F N per caller", s))
	}
	return s
}

// permMutations is the write table.
func (w *permWorld) permMutations() []permMutation {
	ctx, c := testdb.System(), w.h.DB.Ent
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	byID := func(target string) map[string]any { return map[string]any{"id": target} }

	updateProject := func(want, p string) permMutation {
		return permMutation{"updateProject " + p, `mutation($id: ID!) { m: updateProject(id: $id, input: {title: "Renamed"}) { id title } }`,
			p, func(target, _ string) map[string]any { return byID(target) }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				pr := c.Project.GetX(ctx, target)
				if pr.Title != "Renamed" {
					t.Errorf("title is %q", pr.Title)
				}
				title := map[string]string{"pR": "Cedar Park", "pO": "Alder Street", "pN": "Birch Lane"}[p]
				c.Project.UpdateOneID(target).SetTitle(title).ExecX(ctx)
			}}
	}
	createSurvey := func(want, p string) permMutation {
		return permMutation{"createSurvey in " + p, `mutation($pid: ID!) { m: createSurvey(input: {title: "New survey", projectID: $pid}) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"pid": target} }, permWant(want),
			func(t *testing.T, target, _ string, m map[string]any) {
				if s := c.Survey.GetX(ctx, id(m)); s.ProjectID != target || s.Title != "New survey" {
					t.Errorf("created %+v", s)
				}
				c.Survey.DeleteOneID(id(m)).ExecX(ctx)
			}}
	}
	updateSurvey := func(want, s string) permMutation {
		return permMutation{"updateSurvey " + s, `mutation($id: ID!) { m: updateSurvey(id: $id, input: {title: "Renamed"}) { id title } }`,
			s, func(target, _ string) map[string]any { return byID(target) }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Survey.GetX(ctx, target).Title; got != "Renamed" {
					t.Errorf("title is %q", got)
				}
				c.Survey.UpdateOneID(target).SetTitle("Survey " + s).ExecX(ctx)
			}}
	}
	createPin := func(want, m, status string) permMutation {
		return permMutation{"createPin on " + m, `mutation($mid: ID!) { m: createPin(input: {latitude: 1, longitude: 2, body: "New pin", authorEmail: "new@example.test", mapID: $mid}) { id status } }`,
			m, func(target, _ string) map[string]any { return map[string]any{"mid": target} }, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				p := c.Pin.GetX(ctx, id(out))
				if p.MapID != target || string(p.Status) != status || out["status"] != status {
					t.Errorf("created pin on %s with status %s (returned %v), want %s", w.label(p.MapID), p.Status, out["status"], status)
				}
				c.Pin.DeleteOneID(p.ID).ExecX(ctx)
			}}
	}
	moderatePin := func(want, p string, to moderation.Status) permMutation {
		from := moderation.Status(strings.TrimPrefix(p[strings.LastIndex(p, "."):], "."))
		return permMutation{"moderatePin " + p + " to " + string(to), `mutation($id: ID!, $s: ModerationStatus!) { m: moderatePin(id: $id, status: $s) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"id": target, "s": to} }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Pin.GetX(ctx, target).Status; got != to {
					t.Errorf("status is %s", got)
				}
				c.Pin.UpdateOneID(target).SetStatus(from).ExecX(ctx)
			}}
	}
	moderateComment := func(want, n string, to moderation.Status) permMutation {
		from := moderation.Status(strings.TrimPrefix(n[strings.LastIndex(n, "."):], "."))
		return permMutation{"moderateComment " + n + " to " + string(to), `mutation($id: ID!, $s: ModerationStatus!) { m: moderateComment(id: $id, status: $s) { id status } }`,
			n, func(target, _ string) map[string]any { return map[string]any{"id": target, "s": to} }, permWant(want),
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Comment.GetX(ctx, target).Status; got != to {
					t.Errorf("status is %s", got)
				}
				c.Comment.UpdateOneID(target).SetStatus(from).ExecX(ctx)
			}}
	}
	createComment := func(want, p, status string) permMutation {
		return permMutation{"createComment on " + p, `mutation($pid: ID!) { m: createComment(input: {body: "New comment", authorEmail: "new@example.test", pinID: $pid}) { id status } }`,
			p, func(target, _ string) map[string]any { return map[string]any{"pid": target} }, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				cm := c.Comment.GetX(ctx, id(out))
				if cm.PinID != target || string(cm.Status) != status {
					t.Errorf("created comment on %s with status %s, want %s", w.label(cm.PinID), cm.Status, status)
				}
				c.Comment.DeleteOneID(cm.ID).ExecX(ctx)
			}}
	}
	createProject := func(want, team string) permMutation {
		name := "createProject in team " + team
		if team == "" {
			name = "createProject without team"
		}
		return permMutation{name, `mutation($tid: ID) { m: createProject(input: {title: "New project", slug: "new-project", teamID: $tid}) { id } }`,
			team, func(target, _ string) map[string]any {
				if target == "" {
					return map[string]any{"tid": nil}
				}
				return map[string]any{"tid": target}
			}, permWant(want),
			func(t *testing.T, target, _ string, out map[string]any) {
				p := c.Project.GetX(ctx, id(out))
				if (p.TeamID == nil) != (target == "") || (p.TeamID != nil && *p.TeamID != target) {
					t.Errorf("created project in team %v", p.TeamID)
				}
				c.Project.DeleteOneID(p.ID).ExecX(ctx)
			}}
	}
	createMembership := func(want, p string) permMutation {
		return permMutation{"createProjectMembership self on " + p, `mutation($pid: ID!, $uid: ID!) { m: createProjectMembership(input: {role: VIEWER, projectID: $pid, userID: $uid}) { id } }`,
			p, func(target, self string) map[string]any { return map[string]any{"pid": target, "uid": self} }, permWant(want),
			func(t *testing.T, target, self string, out map[string]any) {
				pm := c.ProjectMembership.GetX(ctx, id(out))
				if pm.ProjectID != target || pm.UserID != self {
					t.Errorf("created %+v", pm)
				}
				c.ProjectMembership.DeleteOneID(pm.ID).ExecX(ctx)
			}}
	}
	createToken := func(want string, projects ...string) permMutation {
		name, target := "createAPIToken", ""
		if len(projects) > 0 {
			name, target = "createAPIToken limited to "+projects[0], projects[0]
		}
		return permMutation{name, `mutation($p: [ID!]) { m: createAPIToken(input: {name: "New token", projectIDs: $p}) { token { id } secret } }`,
			target, func(target, _ string) map[string]any {
				if target == "" {
					return map[string]any{"p": nil}
				}
				return map[string]any{"p": []string{target}}
			}, permWant(want),
			func(t *testing.T, target, self string, out map[string]any) {
				tokID, _ := out["token"].(map[string]any)["id"].(string)
				tok := c.APIToken.Query().Where().WithAllowedProjects().AllX(ctx)
				for _, k := range tok {
					if k.ID != tokID {
						continue
					}
					var got []string
					for _, p := range k.Edges.AllowedProjects {
						got = append(got, p.ID)
					}
					if k.OwnerID != self || (target == "" && len(got) > 0) || (target != "" && !slices.Equal(got, []string{target})) {
						t.Errorf("created token of %s for projects %v", w.label(k.OwnerID), got)
					}
				}
				c.AuditEvent.Delete().Where(auditevent.TokenID(tokID)).ExecX(ctx)
				c.APIToken.UpdateOneID(tokID).ClearAllowedProjects().ExecX(ctx)
				c.APIToken.DeleteOneID(tokID).ExecX(ctx)
			}}
	}
	deleteCreated := func(t *testing.T, _, _ string, m map[string]any) {
		// Created objects of these kinds have no children yet.
		switch prefix, _, _ := strings.Cut(id(m), "_"); prefix {
		case gid.Question:
			c.Question.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Response:
			c.Response.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Answer:
			c.Answer.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Map:
			c.ProjectMap.DeleteOneID(id(m)).ExecX(ctx)
		case gid.Team:
			c.Team.DeleteOneID(id(m)).ExecX(ctx)
		case gid.TeamMembership:
			c.TeamMembership.DeleteOneID(id(m)).ExecX(ctx)
		case gid.User:
			c.User.DeleteOneID(id(m)).ExecX(ctx)
		default:
			t.Fatalf("cannot undo the creation of %v", m)
		}
	}

	other := func(want, name, query, target string, vars func(target, self string) map[string]any, done func(*testing.T, string, string, map[string]any)) permMutation {
		return permMutation{name, query, target, vars, permWant(want), done}
	}

	return []permMutation{
		//AMEDVPORL
		updateProject("+++FFFNFN", "pR"),
		updateProject("+FFFFFFF+", "pO"),
		updateProject("+FFFFFFFN", "pN"),
		createSurvey("+++FFFNFN", "pR"),
		createSurvey("+FFFFFFF+", "pO"),
		createSurvey("+FFFFFFFN", "pN"),
		updateSurvey("+++NNNNFN", "pR.draft"),
		updateSurvey("+NNNNNNF+", "pO.draft"),
		updateSurvey("+NNNNNNFN", "pN.draft"),
		other("+++NNNNFN", "createQuestion in pR.draft",
			`mutation($sid: ID!) { m: createQuestion(input: {position: 1, kind: SHORT_TEXT, prompt: "New?", surveyID: $sid}) { id } }`,
			"pR.draft", func(target, _ string) map[string]any { return map[string]any{"sid": target} }, deleteCreated),
		other("+++FFFNFN", "createResponse to pR.open",
			`mutation($sid: ID!) { m: createResponse(input: {respondentName: "Paper", surveyID: $sid}) { id } }`,
			"pR.open", func(target, _ string) map[string]any { return map[string]any{"sid": target} }, deleteCreated),
		other("+++FFFNFN", "createAnswer in pR.open.r",
			`mutation($rid: ID!, $qid: ID!) { m: createAnswer(input: {value: "no", responseID: $rid, questionID: $qid}) { id } }`,
			"pR.open.r", func(target, _ string) map[string]any {
				return map[string]any{"rid": target, "qid": w.id["pR.open.unanswered"]}
			}, deleteCreated),
		other("+++FFFNFN", "createMap in pR",
			`mutation($pid: ID!) { m: createMap(input: {title: "New map", centerLatitude: 1, centerLongitude: 2, projectID: $pid}) { id } }`,
			"pR", func(target, _ string) map[string]any { return map[string]any{"pid": target} }, deleteCreated),
		//AMEDVPORL
		createPin("+++FFFNFN", "pR.map", "PENDING"), // pR requires approval
		createPin("+FFFFFFF+", "pO.map", "PUBLISHED"),
		createPin("+FFFFFFFN", "pN.map", "PUBLISHED"),
		other("+++FFFNFN", "updatePin pR.pin.PUBLISHED body",
			`mutation($id: ID!) { m: updatePin(id: $id, input: {body: "Edited"}) { id } }`,
			"pR.pin.PUBLISHED", func(target, _ string) map[string]any { return byID(target) },
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Pin.GetX(ctx, target).Body; got != "Edited" {
					t.Errorf("body is %q", got)
				}
				c.Pin.UpdateOneID(target).SetBody("Body of pR.pin.PUBLISHED").ExecX(ctx)
			}),
		moderatePin("++++FFNFN", "pR.pin.PUBLISHED", moderation.Hidden),
		moderatePin("++++NNNFN", "pR.pin.PENDING", moderation.Published),
		moderatePin("+FFFFFFF+", "pO.pin.PUBLISHED", moderation.Hidden),
		moderatePin("+NNNNNNF+", "pO.pin.PENDING", moderation.Published),
		moderatePin("+FFFFFFFN", "pN.pin.PUBLISHED", moderation.Hidden),
		moderatePin("+NNNNNNFN", "pN.pin.PENDING", moderation.Published),
		createComment("+++FFFNFN", "pR.pin.PUBLISHED", "PENDING"),
		createComment("+++FNNNFN", "pR.pin.PENDING", "PENDING"),
		createComment("+FFFFFFF+", "pO.pin.PUBLISHED", "PUBLISHED"),
		moderateComment("++++FFNFN", "pR.cmt.PUBLISHED", moderation.Hidden),
		moderateComment("++++NNNFN", "pR.cmt.PENDING", moderation.Published),
		//AMEDVPORL
		createProject("++FFFNNFF", "R"),
		createProject("+FFFFFFFF", "O"),
		createProject("+FFFFFFFF", ""),
		other("+FFFFFFFF", "createTeam", `mutation { m: createTeam(input: {name: "New team"}) { id } }`,
			"", func(string, string) map[string]any { return nil }, deleteCreated),
		other("+FFFFNNFF", "updateTeam R", `mutation($id: ID!) { m: updateTeam(id: $id, input: {name: "Renamed"}) { id } }`,
			"R", func(target, _ string) map[string]any { return byID(target) },
			func(t *testing.T, target, _ string, _ map[string]any) {
				if got := c.Team.GetX(ctx, target).Name; got != "Renamed" {
					t.Errorf("name is %q", got)
				}
				c.Team.UpdateOneID(target).SetName("Restricted team").ExecX(ctx)
			}),
		other("+FFFFFFFF", "createTeamMembership self in O",
			`mutation($tid: ID!, $uid: ID!) { m: createTeamMembership(input: {role: MANAGER, teamID: $tid, userID: $uid}) { id } }`,
			"O", func(target, self string) map[string]any { return map[string]any{"tid": target, "uid": self} }, deleteCreated),
		other("+FFFFFFFF", "createUser", `mutation { m: createUser(input: {email: "new@example.test", name: "New", role: ADMIN}) { id } }`,
			"", func(string, string) map[string]any { return nil }, deleteCreated),
		createMembership("+FFFFFNFN", "pR"),
		createMembership("+FFFFFFFN", "pN"),
		//AMEDVPORL
		createToken("+++++++FF"),
		createToken("+++++++F+", "pO"),
		createToken("++++++NFN", "pR"),
	}
}

// permOutcome names the outcome of a mutation: + for success, else its
// first error code.
func permOutcome(resp apitest.Response) string {
	if resp.Status == http.StatusOK && len(resp.Errors) == 0 {
		return "+"
	}
	if codes := resp.Codes(); len(codes) > 0 {
		switch codes[0] {
		case "FORBIDDEN":
			return "F"
		case "NOT_FOUND":
			return "N"
		}
		return codes[0]
	}
	return fmt.Sprintf("status %d", resp.Status)
}

// permSecrets matches token secrets, kept out of failure messages.
var permSecrets = regexp.MustCompile(`eng_[0-9A-Za-z]+`)

// permOutcomeName spells an outcome out.
func permOutcomeName(o string) string {
	if name, ok := map[string]string{"+": "success", "F": "FORBIDDEN", "N": "NOT_FOUND"}[o]; ok {
		return name
	}
	return o
}

// checkWrites runs every mutation for every caller.
func (w *permWorld) checkWrites(t *testing.T) {
	h := w.h
	for _, m := range w.permMutations() {
		for i, c := range permCallers {
			t.Run(c.role+"/mutation/"+m.name, func(t *testing.T) {
				target, self := "", w.id[c.user]
				if m.target != "" {
					target = w.id[m.target]
				}
				before := permSnapshot(t, h)
				resp := h.Do(w.secret[c.token], m.query, m.vars(target, self))
				got, want := permOutcome(resp), string(m.want[i])
				var out struct{ M map[string]any }
				_ = json.Unmarshal(resp.Data, &out)
				if got != want {
					msg := ""
					if len(resp.Errors) > 0 {
						msg = resp.Errors[0].Message
					}
					t.Errorf("got %s %q, want %s", permOutcomeName(got), msg, permOutcomeName(want))
				}
				if got == "+" {
					if out.M == nil {
						t.Fatalf("success without data: %s", resp.Data)
					}
					m.done(t, target, self, out.M)
				} else {
					if string(resp.Data) != "null" && len(resp.Data) > 0 {
						t.Errorf("a refused mutation returned data %s", resp.Data)
					}
					if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
						t.Errorf("the refused mutation changed the database:\n%s", diff)
					}
				}
				// A hidden target must look exactly like a missing one.
				if (got == "N" || want == "N") && m.target != "" {
					missing := permMissing(target)
					before := permSnapshot(t, h)
					gone := h.Do(w.secret[c.token], m.query, m.vars(missing, self))
					if permErrors(resp.Errors, target) != permErrors(gone.Errors, missing) || string(resp.Data) != string(gone.Data) {
						t.Errorf("hidden and missing %s differ:\nhidden  %s %s\nmissing %s %s", m.target,
							permSecrets.ReplaceAll(resp.Data, []byte("eng_…")), permErrors(resp.Errors, target), gone.Data, permErrors(gone.Errors, missing))
					}
					if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
						t.Errorf("the mutation on a missing %s changed the database:\n%s", m.target, diff)
					}
				}
			})
		}
		for _, l := range permLocked {
			t.Run(l.role+"/mutation/"+m.name, func(t *testing.T) {
				target := ""
				if m.target != "" {
					target = w.id[m.target]
				}
				before := permSnapshot(t, h)
				permUnauthorized(t, h.Do(w.secret[l.token], m.query, m.vars(target, w.id["u.edR"])))
				if diff := permDiff(before, permSnapshot(t, h)); diff != "" {
					t.Errorf("the refused mutation changed the database:\n%s", diff)
				}
			})
		}
	}
}

// permTables are the tables a snapshot reads.
var permTables = []string{
	"users", "teams", "team_memberships", "projects", "project_memberships", "surveys", "questions",
	"responses", "answers", "maps", "pins", "comments", "api_tokens", "api_token_allowed_projects", "audit_events",
}

// permSnapshot reads every row of every table, leaving out what requests
// change by design: token usage counters and audit events of refused tokens.
func permSnapshot(t *testing.T, h *apitest.Server) map[string][]string {
	t.Helper()
	snap := map[string][]string{}
	for _, table := range permTables {
		rows, err := h.DB.SQL.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("reading %s: %v", table, err)
			}
			var fields []string
			skip := false
			for i, col := range cols {
				v := values[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if table == "api_tokens" && (col == "last_used_at" || col == "last_used_ip" || col == "use_count") {
					continue
				}
				if table == "audit_events" && col == "action" && v == "TOKEN_REFUSED" {
					skip = true
				}
				fields = append(fields, fmt.Sprintf("%s=%v", col, v))
			}
			if !skip {
				snap[table] = append(snap[table], strings.Join(fields, " "))
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		rows.Close()
		sort.Strings(snap[table])
	}
	return snap
}

// permDiff lists the rows added and removed between two snapshots.
func permDiff(before, after map[string][]string) string {
	var b strings.Builder
	for _, table := range permTables {
		for _, r := range before[table] {
			if !slices.Contains(after[table], r) {
				fmt.Fprintf(&b, "  %s - %s\n", table, r)
			}
		}
		for _, r := range after[table] {
			if !slices.Contains(before[table], r) {
				fmt.Fprintf(&b, "  %s + %s\n", table, r)
			}
		}
	}
	return b.String()
}
