package api_test

// TestDifferential compares the real API, token by token, with the oracle of
// oracle_test.go on random worlds.
//
// Decisions that complete PRODUCT.md section 2 (the oracle follows them):
//   - Effective role of user u on project p: none if u is inactive; MANAGER
//     if u is ADMIN; else the max of u's ProjectMembership role on p, u's
//     TeamMembership role in p's team, and VIEWER when p has no team or its
//     team is not restricted.
//   - A token's role on p is its owner's, except none when the token has a
//     non-empty allowed-project list without p. Revoked and expired tokens,
//     and tokens of inactive owners or of STAFF without apiAccess, get 401
//     UNAUTHENTICATED on every request.
//   - Project, Map, ProjectMembership: role >= VIEWER. Survey, Question:
//     role >= VIEWER, and DRAFT surveys (with their questions, responses and
//     answers) only from EDITOR. Response, Answer: when their survey is
//     visible. Pin: role >= VIEWER and (PUBLISHED or role >= MODERATOR).
//     Comment: its pin is visible and (PUBLISHED or role >= MODERATOR).
//   - Personal data (respondentName/Email, authorEmail) only from MANAGER;
//     User.email only to the user themself and to ADMIN.
//   - Team: ADMIN, members, or everyone when not restricted; TeamMembership
//     follows its team. User: self, ADMIN all, else users who share a team
//     (both members) or a project (both with a membership role on it; the
//     VIEWER access of an open team does not count).
//   - A project-limited ADMIN token is MANAGER on its projects only and
//     nothing elsewhere, but sees users, teams, team memberships, tokens and
//     audit events as an ADMIN; it cannot write users, teams or memberships.
//   - APIToken: its owner, and ADMIN. AuditEvent: ADMIN, and the owner of
//     the event's token.
//   - Mutations: a read-only token gets FORBIDDEN for every one. A hidden or
//     missing target or parent: NOT_FOUND. A visible one the caller may not
//     write: FORBIDDEN. Project data needs EDITOR (moderation: MODERATOR);
//     teams and memberships need an unrestricted ADMIN token. New pins start
//     PUBLISHED or PENDING from the project's moderation setting.
//   - Filters through edges to objects that may be hidden do not exist
//     (projects.hasSurveysWith is a validation error).
//
// Worlds do not interfere: one harness database serves every world, and
// everything is deleted (with the system context, in foreign-key order, in
// the transaction that then inserts the next world). The oracle never trusts
// its own bookkeeping: it reads the world back from the database with the
// system context before the reads, and again after each mutation, which it
// compares row by row with the state before (a refused mutation must change
// nothing; an allowed one exactly its object).
//
// Each world runs, as every live token: the root connections with
// totalCount and personal data, a nested projects > surveys > responses >
// answers and maps > pins > comments query, four edge filters, node(id) on
// a sample of visible and hidden objects of every kind next to missing IDs,
// and nodes(ids) against the same list with hidden IDs swapped for missing
// ones; then 401 checks for every dead token; then two random mutations per
// live token against random (visible, hidden or missing) targets.
//
// Run more worlds with -worlds=5000; rerun one with -seed N -worlds 1; see
// every mismatch with -report-all.
//
// This file runs the worlds and reports; differential_world_test.go makes
// them, oracle_test.go judges them, differential_reads_test.go,
// differential_nodes_test.go, predicates_test.go and
// differential_mutations_test.go check them.

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"engage/config"
	"engage/gid"
	"engage/internal/apitest"
)

var (
	worlds    = flag.Int("worlds", 200, "how many random worlds TestDifferential checks")
	worldSeed = flag.Uint64("seed", 1, "seed of TestDifferential's first world; world i has seed+i")
	reportAll = flag.Bool("report-all", false, "print every mismatch of every world TestDifferential checks")
	// By default each world runs one in filterShare of the filter and order
	// checks (predicates_test.go), rotating with the seed, so that any
	// filterShare worlds in a row run every check; each check runs as one of
	// the world's live tokens in turn.
	filterShare             = flag.Int("filter-share", 4, "each world runs one in this many of the filter and order checks")
	everyFilterAsEveryToken = flag.Bool("every-filter-as-every-token", false, "run each world's filter and order checks as each of its live tokens")
)

// Limits of what is reported, so that a broken rule gives a readable failure.
const (
	reportWorlds     = 5  // worlds whose mismatches are printed in full
	reportMismatches = 4  // mismatches printed per world
	reportLines      = 12 // lines printed per side of a mismatch
)

// TestDifferential runs the battery on -worlds random worlds from -seed, after
// checking that the comparison is not vacuous.
func TestDifferential(t *testing.T) {
	start := time.Now()
	// The nested query asks for first: 100 at every level; its estimated
	// cost is far above the default limit, which is not under test here.
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.MaxComplexity = 1 << 40 }})
	// The API resolves root fields concurrently; keep the connections it
	// opens, rather than opening a new SQLite connection for most queries.
	h.DB.SQL.SetMaxIdleConns(64)
	selfCheck(t, h)

	failing := map[string][]uint64{} // mismatch label -> seeds
	failed := 0
	stats := map[string]int{}
	for i := 0; i < *worlds; i++ {
		seed := *worldSeed + uint64(i)
		d := newDiffRun(t, h, seed)
		d.run(i == 0)
		for k, n := range d.stats {
			stats[k] += n
		}
		if len(d.found) == 0 {
			continue
		}
		failed++
		labels := map[string]bool{}
		for _, m := range d.found {
			labels[m.label] = true
		}
		for l := range labels {
			failing[l] = append(failing[l], seed)
		}
		if failed <= reportWorlds || *reportAll {
			t.Errorf("seed %d: %d mismatches (rerun: go test -run TestDifferential ./api -seed %d -worlds 1)\n%s",
				seed, len(d.found), seed, d.report())
		}
	}
	if failed > 0 {
		var sum []string
		for l, seeds := range failing {
			sum = append(sum, fmt.Sprintf("  %-40s in %d worlds, first seeds %v", l, len(seeds), seeds[:min(5, len(seeds))]))
		}
		sort.Strings(sum)
		t.Errorf("%d of %d worlds disagree with the oracle; by kind of check:\n%s", failed, *worlds, strings.Join(sum, "\n"))
	}
	var checked []string
	for _, k := range slices.Sorted(maps.Keys(stats)) {
		checked = append(checked, fmt.Sprintf("%s %d", k, stats[k]))
	}
	t.Logf("%d worlds from seed %d on %s in %s; checked: %s", *worlds, *worldSeed, h.DB.Dialect,
		time.Since(start).Round(time.Millisecond), strings.Join(checked, ", "))
}

// selfCheck is a test of the test: with one decision of the oracle flipped
// (DRAFT surveys visible to VIEWERs), the comparison must report the
// difference on a world where it matters, so the test cannot pass vacuously.
func selfCheck(t *testing.T, h *apitest.Server) {
	for seed := *worldSeed; seed < *worldSeed+1000; seed++ {
		d := newDiffRun(t, h, seed)
		d.build()
		var draft *oSurvey
		var tok *oToken
		for _, s := range d.o.w.Surveys {
			for _, k := range d.o.w.Tokens {
				if r := d.o.role(k, s.ProjectID); s.Status == "DRAFT" && d.o.live(k) && (r == rViewer || r == rModerator) {
					draft, tok = s, k
				}
			}
		}
		if draft == nil {
			continue
		}
		d.o.draftsVisibleToViewers = true
		d.checkReads(tok)
		for _, m := range d.found {
			for _, l := range m.missing {
				if strings.Contains(l, draft.ID) {
					t.Logf("self-check (seed %d): with DRAFT surveys wrongly visible to viewers, %q reports draft survey %s as missing for %s",
						seed, m.label, draft.ID, tok.ID)
					return // the flipped decision was noticed
				}
			}
		}
		t.Fatalf("self-check (seed %d): with DRAFT surveys wrongly visible to viewers, the comparison did not miss draft survey %s for %s\nmismatches: %s",
			seed, draft.ID, d.o.describe(tok), d.report())
	}
	t.Fatal("self-check: no world with a DRAFT survey and a live VIEWER or MODERATOR token")
}

// diffRun is one world: its generator, its oracle and what disagreed.
type diffRun struct {
	t       testing.TB
	h       *apitest.Server
	seed    uint64
	rng     *rand.Rand
	secrets map[string]string // token ID -> secret
	rank    map[string]int    // creation order of the IDs the test created
	o       *oracle
	found   []mismatch
	serial  int
	stats   map[string]int // what was checked, to show the test is not vacuous
	readAs  *oToken        // the token of a read battery run by checkAllReads
	// observer is the secret of an unrestricted administrator's token that
	// every world has, to read the world whole through the API (truth).
	observer string
	truth    *truth
	// part of parts: the share of the filter checks (predicates_test.go)
	// that this read battery runs; parts is 0 for all of them.
	part, parts int
}

// mismatch is one disagreement between the API and the oracle: lines the
// oracle expected that the API did not give (missing), and the reverse.
type mismatch struct {
	tok                 *oToken // nil when not about one token
	label, query        string
	as                  string // the token and its roles, when the mismatch was found
	why                 string // the oracle's reasons, when useful
	missing, unexpected []string
}

// record notes a mismatch, described as the world is now: later mutations
// may change roles.
func (d *diffRun) record(m mismatch) {
	if m.tok != nil {
		m.as = d.o.describe(m.tok)
		for _, lines := range [][]string{m.missing, m.unexpected} {
			for i, l := range lines {
				lines[i] = l + d.annotate(m.tok, l)
			}
		}
	}
	d.found = append(d.found, m)
}

func newDiffRun(t testing.TB, h *apitest.Server, seed uint64) *diffRun {
	return &diffRun{
		t: t, h: h, seed: seed, rng: rand.New(rand.NewPCG(seed, seed)),
		secrets: map[string]string{}, rank: map[string]int{}, stats: map[string]int{},
	}
}

// run generates the world and checks reads, 401s and mutations. The schema
// check runs once, in the first world.
func (d *diffRun) run(schemaCheck bool) {
	d.build()
	if schemaCheck {
		d.checkHiddenEdgeFilterIsGone()
	}
	d.checkAllReads()
	d.check401()
	d.reload() // refused uses of revoked and expired tokens may add audit events
	d.checkMutations()
}

func (d *diffRun) report() string {
	var b strings.Builder
	for i, m := range d.found {
		if i == reportMismatches && !*reportAll {
			fmt.Fprintf(&b, "... and %d more mismatches\n", len(d.found)-i)
			break
		}
		fmt.Fprintf(&b, "--- %s\n", m.label)
		if m.as != "" {
			fmt.Fprintf(&b, "  as %s\n", m.as)
		}
		if m.why != "" {
			fmt.Fprintf(&b, "  oracle: %s\n", m.why)
		}
		if m.query != "" {
			q := strings.Join(strings.Fields(m.query), " ")
			if len(q) > 600 {
				q = q[:600] + " ..."
			}
			fmt.Fprintf(&b, "  query: %s\n", q)
		}
		for _, side := range []struct {
			name  string
			lines []string
		}{{"expected by the oracle, not returned by the API", m.missing}, {"returned by the API, not expected by the oracle", m.unexpected}} {
			if len(side.lines) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n", side.name)
			for j, l := range side.lines {
				if j == reportLines {
					fmt.Fprintf(&b, "      ... and %d more\n", len(side.lines)-j)
					break
				}
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
	}
	return b.String()
}

var idPattern = regexp.MustCompile(`\b(svy|qst|rsp|ans|map|pin|cmt|pmm|prj)_[0-9A-Za-z]{22}\b`)

// annotate explains the first project object named in a report line: its
// project, status and the token's role there.
func (d *diffRun) annotate(tok *oToken, line string) string {
	if tok == nil {
		return ""
	}
	w := d.o.w
	for _, id := range idPattern.FindAllString(line, -1) {
		var pid, what string
		switch prefixOf(id) {
		case gid.Project:
			if p := w.project[id]; p != nil {
				pid, what = id, "status "+p.Status
			}
		case gid.Survey:
			if s := w.survey[id]; s != nil {
				pid, what = s.ProjectID, "survey "+s.Status
			}
		case gid.Response:
			if r := w.response[id]; r != nil {
				pid, what = w.survey[r.SurveyID].ProjectID, "survey "+w.survey[r.SurveyID].Status
			}
		case gid.Pin:
			if p := w.pin[id]; p != nil {
				pid, what = d.o.pinProject(p), "pin "+p.Status
			}
		case gid.Comment:
			for _, c := range w.Comments {
				if c.ID == id {
					p := w.pin[c.PinID]
					pid, what = d.o.pinProject(p), fmt.Sprintf("comment %s on pin %s", c.Status, p.Status)
				}
			}
		case gid.Map:
			if m := w.mapByID[id]; m != nil {
				pid, what = m.ProjectID, "map"
			}
		}
		if pid != "" {
			return fmt.Sprintf("   <- %s; in %s, token role %s", what, pid, roleNames[d.o.role(tok, pid)])
		}
	}
	return ""
}

// compare records a mismatch when the multisets of lines differ.
func (d *diffRun) compare(tok *oToken, label, query string, want, got []string) bool {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var missing, unexpected []string
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			unexpected = append(unexpected, l)
		}
	}
	if len(missing)+len(unexpected) == 0 {
		return false
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	d.record(mismatch{tok: tok, label: label, query: query, missing: missing, unexpected: unexpected})
	return true
}
