package api_test

// The differential test's filters and orderings, enumerated from the
// schema: every field of every root connection's where-input (each operator
// is a field of its own: titleHasPrefix, teamIDIsNil, hasSurveysWith...)
// and every order field in both directions. Each world runs all of them as
// every live token, with values drawn from every object of the world, those
// the token may not see included, as an attacker with a valid token would.
//
// The oracle evaluates a predicate on what the caller can read through the
// types: the field values that an unrestricted administrator (the world's
// observer) reads, and edges that lead only to the objects the caller may
// see. So a predicate that tests a hidden value, or an edge filter that
// reaches hidden objects, disagrees with it. Comparisons follow SQL: a
// comparison with null is unknown, and NOT of unknown is unknown.

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"engage/graph"
)

// filterable is a root connection with its where-input and order fields.
type filterable struct {
	root, typ string          // "projects", "Project"
	object    *ast.Definition // the entity type
	where     *ast.Definition // its where-input
	order     []string        // its order fields
}

// catalog is every filterable root connection of the schema.
type catalog struct {
	schema  *ast.Schema
	list    []*filterable
	byInput map[string]*filterable // where-input name -> connection
}

var (
	catalogOnce sync.Once
	theCatalog  *catalog
)

// schemaCatalog reads the catalog from the executable schema, once.
func schemaCatalog() *catalog {
	catalogOnce.Do(func() {
		s := graph.NewSchema(nil, 0).Schema()
		c := &catalog{schema: s, byInput: map[string]*filterable{}}
		for _, q := range s.Query.Fields {
			where := q.Arguments.ForName("where")
			if where == nil {
				continue
			}
			typ := strings.TrimSuffix(where.Type.Name(), "WhereInput")
			f := &filterable{root: q.Name, typ: typ, object: s.Types[typ], where: s.Types[where.Type.Name()]}
			if order := q.Arguments.ForName("orderBy"); order != nil {
				field := s.Types[order.Type.Name()].Fields.ForName("field")
				for _, v := range s.Types[field.Type.Name()].EnumValues {
					f.order = append(f.order, v.Name)
				}
			}
			c.list = append(c.list, f)
			c.byInput[f.where.Name] = f
		}
		sort.Slice(c.list, func(i, j int) bool { return c.list[i].root < c.list[j].root })
		theCatalog = c
	})
	return theCatalog
}

// isPersonal reports whether a field answers null to some callers.
func isPersonal(f *ast.FieldDefinition) bool { return f.Directives.ForName("personal") != nil }

// edgeName is the field of object that hasX or hasXWith crosses ("" for
// any other where-input field): the field named X, but for the case of its
// first letters (hasAPITokens crosses apiTokens).
func edgeName(object *ast.Definition, predicate string) string {
	edge, ok := strings.CutPrefix(predicate, "has")
	if !ok || edge == "" || edge[0] < 'A' || edge[0] > 'Z' {
		return ""
	}
	edge = strings.TrimSuffix(edge, "With")
	for _, fd := range object.Fields {
		if strings.EqualFold(fd.Name, edge) {
			return fd.Name
		}
	}
	return edge
}

// operators are the suffixes entgql gives where-input fields; longest first
// where one ends another.
var operators = []string{"ContainsFold", "EqualFold", "HasPrefix", "HasSuffix", "Contains", "NotNil", "IsNil", "NotIn", "NEQ", "GTE", "LTE", "GT", "LT", "In"}

// splitPredicate splits a where-input field into the field it tests and
// its operator ("" for equality). The field may be one the type does not
// show (which filterOnlyWhatTypesShow in gqlschema forbids): the oracle
// then reads it as null, as the caller does.
func splitPredicate(object *ast.Definition, name string) (field, op string) {
	if object.Fields.ForName(name) != nil {
		return name, ""
	}
	for _, op := range operators {
		if base, ok := strings.CutSuffix(name, op); ok && base != "" && object.Fields.ForName(base) != nil {
			return base, op
		}
	}
	for _, op := range operators {
		if base, ok := strings.CutSuffix(name, op); ok && base != "" {
			return base, op
		}
	}
	return name, ""
}

// valueType is the GraphQL type of the values a where-input field compares
// with: its own type, or its list's element type.
func valueType(f *filterable, name string) *ast.Definition {
	t := f.where.Fields.ForName(name).Type
	if t.Elem != nil {
		t = t.Elem
	}
	return schemaCatalog().schema.Types[t.Name()]
}

// orderFieldName is the field of the type an order field orders by:
// CREATED_AT orders by createdAt.
func orderFieldName(value string) string {
	parts := strings.Split(strings.ToLower(value), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "id" || parts[i] == "ip" {
			parts[i] = strings.ToUpper(parts[i])
		} else {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// truth is every object of the world as the observer reads it: type ->
// ID -> field -> value, edges as lists of IDs; ids keeps each type's IDs in
// a fixed order.
type truth struct {
	objects map[string]map[string]map[string]any
	ids     map[string][]string
}

// truthQuery reads every object of every filterable connection with every
// field a predicate or an ordering can test.
func (c *catalog) truthQuery() string {
	var b strings.Builder
	b.WriteString("{\n")
	for _, f := range c.list {
		fmt.Fprintf(&b, "  %s(first: 100) { totalCount edges { node {", f.root)
		for _, fd := range f.object.Fields {
			t := c.schema.Types[fd.Type.Name()]
			switch {
			case strings.HasPrefix(fd.Name, "__") || isPersonal(fd):
			case (t.Kind == ast.Scalar || t.Kind == ast.Enum) && len(fd.Arguments) == 0 && fd.Type.Elem == nil:
				b.WriteString(" " + fd.Name)
			case strings.HasSuffix(t.Name, "Connection"):
				fmt.Fprintf(&b, " %s(first: 100) { totalCount edges { node { id } } }", fd.Name)
			case t.Kind == ast.Object && t.Fields.ForName("id") != nil && fd.Type.Elem == nil:
				fmt.Fprintf(&b, " %s { id }", fd.Name)
			}
		}
		b.WriteString(" } } }\n")
	}
	b.WriteString("}")
	return b.String()
}

// readTruth reads the world as the observer; it fails the test when the
// observer cannot read it whole.
func (d *diffRun) readTruth() {
	c := schemaCatalog()
	query := c.truthQuery()
	resp, err := d.do(d.observer, query, nil)
	if err != nil || len(resp.Errors) > 0 {
		d.t.Fatalf("seed %d: the observer cannot read the world: %v %s", d.seed, err, errorsText(resp))
	}
	type conn struct {
		TotalCount int
		Edges      []struct{ Node map[string]any }
	}
	var out map[string]conn
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		d.t.Fatalf("seed %d: decoding the observer's read: %v", d.seed, err)
	}
	tr := &truth{objects: map[string]map[string]map[string]any{}, ids: map[string][]string{}}
	for _, f := range c.list {
		got := out[f.root]
		if got.TotalCount != len(got.Edges) {
			d.t.Fatalf("seed %d: %d %s, more than one page", d.seed, got.TotalCount, f.root)
		}
		objects := map[string]map[string]any{}
		for _, e := range got.Edges {
			n := e.Node
			for k, v := range n {
				if fd := f.object.Fields.ForName(k); c.schema.Types[fd.Type.Name()].Kind == ast.Object {
					n[k] = linkedIDs(v)
				}
			}
			id := n["id"].(string)
			objects[id] = n
			tr.ids[f.typ] = append(tr.ids[f.typ], id)
		}
		byRank(d, tr.ids[f.typ], func(s string) string { return s })
		tr.objects[f.typ] = objects
	}
	d.truth = tr
}

// linkedIDs turns what the truth query reads of an edge (a connection, a
// linked object or null) into the IDs it links to.
func linkedIDs(v any) []string {
	ids := []string{}
	m, _ := v.(map[string]any)
	if edges, ok := m["edges"].([]any); ok {
		for _, e := range edges {
			ids = append(ids, e.(map[string]any)["node"].(map[string]any)["id"].(string))
		}
	} else if m != nil {
		ids = append(ids, m["id"].(string))
	}
	return ids
}

// ---------------------------------------------------------------------------
// Predicates.

// leafFields are the predicates of a where-input that test one field.
func leafFields(f *filterable) []string {
	var out []string
	for _, fd := range f.where.Fields {
		if fd.Name != "and" && fd.Name != "or" && fd.Name != "not" && edgeName(f.object, fd.Name) == "" {
			out = append(out, fd.Name)
		}
	}
	return out
}

// predicate returns a random where-input of f that sets the field name.
func (d *diffRun) predicate(f *filterable, name string) map[string]any {
	return map[string]any{name: d.predicateValue(f, name)}
}

// leaf returns a random predicate of f on one field.
func (d *diffRun) leaf(f *filterable) map[string]any {
	return d.predicate(f, pick(d.rng, leafFields(f)))
}

// predicateValue draws a value for the where-input field name of f.
func (d *diffRun) predicateValue(f *filterable, name string) any {
	r := d.rng
	switch name {
	case "and", "or":
		return []any{d.leaf(f), d.leaf(f)}
	case "not":
		return d.leaf(f)
	}
	if edge := edgeName(f.object, name); edge != "" {
		if !strings.HasSuffix(name, "With") {
			return r.IntN(2) == 0
		}
		target := schemaCatalog().byInput[f.where.Fields.ForName(name).Type.Name()]
		with := []any{d.leaf(target)}
		if r.IntN(3) == 0 {
			with = append(with, d.leaf(target))
		}
		return with
	}
	field, op := splitPredicate(f.object, name)
	switch op {
	case "IsNil", "NotNil":
		return true
	case "In", "NotIn":
		var list []any
		for n := 1 + r.IntN(3); n > 0; n-- {
			list = append(list, d.fieldValue(f, field, valueType(f, name)))
		}
		return list
	}
	v := d.fieldValue(f, field, valueType(f, name))
	s, ok := v.(string)
	if !ok || s == "" {
		return v
	}
	switch op {
	case "Contains", "ContainsFold":
		i := r.IntN(len(s))
		s = s[i : i+1+r.IntN(len(s)-i)]
	case "HasPrefix":
		s = s[:1+r.IntN(len(s))]
	case "HasSuffix":
		s = s[r.IntN(len(s)):]
	}
	if op == "EqualFold" || op == "ContainsFold" {
		s = strings.ToUpper(s)
	}
	return s
}

// fieldValue draws a value of type t for field of f: mostly one that some
// object of the world holds (visible to the caller or not), else one of the
// type; for an ID field that the type does not show, any ID of the world.
func (d *diffRun) fieldValue(f *filterable, field string, t *ast.Definition) any {
	r := d.rng
	var held []any
	for _, id := range d.truth.ids[f.typ] {
		if v := d.truth.objects[f.typ][id][field]; v != nil {
			held = append(held, v)
		}
	}
	if f.object.Fields.ForName(field) == nil && t.Name == "ID" {
		for _, typ := range slices.Sorted(maps.Keys(d.truth.ids)) {
			for _, id := range d.truth.ids[typ] {
				held = append(held, id)
			}
		}
	}
	if len(held) > 0 && r.IntN(5) != 0 {
		return pick(r, held)
	}
	switch {
	case t.Kind == ast.Enum:
		return pick(r, t.EnumValues).Name
	case t.Name == "Boolean":
		return r.IntN(2) == 0
	case t.Name == "Int" || t.Name == "Float":
		return r.IntN(20)
	case t.Name == "Time":
		return baseTime.Add(time.Duration(r.IntN(600)) * time.Minute).Format(time.RFC3339)
	case t.Name == "Date":
		return baseTime.AddDate(0, 0, r.IntN(60)-30).Format(time.DateOnly)
	case t.Name == "ID":
		return d.missingID(pick(r, slices.Sorted(maps.Keys(typeNames))))
	}
	return pick(r, words)
}

// ---------------------------------------------------------------------------
// The oracle's evaluation.

// tri is SQL's three-valued logic.
type tri int8

const (
	triFalse tri = iota
	triUnknown
	triTrue
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (a tri) and(b tri) tri { return min(a, b) }
func (a tri) or(b tri) tri  { return max(a, b) }
func (a tri) not() tri      { return triTrue - a }

// evaluator evaluates predicates as one caller sees the world.
type evaluator struct {
	c       *catalog
	tr      *truth
	visible map[string]bool // ID -> the caller may see it
}

// matches evaluates the where-input p on the object obj of f.
func (e *evaluator) matches(f *filterable, obj map[string]any, p map[string]any) tri {
	out := triTrue
	for name, v := range p {
		out = out.and(e.field(f, obj, name, v))
	}
	return out
}

func (e *evaluator) field(f *filterable, obj map[string]any, name string, v any) tri {
	switch name {
	case "not":
		return e.matches(f, obj, v.(map[string]any)).not()
	case "and", "or":
		out := triOf(name == "and")
		for _, p := range v.([]any) {
			m := e.matches(f, obj, p.(map[string]any))
			if name == "and" {
				out = out.and(m)
			} else {
				out = out.or(m)
			}
		}
		return out
	}
	if edge := edgeName(f.object, name); edge != "" {
		var targets []string
		ids, _ := obj[edge].([]string) // nil for an edge the type does not show
		for _, id := range ids {
			if e.visible[id] {
				targets = append(targets, id)
			}
		}
		if !strings.HasSuffix(name, "With") {
			return triOf((len(targets) > 0) == v.(bool))
		}
		target := e.c.byInput[f.where.Fields.ForName(name).Type.Name()]
		for _, id := range targets {
			all := triTrue
			for _, p := range v.([]any) {
				all = all.and(e.matches(target, e.tr.objects[target.typ][id], p.(map[string]any)))
			}
			if all == triTrue {
				return triTrue
			}
		}
		return triFalse
	}
	field, op := splitPredicate(f.object, name)
	x := obj[field]
	kind := valueType(f, name).Name
	switch op {
	case "IsNil":
		return triOf(x == nil)
	case "NotNil":
		return triOf(x != nil)
	}
	if x == nil {
		return triUnknown
	}
	switch op {
	case "":
		return triOf(compare(kind, x, v) == 0)
	case "NEQ":
		return triOf(compare(kind, x, v) != 0)
	case "In", "NotIn":
		in := slices.ContainsFunc(v.([]any), func(w any) bool { return compare(kind, x, w) == 0 })
		return triOf(in == (op == "In"))
	case "GT":
		return triOf(compare(kind, x, v) > 0)
	case "GTE":
		return triOf(compare(kind, x, v) >= 0)
	case "LT":
		return triOf(compare(kind, x, v) < 0)
	case "LTE":
		return triOf(compare(kind, x, v) <= 0)
	}
	s, w := x.(string), v.(string)
	switch op {
	case "Contains":
		return triOf(strings.Contains(s, w))
	case "HasPrefix":
		return triOf(strings.HasPrefix(s, w))
	case "HasSuffix":
		return triOf(strings.HasSuffix(s, w))
	case "EqualFold":
		return triOf(strings.ToLower(s) == strings.ToLower(w))
	case "ContainsFold":
		return triOf(strings.Contains(strings.ToLower(s), strings.ToLower(w)))
	}
	panic("unknown operator of where-input field " + name)
}

// compare orders two values of a GraphQL type as the database does: times
// by instant, numbers by value, text byte by byte (the test databases use
// the C collation), and so dates (YYYY-MM-DD) by day.
func compare(kind string, x, y any) int {
	switch kind {
	case "Time":
		a, errA := time.Parse(time.RFC3339Nano, x.(string))
		b, errB := time.Parse(time.RFC3339Nano, y.(string))
		if errA != nil || errB != nil {
			panic(fmt.Sprintf("times %v, %v: %v %v", x, y, errA, errB))
		}
		return a.Compare(b)
	case "Int", "Float":
		return cmpNumber(toFloat(x), toFloat(y))
	case "Boolean":
		return cmpNumber(boolNumber(x.(bool)), boolNumber(y.(bool)))
	}
	return strings.Compare(x.(string), y.(string))
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	panic(fmt.Sprintf("not a number: %v", v))
}

func boolNumber(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func cmpNumber(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ---------------------------------------------------------------------------
// The check.

// checkPredicates reads, as tok, a root connection with each where-input
// field of every root connection, each with a random value, and with each
// order field in both directions (or its share of them: d.part); and
// compares each connection with the oracle.
func (d *diffRun) checkPredicates(tok *oToken) {
	c := schemaCatalog()
	ev := &evaluator{c: c, tr: d.truth, visible: map[string]bool{}}
	for _, kind := range d.items(tok) {
		for _, it := range kind {
			ev.visible[it.id] = it.visible
		}
	}
	var checks []predicateCheck
	for _, f := range c.list {
		for _, fd := range f.where.Fields {
			checks = append(checks, predicateCheck{f: f, label: "filter " + f.where.Name + "." + fd.Name, where: d.predicate(f, fd.Name)})
		}
		for _, field := range f.order {
			for _, dir := range []string{"ASC", "DESC"} {
				checks = append(checks, predicateCheck{f: f, label: "order " + f.root + " by " + field, order: []string{field + " " + dir}})
			}
		}
		// Orderings by several keys, drawn for the world.
		for range min(2, len(f.order)-1) {
			var terms []string
			for _, i := range d.rng.Perm(len(f.order))[:2+d.rng.IntN(min(2, len(f.order)-1))] {
				terms = append(terms, f.order[i]+" "+[]string{"ASC", "DESC"}[d.rng.IntN(2)])
			}
			checks = append(checks, predicateCheck{f: f, label: "order " + f.root + " by several keys", order: terms})
		}
	}
	// The world's share of the checks, and of those, this battery's.
	share, offset := max(1, *filterShare), 0
	if d.parts > 0 {
		offset, share = int(d.seed)%share+share*d.part, share*d.parts
	}
	var mine []predicateCheck
	for i := offset % share; i < len(checks); i += share {
		mine = append(mine, checks[i])
	}
	checks = mine
	d.stats["filter and order checks"] += len(checks)
	// The parser's token limit bounds a request: send the checks in parts.
	const perRequest = 60
	for chunk := range slices.Chunk(checks, perRequest) {
		d.runPredicateChecks(tok, ev, chunk)
	}
	// One ordering walked in pages, forwards and backwards.
	for _, i := range d.rng.Perm(len(checks)) {
		if ch := checks[i]; ch.where == nil && len(ch.order) > 1 {
			d.checkOrderedWalk(tok, ev, ch)
			break
		}
	}
}

// predicateCheck is one connection read with a filter or an ordering.
type predicateCheck struct {
	f     *filterable
	label string
	where map[string]any // nil for an ordering
	order []string       // the order fields and directions ("TITLE ASC"), for an ordering
}

// orderBy writes an ordering's terms as an orderBy argument.
func orderBy(terms []string) string {
	var list []string
	for _, term := range terms {
		field, dir, _ := strings.Cut(term, " ")
		list = append(list, fmt.Sprintf("{field: %s, direction: %s}", field, dir))
	}
	return "[" + strings.Join(list, ", ") + "]"
}

// runPredicateChecks runs checks as tok in one request, and compares each
// connection with the oracle.
func (d *diffRun) runPredicateChecks(tok *oToken, ev *evaluator, checks []predicateCheck) {
	var params, fields []string
	vars := map[string]any{}
	for i, ch := range checks {
		alias := fmt.Sprintf("c%d", i)
		if ch.where != nil {
			params = append(params, fmt.Sprintf("$%s: %s", alias, ch.f.where.Name))
			vars[alias] = ch.where
			fields = append(fields, fmt.Sprintf("%s: %s(first: 100, where: $%s) { totalCount edges { node { id } } }", alias, ch.f.root, alias))
		} else {
			fields = append(fields, fmt.Sprintf("%s: %s(first: 100, orderBy: %s) { edges { node { id } } }", alias, ch.f.root, orderBy(ch.order)))
		}
	}
	query := "{\n" + strings.Join(fields, "\n") + "\n}"
	if len(params) > 0 {
		query = "query(" + strings.Join(params, ", ") + ") " + query
	}
	resp, ok := d.read(tok, "filters and orderings", query, vars)
	if !ok {
		return
	}
	var out map[string]rootConn
	if !d.decode(tok, "filters and orderings", query, resp.Data, &out) {
		return
	}
	for i, ch := range checks {
		alias := fmt.Sprintf("c%d", i)
		var want []map[string]any
		for _, id := range d.truth.ids[ch.f.typ] {
			if ev.visible[id] && (ch.where == nil || ev.matches(ch.f, d.truth.objects[ch.f.typ][id], ch.where) == triTrue) {
				want = append(want, idNode(id))
			}
		}
		got := connLines(ch.f.root, out[alias])
		got = append(got, errorLinesAt(resp, alias)...)
		if ch.where == nil {
			// An ordering has no totalCount; what matters is its order.
			if !d.compare(tok, ch.label, orderBy(ch.order), expectedConn(ch.f.root, want)[1:], got[1:]) {
				d.checkOrder(tok, ch, ev, connIDs(out[alias]))
			}
			continue
		}
		b, _ := json.Marshal(ch.where)
		d.compare(tok, ch.label, fmt.Sprintf("%s(where: %s)", ch.f.root, b), expectedConn(ch.f.root, want), got)
	}
}

// ordered is the IDs the caller sees of ch's connection in ch's order:
// by each key, nulls greater than any value (after every value in ascending
// order, before them in descending order), then by ID ascending.
func (d *diffRun) ordered(ch predicateCheck, ev *evaluator) []string {
	var ids []string
	for _, id := range d.truth.ids[ch.f.typ] {
		if ev.visible[id] {
			ids = append(ids, id)
		}
	}
	objects := d.truth.objects[ch.f.typ]
	slices.SortFunc(ids, func(a, b string) int { return compareByTerms(ch.f, ch.order, objects[a], objects[b]) })
	return ids
}

// compareByTerms orders two objects of f's type as an ordering by terms
// ("TITLE ASC") does: by each key, nulls greater than any value (after
// every value in ascending order, before them in descending order), then
// by ID ascending.
func compareByTerms(f *filterable, terms []string, a, b map[string]any) int {
	for _, term := range terms {
		value, dir, _ := strings.Cut(term, " ")
		field := orderFieldName(value)
		x, y := a[field], b[field]
		var c int
		switch {
		case x == nil && y == nil:
		case x == nil:
			c = 1
		case y == nil:
			c = -1
		default:
			c = compare(f.object.Fields.ForName(field).Type.Name(), x, y)
		}
		if dir == "DESC" {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a["id"].(string), b["id"].(string))
}

func connIDs(c rootConn) []string {
	var ids []string
	for _, e := range c.Edges {
		id, _ := e.Node["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// checkOrder records a mismatch when the IDs of an ordered connection are
// not in the order the oracle computes, naming the first place they part.
func (d *diffRun) checkOrder(tok *oToken, ch predicateCheck, ev *evaluator, got []string) {
	want := d.ordered(ch, ev)
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			d.record(mismatch{tok: tok, label: ch.label, query: orderBy(ch.order),
				missing:    []string{fmt.Sprintf("%s at position %d (%s)", want[i], i, d.orderValues(ch, want[i]))},
				unexpected: []string{fmt.Sprintf("%s at position %d (%s)", got[i], i, d.orderValues(ch, got[i]))}})
			return
		}
	}
}

// orderValues describes an object's values of ch's order keys.
func (d *diffRun) orderValues(ch predicateCheck, id string) string {
	var parts []string
	for _, term := range ch.order {
		value, _, _ := strings.Cut(term, " ")
		field := orderFieldName(value)
		parts = append(parts, fmt.Sprintf("%s=%v", field, d.truth.objects[ch.f.typ][id][field]))
	}
	return strings.Join(parts, ", ")
}

// checkOrderedWalk reads ch's connection as tok in pages of about a
// quarter of it, forwards (first, after) and backwards (last, before),
// and compares each walk with the order the oracle computes: cursors of
// several keys must lose no row and repeat none.
func (d *diffRun) checkOrderedWalk(tok *oToken, ev *evaluator, ch predicateCheck) {
	want := d.ordered(ch, ev)
	size := max(1, (len(want)+3)/4)
	d.stats["ordered walks"]++
	query := fmt.Sprintf(`query($first: Int, $after: Cursor, $last: Int, $before: Cursor) {
		c: %s(first: $first, after: $after, last: $last, before: $before, orderBy: %s) {
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } }`, ch.f.root, orderBy(ch.order))
	for _, backwards := range []bool{false, true} {
		label := ch.label + " walked forwards"
		if backwards {
			label = ch.label + " walked backwards"
		}
		var got []string
		var cursor any
		for pages := 0; pages <= len(want)+1; pages++ {
			vars := map[string]any{"first": size, "after": cursor}
			if backwards {
				vars = map[string]any{"last": size, "before": cursor}
			}
			resp, ok := d.read(tok, label, query, vars)
			if !ok {
				return
			}
			var out struct {
				C struct {
					PageInfo struct {
						HasNextPage, HasPreviousPage bool
						StartCursor, EndCursor       *string
					}
					rootConn
				}
			}
			if !d.decode(tok, label, query, resp.Data, &out) {
				return
			}
			page := connIDs(out.C.rootConn)
			more, next := out.C.PageInfo.HasNextPage, out.C.PageInfo.EndCursor
			if backwards {
				got = append(page, got...)
				more, next = out.C.PageInfo.HasPreviousPage, out.C.PageInfo.StartCursor
			} else {
				got = append(got, page...)
			}
			if !more || next == nil {
				break
			}
			cursor = *next
		}
		if !slices.Equal(got, want) {
			d.record(mismatch{tok: tok, label: label, query: orderBy(ch.order), missing: want, unexpected: got})
		}
	}
}
