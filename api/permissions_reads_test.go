package api_test

// The reads of TestPermissions (permissions_test.go): every read path, for
// each caller, against the tables of permissions_tables_test.go.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"engage/gid"
	"engage/internal/apitest"
)

// permConn is a decoded connection.
type permConn struct {
	TotalCount int
	Edges      []struct {
		Node map[string]any
	}
}

func (w *permWorld) labels(c permConn) []string {
	var out []string
	for _, e := range c.Edges {
		id, _ := e.Node["id"].(string)
		out = append(out, w.label(id))
	}
	sort.Strings(out)
	return out
}

// permUnauthorized checks a 401 answer.
func permUnauthorized(t *testing.T, resp apitest.Response) {
	t.Helper()
	if resp.Status != http.StatusUnauthorized || !reflect.DeepEqual(resp.Codes(), []string{"UNAUTHENTICATED"}) ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) || (len(resp.Data) > 0 && string(resp.Data) != "null") {
		t.Errorf("want 401 UNAUTHENTICATED with a Bearer challenge and no data; got status %d, codes %v, data %s, WWW-Authenticate %q",
			resp.Status, resp.Codes(), resp.Data, resp.Header.Get("WWW-Authenticate"))
	}
}

// permOK decodes the data of a response that must have no error.
func permOK(t *testing.T, resp apitest.Response, out any) bool {
	t.Helper()
	if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
		t.Errorf("status %d, errors %+v", resp.Status, resp.Errors)
		return false
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Errorf("decoding %s: %v", resp.Data, err)
		return false
	}
	return true
}

// permMissing is a well-formed ID of the same type as id that names nothing.
func permMissing(id string) string {
	prefix, _, _ := strings.Cut(id, "_")
	return gid.New(prefix)
}

// permErrors renders errors for comparison, with the given IDs replaced by
// a placeholder, so that a hidden object's errors can be compared with a
// missing one's. Paths are left out: nodes(ids) reports each error at its
// own index.
func permErrors(errs []apitest.Error, ids ...string) string {
	var plain []apitest.Error
	for _, e := range errs {
		e.Path = nil
		plain = append(plain, e)
	}
	b, _ := json.Marshal(plain)
	s := string(b)
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "<id>")
	}
	return s
}

// checkReads runs every read path for one caller.
func (w *permWorld) checkReads(t *testing.T, c permCaller) {
	w.checkRootConnections(t, c)
	w.checkNodeLookups(t, c)
	w.checkNodesLookup(t, c)
	w.checkNestedEdges(t, c)
	w.checkProjectTeams(t, c)
	w.checkProjectOrder(t, c)
	w.checkWheres(t, c)
	w.checkAbsentFilters(t, c)
	w.checkPersonalData(t, c)
	w.checkOwnTokens(t, c)
}

// run runs f as the subtest role/path/object of the caller.
func (c permCaller) run(t *testing.T, path, object string, f func(t *testing.T)) {
	t.Run(c.role+"/"+path+"/"+object, f)
}

// checkRootConnections: each root connection lists exactly the objects
// the caller sees, and counts them in totalCount.
func (w *permWorld) checkRootConnections(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	for _, rc := range permRootConnections {
		c.run(t, "connection", rc.field, func(t *testing.T) {
			var out struct{ C permConn }
			if !permOK(t, h.Do(secret, `{ c: `+rc.field+`(first: 100) { totalCount edges { node { id } } } }`, nil), &out) {
				return
			}
			want := w.expected(c, rc.kind, "")
			if got := w.labels(out.C); !slices.Equal(got, want) || out.C.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d)\nwant %v (totalCount %d)", got, out.C.TotalCount, want, len(want))
			}
		})
	}
}

// checkNodeLookups: node(id) of every object answers the object when it
// is visible; when hidden, null and NOT_FOUND, exactly as for a missing ID
// of the same type.
func (w *permWorld) checkNodeLookups(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	const nodeQuery = `query($id: ID!) { node(id: $id) { typename: __typename id } }`
	for _, n := range w.order {
		c.run(t, "node", n, func(t *testing.T) {
			id := w.id[n]
			resp := h.Do(secret, nodeQuery, map[string]any{"id": id})
			if w.visibleTo(n, c) {
				var out struct {
					Node *struct{ Typename, ID string }
				}
				if permOK(t, resp, &out) && (out.Node == nil || out.Node.Typename != w.kind[n] || out.Node.ID != id) {
					t.Errorf("got %s, want the %s", resp.Data, w.kind[n])
				}
				return
			}
			missing := permMissing(id)
			gone := h.Do(secret, nodeQuery, map[string]any{"id": missing})
			if string(resp.Data) != `{"node":null}` || !reflect.DeepEqual(resp.Codes(), []string{"NOT_FOUND"}) {
				t.Errorf("hidden: got data %s, codes %v; want node null and [NOT_FOUND]", resp.Data, resp.Codes())
			}
			if string(resp.Data) != string(gone.Data) || permErrors(resp.Errors, id) != permErrors(gone.Errors, missing) {
				t.Errorf("hidden and missing differ:\nhidden  %s %s\nmissing %s %s", resp.Data, permErrors(resp.Errors, id), gone.Data, permErrors(gone.Errors, missing))
			}
		})
	}
}

// checkNodesLookup: nodes(ids) of every object at once and a missing ID
// answers the visible ones in place, and the hidden ones null with the
// same error as the missing one.
func (w *permWorld) checkNodesLookup(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	c.run(t, "nodes", "every object", func(t *testing.T) {
		var ids []string
		for _, n := range w.order {
			ids = append(ids, w.id[n])
		}
		missing := permMissing(w.id["pR"])
		ids = append(ids, missing)
		resp := h.Do(secret, `query($ids: [ID!]!) { nodes(ids: $ids) { typename: __typename id } }`, map[string]any{"ids": ids})
		var out struct {
			Nodes []*struct{ Typename, ID string }
		}
		if err := json.Unmarshal(resp.Data, &out); err != nil || len(out.Nodes) != len(ids) {
			t.Fatalf("got data %s (%v), want %d entries", resp.Data, err, len(ids))
		}
		errsAt := map[int][]apitest.Error{}
		for _, e := range resp.Errors {
			if len(e.Path) == 2 && e.Path[0] == "nodes" {
				if i, ok := e.Path[1].(float64); ok {
					errsAt[int(i)] = append(errsAt[int(i)], e)
					continue
				}
			}
			t.Errorf("unexpected error %+v", e)
		}
		missingErr := permErrors(errsAt[len(ids)-1], missing)
		if out.Nodes[len(ids)-1] != nil || !strings.Contains(missingErr, "NOT_FOUND") {
			t.Errorf("missing ID: got %v with errors %s, want null and NOT_FOUND", out.Nodes[len(ids)-1], missingErr)
		}
		for i, n := range w.order {
			got := out.Nodes[i]
			if w.visibleTo(n, c) {
				if got == nil || got.ID != ids[i] || got.Typename != w.kind[n] || len(errsAt[i]) > 0 {
					t.Errorf("%s: got %v with errors %+v, want the %s", n, got, errsAt[i], w.kind[n])
				}
				continue
			}
			if got != nil || permErrors(errsAt[i], ids[i]) != missingErr {
				t.Errorf("%s is hidden: got %v with errors %s, want null with the errors of a missing ID %s", n, got, permErrors(errsAt[i], ids[i]), missingErr)
			}
		}
	})
}

// checkNestedEdges: nested edges hold what the caller sees, with
// totalCount and personal data at every level.
func (w *permWorld) checkNestedEdges(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	for _, tree := range permTrees {
		c.run(t, "nested", tree.name, func(t *testing.T) {
			resp := h.Do(secret, "{ "+permSelect(tree.root)+" }", nil)
			var out map[string]any
			if permOK(t, resp, &out) {
				w.checkConnection(t, c, tree.root.field, "", tree.root, out[tree.root.field])
			}
		})
	}
}

// checkProjectTeams: an edge to a single object, a project's team, is null
// when the team is hidden.
func (w *permWorld) checkProjectTeams(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	c.run(t, "edge", "project.team", func(t *testing.T) {
		var out struct {
			Projects struct {
				Edges []struct {
					Node struct {
						ID   string
						Team *struct{ ID string }
					}
				}
			}
		}
		if !permOK(t, h.Do(secret, `{ projects(first: 10) { edges { node { id team { id } } } } }`, nil), &out) {
			return
		}
		for _, e := range out.Projects.Edges {
			p := w.label(e.Node.ID)
			want := ""
			if ps := w.parents[p]; len(ps) > 0 && w.kind[ps[0]] == "Team" && w.visibleTo(ps[0], c) {
				want = w.id[ps[0]]
			}
			got := ""
			if e.Node.Team != nil {
				got = e.Node.Team.ID
			}
			if got != want {
				t.Errorf("%s.team: got %q, want %q", p, w.label(got), w.label(want))
			}
		}
	})
}

// checkProjectOrder: ordering and paging list only visible projects, in
// title order.
func (w *permWorld) checkProjectOrder(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	wantOrder := permProjectsByTitle[c.role]
	for _, dir := range []string{"ASC", "DESC"} {
		c.run(t, "order", "projects by TITLE "+dir, func(t *testing.T) {
			var out struct{ Projects permConn }
			if !permOK(t, h.Do(secret, `query($d: OrderDirection!) { projects(first: 100, orderBy: {field: TITLE, direction: $d}) { totalCount edges { node { id } } } }`,
				map[string]any{"d": dir}), &out) {
				return
			}
			var got []string
			for _, e := range out.Projects.Edges {
				got = append(got, w.label(e.Node["id"].(string)))
			}
			want := slices.Clone(wantOrder)
			if dir == "DESC" {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) || out.Projects.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d), want %v", got, out.Projects.TotalCount, want)
			}
		})
	}
	c.run(t, "order", "projects by TITLE one per page", func(t *testing.T) {
		var got []string
		var after any
		for page := 0; page <= len(wantOrder); page++ {
			var out struct {
				Projects struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   *string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if !permOK(t, h.Do(secret, `query($after: Cursor) { projects(first: 1, after: $after, orderBy: {field: TITLE}) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
				map[string]any{"after": after}), &out) {
				return
			}
			for _, e := range out.Projects.Edges {
				got = append(got, w.label(e.Node.ID))
			}
			if out.Projects.TotalCount != len(wantOrder) {
				t.Errorf("page %d: totalCount %d, want %d", page, out.Projects.TotalCount, len(wantOrder))
			}
			if out.Projects.PageInfo.HasNextPage != (len(got) < len(wantOrder)) {
				t.Errorf("page %d: hasNextPage %v after %v", page, out.Projects.PageInfo.HasNextPage, got)
			}
			if !out.Projects.PageInfo.HasNextPage || out.Projects.PageInfo.EndCursor == nil {
				break
			}
			after = *out.Projects.PageInfo.EndCursor
		}
		if !slices.Equal(got, wantOrder) {
			t.Errorf("got %v, want %v", got, wantOrder)
		}
	})
}

// checkWheres: where-filters count only visible objects.
func (w *permWorld) checkWheres(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	for _, wh := range permWheres {
		c.run(t, "where", wh.name, func(t *testing.T) {
			var out struct{ C permConn }
			if !permOK(t, h.Do(secret, wh.query, nil), &out) {
				return
			}
			var want []string
			for _, n := range wh.matches {
				if w.visibleTo(n, c) {
					want = append(want, n)
				}
			}
			sort.Strings(want)
			if got := w.labels(out.C); !slices.Equal(got, want) || out.C.TotalCount != len(want) {
				t.Errorf("got %v (totalCount %d)\nwant %v (totalCount %d)", got, out.C.TotalCount, want, len(want))
			}
		})
	}
}

// checkAbsentFilters: the filters that must not exist are neither in
// their input types nor accepted in a query.
func (w *permWorld) checkAbsentFilters(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	for _, f := range permAbsentFilters {
		c.run(t, "absent filter", f.input+"."+f.field, func(t *testing.T) {
			resp := h.Do(secret, `query($t: String!) { __type(name: $t) { inputFields { name } } }`, map[string]any{"t": f.input})
			var out struct {
				Type *struct{ InputFields []struct{ Name string } } `json:"__type"`
			}
			if permOK(t, resp, &out) {
				if out.Type == nil {
					t.Fatalf("input type %s does not exist", f.input)
				}
				for _, fl := range out.Type.InputFields {
					if fl.Name == f.field {
						t.Errorf("%s has the field %s", f.input, f.field)
					}
				}
			}
			resp = h.Do(secret, f.query, nil)
			if !reflect.DeepEqual(resp.Codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) || (len(resp.Data) > 0 && string(resp.Data) != "null") {
				t.Errorf("got status %d, data %s, codes %v; want GRAPHQL_VALIDATION_FAILED", resp.Status, resp.Data, resp.Codes())
			}
		})
	}
}

// checkPersonalData: personal data through root connections and node(id)
// (checkNestedEdges checks it in nested edges).
func (w *permWorld) checkPersonalData(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	c.run(t, "personal", "root connections", func(t *testing.T) {
		var out map[string]any
		if !permOK(t, h.Do(secret, `{
			responses(first: 100) { totalCount edges { node { id respondentName respondentEmail } } }
			pins(first: 100) { totalCount edges { node { id authorEmail } } }
			comments(first: 100) { totalCount edges { node { id authorEmail } } }
			users(first: 100) { totalCount edges { node { id email } } } }`, nil), &out) {
			return
		}
		for _, e := range []permEdge{{"responses", "Response", 100, nil}, {"pins", "Pin", 100, nil}, {"comments", "Comment", 100, nil}, {"users", "User", 100, nil}} {
			w.checkConnection(t, c, e.field, "", e, out[e.field])
		}
	})
	for _, n := range w.order {
		if _, ok := w.pii[n]; !ok || !w.visibleTo(n, c) {
			continue
		}
		c.run(t, "personal", n, func(t *testing.T) {
			var out struct{ Node map[string]any }
			if permOK(t, h.Do(secret, `query($id: ID!) { node(id: $id) { id
				... on Response { respondentName respondentEmail } ... on Pin { authorEmail }
				... on Comment { authorEmail } ... on User { email } } }`, map[string]any{"id": w.id[n]}), &out) {
				w.checkPersonal(t, c, n, "node", out.Node)
			}
		})
	}
}

// checkOwnTokens: viewer names the caller's user and token, and lists the
// caller's own tokens.
func (w *permWorld) checkOwnTokens(t *testing.T, c permCaller) {
	h, secret := w.h, w.secret[c.token]
	c.run(t, "viewer", "apiTokens", func(t *testing.T) {
		var out struct {
			Viewer struct {
				User      struct{ ID string }
				Token     *struct{ ID string }
				APITokens permConn
			}
		}
		if !permOK(t, h.Do(secret, `{ viewer { user { id } token { id } apiTokens(first: 100) { totalCount edges { node { id } } } } }`, nil), &out) {
			return
		}
		want := slices.Clone(permOwnTokens[c.role])
		sort.Strings(want)
		if got := w.labels(out.Viewer.APITokens); !slices.Equal(got, want) || out.Viewer.APITokens.TotalCount != len(want) {
			t.Errorf("apiTokens: got %v (totalCount %d), want %v", got, out.Viewer.APITokens.TotalCount, want)
		}
		if out.Viewer.User.ID != w.id[c.user] || out.Viewer.Token == nil || out.Viewer.Token.ID != w.id[c.token] {
			t.Errorf("viewer: user %s, token %v; want %s and %s", w.label(out.Viewer.User.ID), out.Viewer.Token, c.user, c.token)
		}
	})
}

// permSelect writes the selection of a connection and its nested edges.
func permSelect(e permEdge) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(first: %d) { totalCount edges { node { id", e.field, e.first)
	for _, f := range permPersonalFields[e.kind] {
		b.WriteString(" " + f)
	}
	for _, s := range e.sub {
		b.WriteString(" " + permSelect(s))
	}
	b.WriteString(" } } }")
	return b.String()
}

// checkConnection compares a decoded connection (under parent, "" at the
// root) with the expected objects, then checks personal data and nested
// edges of each node.
func (w *permWorld) checkConnection(t *testing.T, c permCaller, path, parent string, e permEdge, raw any) {
	t.Helper()
	b, _ := json.Marshal(raw)
	var conn permConn
	if err := json.Unmarshal(b, &conn); err != nil || raw == nil {
		t.Errorf("%s: not a connection: %s", path, b)
		return
	}
	want := w.expected(c, e.kind, parent)
	if got := w.labels(conn); !slices.Equal(got, want) || conn.TotalCount != len(want) {
		t.Errorf("%s: got %v (totalCount %d)\nwant %v (totalCount %d)", path, got, conn.TotalCount, want, len(want))
	}
	for _, edge := range conn.Edges {
		id, _ := edge.Node["id"].(string)
		n := w.label(id)
		if _, ok := w.pii[n]; ok {
			w.checkPersonal(t, c, n, path, edge.Node)
		}
		for _, s := range e.sub {
			w.checkConnection(t, c, path+"["+n+"]."+s.field, n, s, edge.Node[s.field])
		}
	}
}

// checkPersonal checks the personal-data fields of a node of the named
// object: their stored values where the table says the caller sees them,
// null elsewhere.
func (w *permWorld) checkPersonal(t *testing.T, c permCaller, n, path string, node map[string]any) {
	t.Helper()
	shown := strings.IndexByte(w.sensed[n], c.letter) >= 0
	for _, f := range permPersonalFields[w.kind[n]] {
		got, present := node[f]
		if !present {
			t.Errorf("%s: %s.%s was not returned", path, n, f)
			continue
		}
		if shown && got != w.pii[n][f] {
			t.Errorf("%s: %s.%s = %v, want %q", path, n, f, got, w.pii[n][f])
		}
		if !shown && got != nil {
			t.Errorf("%s: %s.%s = %v, want null (personal data)", path, n, f, got)
		}
	}
}

// checkLockedReads: every read path answers 401 to a locked caller.
func (w *permWorld) checkLockedReads(t *testing.T, who, secret string) {
	h := w.h
	queries := map[string]string{}
	for _, rc := range permRootConnections {
		queries["connection/"+rc.field] = `{ c: ` + rc.field + `(first: 100) { totalCount edges { node { id } } } }`
	}
	for _, tree := range permTrees {
		queries["nested/"+tree.name] = "{ " + permSelect(tree.root) + " }"
	}
	for _, wh := range permWheres {
		queries["where/"+wh.name] = wh.query
	}
	queries["viewer/apiTokens"] = `{ viewer { user { id } apiTokens { totalCount } } }`
	var names []string
	for k := range queries {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Run(who+"/"+k, func(t *testing.T) { permUnauthorized(t, h.Do(secret, queries[k], nil)) })
	}
	for _, n := range w.order {
		t.Run(who+"/node/"+n, func(t *testing.T) {
			permUnauthorized(t, h.Do(secret, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.id[n]}))
		})
	}
}

// TestMembershipsOfHiddenUsers: a membership the caller sees stays visible
// when its user is hidden from the caller; its user is then null, with no
// error (u.memberO is seen by administrators only, its memberships of the
// open team O and project pN by everyone who sees those).
func TestMembershipsOfHiddenUsers(t *testing.T) {
	h := apitest.New(t)
	w := permBuild(t, h)
	hiddenUserSeen := false
	for _, c := range permCallers {
		for _, conn := range []string{"projectMemberships", "teamMemberships"} {
			t.Run(c.role+"/"+conn, func(t *testing.T) {
				var out struct {
					C struct {
						Edges []struct {
							Node struct {
								ID   string
								User *struct{ ID string }
							}
						}
					}
				}
				if !permOK(t, h.Do(w.secret[c.token], `{ c: `+conn+`(first: 100) { edges { node { id user { id } } } } }`, nil), &out) {
					return
				}
				got := map[string]string{}
				for _, e := range out.C.Edges {
					got[w.name[e.Node.ID]] = "null"
					if e.Node.User != nil {
						got[w.name[e.Node.ID]] = w.name[e.Node.User.ID]
					}
				}
				want := map[string]string{}
				for _, n := range w.order {
					if w.kind[n] != strings.TrimSuffix(strings.ToUpper(conn[:1])+conn[1:], "s") || !w.visibleTo(n, c) {
						continue
					}
					want[n] = "null"
					if u := w.parents[n][1]; w.visibleTo(u, c) {
						want[n] = u
					} else {
						hiddenUserSeen = true
					}
				}
				if !maps.Equal(got, want) {
					t.Errorf("memberships and their users: got %v, want %v", got, want)
				}
			})
		}
	}
	if !hiddenUserSeen {
		t.Error("no caller sees a membership of a user hidden from it: the test checks nothing")
	}
}
