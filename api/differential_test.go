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

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"engage/config"
	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/gid"
	"engage/internal/apitest"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
	"engage/token"
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

// ---------------------------------------------------------------------------
// World generator and loader.

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}

// baseTime is the earliest submittedAt of a generated response.
var baseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (d *diffRun) noteIDs(ids ...string) {
	for _, id := range ids {
		if _, ok := d.rank[id]; !ok {
			d.rank[id] = len(d.rank)
		}
	}
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func randomRole(r *rand.Rand) role.Role { return pick(r, role.All) }

// build replaces the previous world with a new one, in one transaction (far
// quicker on PostgreSQL than a commit per statement), and loads it.
func (d *diffRun) build() {
	ctx := testdb.System()
	tx, err := d.h.DB.Ent.Tx(ctx)
	if err != nil {
		d.t.Fatalf("opening a transaction: %v", err)
	}
	d.reset(tx.Client())
	d.generate(tx.Client())
	d.addObserver(tx.Client())
	if err := tx.Commit(); err != nil {
		d.t.Fatalf("committing world %d: %v", d.seed, err)
	}
	d.reload()
	d.readTruth()
}

// addObserver adds an active administrator with a token, who reads the
// world whole for the filter checks (predicates_test.go). It draws nothing
// from the world's random source.
func (d *diffRun) addObserver(c *ent.Client) {
	ctx := testdb.System()
	u := c.User.Create().SetEmail(fmt.Sprintf("observer.s%d@example.test", d.seed)).SetName("Observer").
		SetRole(user.RoleADMIN).SetAPIAccess(true).SaveX(ctx)
	tok, secret, err := token.Mint(ctx, c, token.Spec{OwnerID: u.ID, Name: "observer"}, token.Actor{})
	if err != nil {
		d.t.Fatalf("minting the observer's token: %v", err)
	}
	d.noteIDs(u.ID, tok.ID)
	d.secrets[tok.ID] = secret
	d.observer = secret
}

// reset deletes every row, children first.
func (d *diffRun) reset(c *ent.Client) {
	ctx := testdb.System()
	c.Comment.Delete().ExecX(ctx)
	c.Pin.Delete().ExecX(ctx)
	c.ProjectMap.Delete().ExecX(ctx)
	c.Answer.Delete().ExecX(ctx)
	c.Response.Delete().ExecX(ctx)
	c.Question.Delete().ExecX(ctx)
	c.Survey.Delete().ExecX(ctx)
	c.ProjectMembership.Delete().ExecX(ctx)
	c.TeamMembership.Delete().ExecX(ctx)
	c.AuditEvent.Delete().ExecX(ctx)
	c.APIToken.Delete().ExecX(ctx) // allowed projects cascade
	c.Project.Delete().ExecX(ctx)
	c.Team.Delete().ExecX(ctx)
	c.User.Delete().ExecX(ctx)
}

// generate inserts a random world, reproducible from the seed (but for the
// random IDs), with the system context.
func (d *diffRun) generate(c *ent.Client) {
	ctx, r := testdb.System(), d.rng

	var userIDs []string
	{
		n := 4 + r.IntN(5)
		bs := make([]*ent.UserCreate, n)
		for i := range bs {
			rl := user.RoleSTAFF
			if r.IntN(4) == 0 {
				rl = user.RoleADMIN
			}
			bs[i] = c.User.Create().SetEmail(fmt.Sprintf("u%d.s%d@example.test", i, d.seed)).SetName(fmt.Sprintf("User %d", i)).
				SetRole(rl).SetAPIAccess(r.IntN(10) < 7).SetActive(r.IntN(8) != 0)
		}
		for _, u := range c.User.CreateBulk(bs...).SaveX(ctx) {
			userIDs = append(userIDs, u.ID)
		}
	}
	d.noteIDs(userIDs...)

	var teamIDs []string
	{
		bs := make([]*ent.TeamCreate, 2+r.IntN(2))
		for i := range bs {
			bs[i] = c.Team.Create().SetName(fmt.Sprintf("Team %d", i)).SetRestricted(r.IntN(2) == 0)
		}
		for _, x := range c.Team.CreateBulk(bs...).SaveX(ctx) {
			teamIDs = append(teamIDs, x.ID)
		}
	}
	d.noteIDs(teamIDs...)

	{
		var bs []*ent.TeamMembershipCreate
		for _, tm := range teamIDs {
			for _, u := range userIDs {
				if r.IntN(100) < 35 {
					bs = append(bs, c.TeamMembership.Create().SetTeamID(tm).SetUserID(u).SetRole(randomRole(r)))
				}
			}
		}
		for _, x := range c.TeamMembership.CreateBulk(bs...).SaveX(ctx) {
			d.noteIDs(x.ID)
		}
	}

	var projectIDs []string
	{
		bs := make([]*ent.ProjectCreate, 3+r.IntN(4))
		for i := range bs {
			b := c.Project.Create().SetTitle(fmt.Sprintf("Project %d", i)).SetSlug(fmt.Sprintf("p%d-s%d", i, d.seed)).
				SetStatus(project.Status(pick(r, []string{"DRAFT", "PUBLISHED", "ARCHIVED"}))).
				SetModeration(project.Moderation(pick(r, []string{"PUBLISH_IMMEDIATELY", "REQUIRES_APPROVAL"})))
			if r.IntN(3) != 0 {
				b.SetTeamID(pick(r, teamIDs))
			}
			bs[i] = b
		}
		for _, x := range c.Project.CreateBulk(bs...).SaveX(ctx) {
			projectIDs = append(projectIDs, x.ID)
		}
	}
	d.noteIDs(projectIDs...)

	{
		var bs []*ent.ProjectMembershipCreate
		for _, p := range projectIDs {
			for _, u := range userIDs {
				if r.IntN(100) < 25 {
					bs = append(bs, c.ProjectMembership.Create().SetProjectID(p).SetUserID(u).SetRole(randomRole(r)))
				}
			}
		}
		for _, x := range c.ProjectMembership.CreateBulk(bs...).SaveX(ctx) {
			d.noteIDs(x.ID)
		}
	}

	// Surveys, then their questions and responses, then answers.
	type surveyPlan struct{ questions, responses int }
	var surveyBs []*ent.SurveyCreate
	var plans []surveyPlan
	for i, p := range projectIDs {
		for j := r.IntN(3); j > 0; j-- {
			surveyBs = append(surveyBs, c.Survey.Create().SetProjectID(p).SetTitle(fmt.Sprintf("Survey %d.%d", i, j)).
				SetStatus(survey.Status(pick(r, []string{"DRAFT", "OPEN", "CLOSED"}))))
			plans = append(plans, surveyPlan{1 + r.IntN(2), r.IntN(4)})
		}
	}
	surveys := c.Survey.CreateBulk(surveyBs...).SaveX(ctx)
	var questionBs []*ent.QuestionCreate
	var responseBs []*ent.ResponseCreate
	for i, s := range surveys {
		d.noteIDs(s.ID)
		for q := 0; q < plans[i].questions; q++ {
			questionBs = append(questionBs, c.Question.Create().SetSurveyID(s.ID).SetPosition(q).
				SetKind(question.KindSHORT_TEXT).SetPrompt(fmt.Sprintf("Question %d?", q)))
		}
		for k := 0; k < plans[i].responses; k++ {
			n := len(responseBs)
			responseBs = append(responseBs, c.Response.Create().SetSurveyID(s.ID).
				SetSubmittedAt(baseTime.Add(time.Duration(r.IntN(600))*time.Minute)).
				SetRespondentName(fmt.Sprintf("Respondent %d", n)).
				SetRespondentEmail(fmt.Sprintf("r%d.s%d@example.test", n, d.seed)))
		}
	}
	questions := c.Question.CreateBulk(questionBs...).SaveX(ctx)
	responses := c.Response.CreateBulk(responseBs...).SaveX(ctx)
	var answerBs []*ent.AnswerCreate
	for _, q := range questions {
		d.noteIDs(q.ID)
	}
	for _, resp := range responses {
		d.noteIDs(resp.ID)
		for _, q := range questions {
			if q.SurveyID == resp.SurveyID && r.IntN(4) != 0 {
				answerBs = append(answerBs, c.Answer.Create().SetResponseID(resp.ID).SetQuestionID(q.ID).
					SetValue(pick(r, words)+" "+pick(r, words)))
			}
		}
	}
	for _, a := range c.Answer.CreateBulk(answerBs...).SaveX(ctx) {
		d.noteIDs(a.ID)
	}

	// Maps, pins and comments.
	statuses := []string{"PENDING", "PUBLISHED", "REJECTED", "HIDDEN"}
	for i, p := range projectIDs {
		if r.IntN(10) < 4 {
			continue
		}
		m := c.ProjectMap.Create().SetProjectID(p).SetTitle(fmt.Sprintf("map %s %d", pick(r, words), i)).
			SetCenterLatitude(51.5).SetCenterLongitude(-0.1).SaveX(ctx)
		d.noteIDs(m.ID)
		var pinBs []*ent.PinCreate
		for k := r.IntN(4); k > 0; k-- {
			pinBs = append(pinBs, c.Pin.Create().SetMapID(m.ID).SetLatitude(51.5).SetLongitude(-0.1).
				SetBody("pin "+pick(r, words)).SetAuthorName("Author").
				SetAuthorEmail(fmt.Sprintf("pin%d.%d.s%d@example.test", i, k, d.seed)).
				SetStatus(moderation.Status(pick(r, statuses))))
		}
		var commentBs []*ent.CommentCreate
		for _, pin := range c.Pin.CreateBulk(pinBs...).SaveX(ctx) {
			d.noteIDs(pin.ID)
			for k := r.IntN(3); k > 0; k-- {
				commentBs = append(commentBs, c.Comment.Create().SetPinID(pin.ID).SetBody("comment").SetAuthorName("Replier").
					SetAuthorEmail(fmt.Sprintf("c%d.%s@example.test", k, strings.ToLower(pin.ID))).
					SetStatus(moderation.Status(pick(r, statuses))))
			}
		}
		for _, x := range c.Comment.CreateBulk(commentBs...).SaveX(ctx) {
			d.noteIDs(x.ID)
		}
	}

	// Tokens, with random restrictions. token.Mint refuses an expiry in the
	// past, so expired tokens are inserted as Mint would, with a past expiry.
	for _, u := range userIDs {
		for k := 1 + r.IntN(3); k > 0; k-- {
			spec := token.Spec{OwnerID: u, Name: fmt.Sprintf("token %d", k), ReadOnly: r.IntN(4) == 0}
			if r.IntN(10) < 3 {
				for _, p := range projectIDs {
					if r.IntN(2) == 0 {
						spec.ProjectIDs = append(spec.ProjectIDs, p)
					}
				}
				if len(spec.ProjectIDs) == 0 {
					spec.ProjectIDs = []string{pick(r, projectIDs)}
				}
			}
			expired := r.IntN(10) == 0
			if !expired && r.IntN(5) == 0 {
				later := time.Now().Add(24 * time.Hour)
				spec.ExpiresAt = &later
			}
			var id, secret string
			if expired {
				secret = token.Generate()
				tok := c.APIToken.Create().SetOwnerID(u).SetName(spec.Name).SetPrefix(token.Display(secret)).
					SetSecretHash(token.Hash(secret)).SetReadOnly(spec.ReadOnly).SetExpiresAt(time.Now().Add(-time.Hour)).
					AddAllowedProjectIDs(spec.ProjectIDs...).SaveX(ctx)
				if err := token.Audit(ctx, c, auditevent.ActionTOKEN_CREATED, token.Actor{}, tok.ID, map[string]any{"name": spec.Name}); err != nil {
					d.t.Fatalf("auditing an expired token: %v", err)
				}
				id = tok.ID
			} else {
				// What apitest.Server.Mint does, in the world's transaction.
				tok, sec, err := token.Mint(ctx, c, spec, token.Actor{})
				if err != nil {
					d.t.Fatalf("minting a token: %v", err)
				}
				id, secret = tok.ID, sec
			}
			d.secrets[id] = secret
			d.noteIDs(id)
			if !expired && r.IntN(10) == 0 {
				if _, err := token.Revoke(ctx, c, id, token.Actor{}); err != nil {
					d.t.Fatalf("revoking a token: %v", err)
				}
			}
		}
	}
}

// reload reads the world back with the system context into a fresh oracle.
func (d *diffRun) reload() {
	d.o = &oracle{w: d.load(), draftsVisibleToViewers: d.o != nil && d.o.draftsVisibleToViewers}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// byRank sorts s into creation order, so that random choices made from it
// are reproducible; objects the test did not create come last, by ID.
func byRank[T any](d *diffRun, s []T, id func(T) string) {
	sort.SliceStable(s, func(i, j int) bool {
		ri, iok := d.rank[id(s[i])]
		rj, jok := d.rank[id(s[j])]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return id(s[i]) < id(s[j])
	})
}

func (d *diffRun) load() *oWorld {
	ctx, c := testdb.System(), d.h.DB.Ent
	now := time.Now()
	w := &oWorld{}
	for _, x := range c.User.Query().AllX(ctx) {
		w.Users = append(w.Users, &oUser{ID: x.ID, Email: x.Email, Name: x.Name, Admin: x.Role == user.RoleADMIN, APIAccess: x.APIAccess, Active: x.Active})
	}
	for _, x := range c.Team.Query().AllX(ctx) {
		w.Teams = append(w.Teams, &oTeam{ID: x.ID, Name: x.Name, Restricted: x.Restricted})
	}
	for _, x := range c.TeamMembership.Query().AllX(ctx) {
		w.TeamMemberships = append(w.TeamMemberships, &oMember{ID: x.ID, Group: x.TeamID, UserID: x.UserID, Role: rankOf(string(x.Role))})
	}
	for _, x := range c.Project.Query().AllX(ctx) {
		w.Projects = append(w.Projects, &oProject{ID: x.ID, TeamID: deref(x.TeamID), Title: x.Title, Slug: x.Slug, Summary: x.Summary,
			Status: string(x.Status), Moderation: string(x.Moderation)})
	}
	for _, x := range c.ProjectMembership.Query().AllX(ctx) {
		w.ProjectMemberships = append(w.ProjectMemberships, &oMember{ID: x.ID, Group: x.ProjectID, UserID: x.UserID, Role: rankOf(string(x.Role))})
	}
	for _, x := range c.Survey.Query().AllX(ctx) {
		w.Surveys = append(w.Surveys, &oSurvey{ID: x.ID, ProjectID: x.ProjectID, Title: x.Title, Description: x.Description, Status: string(x.Status)})
	}
	for _, x := range c.Question.Query().AllX(ctx) {
		w.Questions = append(w.Questions, &oQuestion{ID: x.ID, SurveyID: x.SurveyID, Prompt: x.Prompt, Position: x.Position})
	}
	for _, x := range c.Response.Query().AllX(ctx) {
		w.Responses = append(w.Responses, &oResponse{ID: x.ID, SurveyID: x.SurveyID, Name: x.RespondentName, Email: x.RespondentEmail, SubmittedAt: x.SubmittedAt.UTC()})
	}
	for _, x := range c.Answer.Query().AllX(ctx) {
		w.Answers = append(w.Answers, &oAnswer{ID: x.ID, ResponseID: x.ResponseID, QuestionID: x.QuestionID, Value: x.Value})
	}
	for _, x := range c.ProjectMap.Query().AllX(ctx) {
		w.Maps = append(w.Maps, &oMap{ID: x.ID, ProjectID: x.ProjectID, Title: x.Title})
	}
	for _, x := range c.Pin.Query().AllX(ctx) {
		w.Pins = append(w.Pins, &oPin{ID: x.ID, MapID: x.MapID, Body: x.Body, AuthorName: x.AuthorName, Status: string(x.Status), AuthorEmail: x.AuthorEmail})
	}
	for _, x := range c.Comment.Query().AllX(ctx) {
		w.Comments = append(w.Comments, &oComment{ID: x.ID, PinID: x.PinID, Body: x.Body, AuthorName: x.AuthorName, Status: string(x.Status), AuthorEmail: x.AuthorEmail})
	}
	for _, x := range c.APIToken.Query().WithAllowedProjects().AllX(ctx) {
		k := &oToken{ID: x.ID, OwnerID: x.OwnerID, Name: x.Name, Secret: d.secrets[x.ID], ReadOnly: x.ReadOnly,
			Expired: x.ExpiresAt != nil && !x.ExpiresAt.After(now), Revoked: x.RevokedAt != nil}
		for _, p := range x.Edges.AllowedProjects {
			k.Projects = append(k.Projects, p.ID)
		}
		sort.Strings(k.Projects)
		w.Tokens = append(w.Tokens, k)
	}
	for _, x := range c.AuditEvent.Query().AllX(ctx) {
		w.Audits = append(w.Audits, &oAudit{ID: x.ID, Action: string(x.Action), TokenID: deref(x.TokenID), ActorID: deref(x.ActorID)})
	}
	byRank(d, w.Users, func(x *oUser) string { return x.ID })
	byRank(d, w.Teams, func(x *oTeam) string { return x.ID })
	byRank(d, w.TeamMemberships, func(x *oMember) string { return x.ID })
	byRank(d, w.Projects, func(x *oProject) string { return x.ID })
	byRank(d, w.ProjectMemberships, func(x *oMember) string { return x.ID })
	byRank(d, w.Surveys, func(x *oSurvey) string { return x.ID })
	byRank(d, w.Questions, func(x *oQuestion) string { return x.ID })
	byRank(d, w.Responses, func(x *oResponse) string { return x.ID })
	byRank(d, w.Answers, func(x *oAnswer) string { return x.ID })
	byRank(d, w.Maps, func(x *oMap) string { return x.ID })
	byRank(d, w.Pins, func(x *oPin) string { return x.ID })
	byRank(d, w.Comments, func(x *oComment) string { return x.ID })
	byRank(d, w.Tokens, func(x *oToken) string { return x.ID })
	byRank(d, w.Audits, func(x *oAudit) string { return x.ID })
	w.index()
	return w
}

// rows is the world as one canonical JSON text per ID, to tell exactly what
// a mutation changed. updated_at is left out: it changes with any write.
func (w *oWorld) rows() map[string]string {
	m := map[string]string{}
	add := func(id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		m[id] = string(b)
	}
	for _, x := range w.Users {
		add(x.ID, x)
	}
	for _, x := range w.Teams {
		add(x.ID, x)
	}
	for _, x := range w.TeamMemberships {
		add(x.ID, x)
	}
	for _, x := range w.Projects {
		add(x.ID, x)
	}
	for _, x := range w.ProjectMemberships {
		add(x.ID, x)
	}
	for _, x := range w.Surveys {
		add(x.ID, x)
	}
	for _, x := range w.Questions {
		add(x.ID, x)
	}
	for _, x := range w.Responses {
		add(x.ID, x)
	}
	for _, x := range w.Answers {
		add(x.ID, x)
	}
	for _, x := range w.Maps {
		add(x.ID, x)
	}
	for _, x := range w.Pins {
		add(x.ID, x)
	}
	for _, x := range w.Comments {
		add(x.ID, x)
	}
	for _, x := range w.Tokens {
		add(x.ID, x)
	}
	for _, x := range w.Audits {
		add(x.ID, x)
	}
	return m
}

// ---------------------------------------------------------------------------
// Reads.

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
	mk := func(id string, visible bool, extra map[string]any) item {
		f := map[string]any{"__typename": typeNames[prefixOf(id)], "id": id}
		maps.Copy(f, extra)
		return item{id: id, visible: visible, fields: f}
	}
	var kinds [][]item
	add := func(xs []item) { kinds = append(kinds, xs) }
	var xs []item
	for _, x := range w.Users {
		xs = append(xs, mk(x.ID, o.userVisible(tok, x), map[string]any{"email": o.userEmail(tok, x)}))
	}
	add(xs)
	xs = nil
	for _, x := range w.Teams {
		xs = append(xs, mk(x.ID, o.teamVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.TeamMemberships {
		xs = append(xs, mk(x.ID, o.teamMembershipVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Projects {
		xs = append(xs, mk(x.ID, o.projectVisible(tok, x.ID), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.ProjectMemberships {
		xs = append(xs, mk(x.ID, o.projectMembershipVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Surveys {
		xs = append(xs, mk(x.ID, o.surveyVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Questions {
		xs = append(xs, mk(x.ID, o.questionVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Responses {
		name, email := o.responsePII(tok, x)
		xs = append(xs, mk(x.ID, o.responseVisible(tok, x), map[string]any{"respondentName": name, "respondentEmail": email}))
	}
	add(xs)
	xs = nil
	for _, x := range w.Answers {
		xs = append(xs, mk(x.ID, o.answerVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Maps {
		xs = append(xs, mk(x.ID, o.mapVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Pins {
		xs = append(xs, mk(x.ID, o.pinVisible(tok, x), map[string]any{"authorEmail": o.pinEmail(tok, x)}))
	}
	add(xs)
	xs = nil
	for _, x := range w.Comments {
		xs = append(xs, mk(x.ID, o.commentVisible(tok, x), map[string]any{"authorEmail": o.commentEmail(tok, x)}))
	}
	add(xs)
	xs = nil
	for _, x := range w.Tokens {
		xs = append(xs, mk(x.ID, o.tokenVisible(tok, x), nil))
	}
	add(xs)
	xs = nil
	for _, x := range w.Audits {
		xs = append(xs, mk(x.ID, o.auditVisible(tok, x), nil))
	}
	add(xs)
	return kinds
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

// ---------------------------------------------------------------------------
// Mutations.

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
