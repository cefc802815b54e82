package api_test

// Aggregates (issue 19, point 2): per question, survey and project, each
// computed in SQL from the rows the caller may read, honouring the
// responses' where filter, with a statement count that does not grow with
// the number of parents.

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"engage/config"
	"engage/ent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/internal/apitest"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// aggWorld is a small world for the aggregates' tests: one open project
// (no team: every STAFF user is its VIEWER), seen by an administrator, a
// viewer and a moderator.
type aggWorld struct {
	h                        *apitest.Server
	c                        *ent.Client
	project                  *ent.Project
	admin, viewer, moderator string
}

func newAggWorld(t *testing.T) *aggWorld {
	t.Helper()
	h := apitest.New(t)
	c, ctx := h.DB.Ent, testdb.System()
	w := &aggWorld{h: h, c: c, admin: h.Admin()}
	w.project = c.Project.Create().SetTitle("Transport").SetSlug("transport").SetStatus(project.StatusPUBLISHED).SaveX(ctx)
	staff := func(email string) *ent.User {
		return c.User.Create().SetEmail(email).SetName(email).SetAPIAccess(true).SaveX(ctx)
	}
	w.viewer = h.Mint(token.Spec{OwnerID: staff("viewer@agg.test").ID, Name: "v"})
	moderator := staff("moderator@agg.test")
	c.ProjectMembership.Create().SetProjectID(w.project.ID).SetUserID(moderator.ID).SetRole(role.Moderator).SaveX(ctx)
	w.moderator = h.Mint(token.Spec{OwnerID: moderator.ID, Name: "m"})
	return w
}

// survey creates a survey of the project.
func (w *aggWorld) survey(status survey.Status) *ent.Survey {
	return w.c.Survey.Create().SetProjectID(w.project.ID).SetTitle("S").SetStatus(status).SaveX(testdb.System())
}

// question creates a question of sv.
func (w *aggWorld) question(sv *ent.Survey, position int, kind question.Kind, options ...string) *ent.Question {
	return w.c.Question.Create().SetSurveyID(sv.ID).SetPosition(position).SetKind(kind).SetPrompt("?").SetOptions(options).SaveX(testdb.System())
}

// respond records a response to sv submitted at, with the answers given
// (question -> value).
func (w *aggWorld) respond(sv *ent.Survey, at time.Time, answers map[*ent.Question]string) *ent.Response {
	ctx := testdb.System()
	r := w.c.Response.Create().SetSurveyID(sv.ID).SetSubmittedAt(at).
		SetRespondentName("Ada Secret").SetRespondentEmail("ada.secret@agg.test").SaveX(ctx)
	for q, v := range answers {
		w.c.Answer.Create().SetResponseID(r.ID).SetQuestionID(q.ID).SetValue(v).SaveX(ctx)
	}
	return r
}

// questionStats is what the API shows of a question's stats.
type questionStats struct {
	AnswerCount int
	Options     []struct {
		Option string
		Count  int
	}
	Distribution []struct {
		Value float64
		Count int
	}
	DistinctValues *int
	Min, Max, Mean *float64
	Median         *float64
}

const questionStatsFields = `answerCount options { option count } distribution { value count } distinctValues min max mean median`

// aggJSON writes v as compact JSON, for messages.
func aggJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// statsOf reads the stats of the questions of sv, with and without a
// filter of responses submitted from since on, as the caller.
func (w *aggWorld) statsOf(caller string, sv *ent.Survey, since time.Time) (all, filtered map[string]questionStats) {
	var out struct {
		Node struct {
			Questions struct {
				Edges []struct {
					Node struct {
						ID              string
						Stats, Filtered questionStats
					}
				}
			}
		}
	}
	w.h.MustDo(caller, `query($id: ID!, $since: Time!) { node(id: $id) { ... on Survey { questions(first: 10, orderBy: {field: POSITION}) { edges { node { id
		stats { `+questionStatsFields+` }
		filtered: stats(where: {submittedAtGTE: $since}) { `+questionStatsFields+` } } } } } } }`,
		map[string]any{"id": sv.ID, "since": since.Format(time.RFC3339)}, &out)
	all, filtered = map[string]questionStats{}, map[string]questionStats{}
	for _, e := range out.Node.Questions.Edges {
		all[e.Node.ID], filtered[e.Node.ID] = e.Node.Stats, e.Node.Filtered
	}
	return all, filtered
}

// wantStats parses the expected stats, written as the JSON the API
// answers.
func wantStats(t *testing.T, text string) questionStats {
	t.Helper()
	var s questionStats
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatalf("bad expected stats %s: %v", text, err)
	}
	return s
}

// TestQuestionStats: counts per option (every option, zeros included, in
// the question's order), distribution, min, max, mean and median (of an odd
// and an even number of answers), null where the kind has none, and the
// same under a filter of the responses.
func TestQuestionStats(t *testing.T) {
	w := newAggWorld(t)
	sv := w.survey(survey.StatusOPEN)
	mode := w.question(sv, 0, question.KindSINGLE_CHOICE, "Bus", "Bike", "Walk")
	colours := w.question(sv, 1, question.KindMULTIPLE_CHOICE, "Red", "Green", "Blue")
	rating := w.question(sv, 2, question.KindRATING)
	years := w.question(sv, 3, question.KindNUMBER)
	comment := w.question(sv, 4, question.KindSHORT_TEXT)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	w.respond(sv, day(1), map[*ent.Question]string{mode: "Bus", colours: "Red\nBlue", rating: "5", years: "10", comment: "hi"})
	w.respond(sv, day(2), map[*ent.Question]string{mode: "Bike", colours: "Red", rating: "3", years: "2.5", comment: "yo"})
	w.respond(sv, day(3), map[*ent.Question]string{mode: "Bus", colours: "Blue\nRed\nGreen", rating: "3", years: "-1"})
	w.respond(sv, day(4), map[*ent.Question]string{mode: "Bus", rating: "4"})
	w.respond(sv, day(5), map[*ent.Question]string{rating: "1", years: "10"})

	want := map[string][2]string{ // question -> stats of all responses, of those from day 3 on
		mode.ID: {
			`{"answerCount":4,"options":[{"option":"Bus","count":3},{"option":"Bike","count":1},{"option":"Walk","count":0}]}`,
			`{"answerCount":2,"options":[{"option":"Bus","count":2},{"option":"Bike","count":0},{"option":"Walk","count":0}]}`,
		},
		colours.ID: {
			`{"answerCount":3,"options":[{"option":"Red","count":3},{"option":"Green","count":1},{"option":"Blue","count":2}]}`,
			`{"answerCount":1,"options":[{"option":"Red","count":1},{"option":"Green","count":1},{"option":"Blue","count":1}]}`,
		},
		rating.ID: {
			`{"answerCount":5,"distribution":[{"value":1,"count":1},{"value":3,"count":2},{"value":4,"count":1},{"value":5,"count":1}],
			  "distinctValues":4,"min":1,"max":5,"mean":3.2,"median":3}`,
			`{"answerCount":3,"distribution":[{"value":1,"count":1},{"value":3,"count":1},{"value":4,"count":1}],
			  "distinctValues":3,"min":1,"max":4,"mean":2.6666666666666665,"median":3}`,
		},
		years.ID: {
			`{"answerCount":4,"distribution":[{"value":-1,"count":1},{"value":2.5,"count":1},{"value":10,"count":2}],
			  "distinctValues":3,"min":-1,"max":10,"mean":5.375,"median":6.25}`,
			`{"answerCount":2,"distribution":[{"value":-1,"count":1},{"value":10,"count":1}],
			  "distinctValues":2,"min":-1,"max":10,"mean":4.5,"median":4.5}`,
		},
		comment.ID: {`{"answerCount":2}`, `{"answerCount":0}`},
	}
	for _, caller := range []string{w.admin, w.viewer} {
		all, filtered := w.statsOf(caller, sv, day(3))
		for id, pair := range want {
			for i, got := range []questionStats{all[id], filtered[id]} {
				if w := wantStats(t, pair[i]); !reflect.DeepEqual(normalized(got), normalized(w)) {
					t.Errorf("question %s, filtered=%v: got %s, want %s", id, i == 1, aggJSON(got), aggJSON(w))
				}
			}
		}
	}
}

// normalized rounds the mean, whose last digit the databases may write
// differently.
func normalized(s questionStats) questionStats {
	if s.Mean != nil {
		m, _ := strconv.ParseFloat(strconv.FormatFloat(*s.Mean, 'g', 12, 64), 64)
		s.Mean = &m
	}
	return s
}

// TestStatsOfAQuestionReadAlone: stats of a question read by node, and of
// one a mutation just wrote an answer to, in its transaction.
func TestStatsOfAQuestionReadAlone(t *testing.T) {
	w := newAggWorld(t)
	sv := w.survey(survey.StatusOPEN)
	q := w.question(sv, 0, question.KindRATING)
	w.respond(sv, time.Now(), map[*ent.Question]string{q: "2"})
	var read struct{ Node struct{ Stats questionStats } }
	w.h.MustDo(w.viewer, `query($id: ID!) { node(id: $id) { ... on Question { stats { `+questionStatsFields+` } } } }`, map[string]any{"id": q.ID}, &read)
	if got := read.Node.Stats; got.AnswerCount != 1 || got.Median == nil || *got.Median != 2 {
		t.Errorf("stats of a question read by node: got %s, want 1 answer, median 2", aggJSON(got))
	}

	other := w.respond(sv, time.Now(), nil)
	var created struct {
		CreateAnswer struct{ Question struct{ Stats questionStats } }
	}
	w.h.MustDo(w.admin, `mutation($r: ID!, $q: ID!) { createAnswer(input: {responseID: $r, questionID: $q, value: "4"}) {
		question { stats { answerCount mean } } } }`, map[string]any{"r": other.ID, "q": q.ID}, &created)
	if got := created.CreateAnswer.Question.Stats; got.AnswerCount != 2 || got.Mean == nil || *got.Mean != 3 {
		t.Errorf("stats read by the mutation that wrote an answer: got %s, want 2 answers, mean 3 (the new answer counted)", aggJSON(got))
	}
}

// seriesOut is a response series as the API answers it.
type seriesOut []struct {
	Start string
	Count int
}

func (s seriesOut) String() string {
	var parts []string
	for _, b := range s {
		parts = append(parts, fmt.Sprintf("%s:%d", b.Start, b.Count))
	}
	return strings.Join(parts, " ")
}

const seriesQuery = `query($id: ID!, $interval: SeriesInterval!, $zone: String!, $from: Date!, $to: Date!, $where: ResponseWhereInput) {
	node(id: $id) { ... on Survey { stats(where: $where) { responseCount series(interval: $interval, timeZone: $zone, from: $from, to: $to) { start count } } } } }`

// TestSurveySeries: responses per day and per week as the days fall in a
// time zone, across a change of its offset (Paris moves to summer time on
// 2026-03-29), every bucket in order with zeros, honouring the filter; and
// arguments the series cannot take are refused with BAD_USER_INPUT.
func TestSurveySeries(t *testing.T) {
	w := newAggWorld(t)
	sv := w.survey(survey.StatusOPEN)
	for _, at := range []string{
		"2026-03-19T23:30:00Z", // Paris 03-20 00:30
		"2026-03-26T22:59:00Z", // Paris 03-26 23:59
		"2026-03-26T23:30:00Z", // Paris 03-27 00:30
		"2026-03-28T22:59:59Z", // Paris 03-28 23:59:59 (+01:00)
		"2026-03-28T23:00:00Z", // Paris 03-29 00:00
		"2026-03-29T21:59:59Z", // Paris 03-29 23:59:59 (+02:00)
		"2026-03-29T22:00:00Z", // Paris 03-30 00:00
		"2026-03-31T12:00:00Z", // Paris 03-31 14:00
		"2026-04-01T22:00:00Z", // Paris 04-02 00:00
	} {
		ts, _ := time.Parse(time.RFC3339, at)
		w.respond(sv, ts, nil)
	}
	cases := []struct {
		interval, zone, from, to string
		where                    map[string]any
		want                     string
		count                    int
	}{
		{"DAY", "Europe/Paris", "2026-03-27", "2026-04-01", nil, "2026-03-27:1 2026-03-28:1 2026-03-29:2 2026-03-30:1 2026-03-31:1 2026-04-01:0", 9},
		{"DAY", "UTC", "2026-03-26", "2026-03-29", nil, "2026-03-26:2 2026-03-27:0 2026-03-28:2 2026-03-29:2", 9},
		{"WEEK", "Europe/Paris", "2026-03-20", "2026-04-01", nil, "2026-03-20:2 2026-03-27:6", 9},
		{"WEEK", "Europe/Paris", "2026-03-27", "2026-03-27", nil, "2026-03-27:1", 9},
		{"DAY", "Europe/Paris", "2026-03-28", "2026-03-30", map[string]any{"submittedAtGTE": "2026-03-29T00:00:00Z"}, "2026-03-28:0 2026-03-29:1 2026-03-30:1", 4},
		{"DAY", "Asia/Kolkata", "2026-03-29", "2026-03-30", nil, "2026-03-29:2 2026-03-30:2", 9},
	}
	for _, c := range cases {
		vars := map[string]any{"id": sv.ID, "interval": c.interval, "zone": c.zone, "from": c.from, "to": c.to, "where": c.where}
		var out struct {
			Node struct {
				Stats struct {
					ResponseCount int
					Series        seriesOut
				}
			}
		}
		w.h.MustDo(w.viewer, seriesQuery, vars, &out)
		if got := out.Node.Stats.Series.String(); got != c.want || out.Node.Stats.ResponseCount != c.count {
			t.Errorf("%s in %s from %s to %s, where %v: got %s (of %d responses), want %s (of %d)",
				c.interval, c.zone, c.from, c.to, c.where, got, out.Node.Stats.ResponseCount, c.want, c.count)
		}
	}

	refused := []struct {
		zone, from, to, message string
	}{
		{"Mars/Olympus_Mons", "2026-03-01", "2026-03-02", `timeZone: "Mars/Olympus_Mons" is not an IANA time zone name, such as Europe/Paris or UTC`},
		{"", "2026-03-01", "2026-03-02", `timeZone: "" is not an IANA time zone name, such as Europe/Paris or UTC`},
		{"Local", "2026-03-01", "2026-03-02", `timeZone: "Local" is not an IANA time zone name, such as Europe/Paris or UTC`},
		{"../../etc/passwd", "2026-03-01", "2026-03-02", `timeZone: "../../etc/passwd" is not an IANA time zone name, such as Europe/Paris or UTC`},
		{"UTC", "2026-03-02", "2026-03-01", "to: is before from"},
		{"UTC", "2020-01-01", "2026-01-01", "to: the series from 2020-01-01 to 2026-01-01 would have 2193 buckets, more than 1000: ask for a shorter range or weeks"},
		{"UTC", "2026-02-30", "2026-03-01", "from: invalid value"},
	}
	for _, c := range refused {
		resp := w.h.Do(w.viewer, seriesQuery, map[string]any{"id": sv.ID, "interval": "DAY", "zone": c.zone, "from": c.from, "to": c.to})
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || resp.Errors[0].Message != c.message {
			t.Errorf("series in %q from %s to %s: got errors %+v, want one BAD_USER_INPUT: %q", c.zone, c.from, c.to, resp.Errors, c.message)
		}
	}
}

// TestProjectStats: responses, pins and comments by moderation status, as
// each caller may read them: a VIEWER counts no response to a DRAFT survey
// and only PUBLISHED pins and the PUBLISHED comments of PUBLISHED pins; a
// MODERATOR counts every pin and comment; the filter keeps responses only.
func TestProjectStats(t *testing.T) {
	w := newAggWorld(t)
	open, draft := w.survey(survey.StatusOPEN), w.survey(survey.StatusDRAFT)
	for i := range 2 {
		w.respond(open, time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC), nil)
	}
	for i := range 3 {
		w.respond(draft, time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC), nil)
	}
	ctx := testdb.System()
	m := w.c.ProjectMap.Create().SetProjectID(w.project.ID).SetTitle("M").SetCenterLatitude(0).SetCenterLongitude(0).SaveX(ctx)
	pin := func(st moderation.Status) *ent.Pin {
		return w.c.Pin.Create().SetMapID(m.ID).SetLatitude(0).SetLongitude(0).SetBody("b").SetAuthorEmail("author.secret@agg.test").SetStatus(st).SaveX(ctx)
	}
	published := pin(moderation.Published)
	pin(moderation.Published)
	pending := pin(moderation.Pending)
	pin(moderation.Hidden)
	comment := func(p *ent.Pin, st moderation.Status) {
		w.c.Comment.Create().SetPinID(p.ID).SetBody("c").SetStatus(st).SaveX(ctx)
	}
	comment(published, moderation.Published)
	comment(published, moderation.Rejected)
	comment(pending, moderation.Published)

	const query = `query($id: ID!) { node(id: $id) { ... on Project {
		stats { responseCount pins { status count } comments { status count } }
		march2: stats(where: {submittedAtGTE: "2026-03-02T00:00:00Z"}) { responseCount pins { status count } } } } }`
	cases := []struct {
		who, secret string
		want        string
	}{
		{"viewer", w.viewer, `{"stats":{"responseCount":2,"pins":"PENDING:0 PUBLISHED:2 REJECTED:0 HIDDEN:0","comments":"PENDING:0 PUBLISHED:1 REJECTED:0 HIDDEN:0"},` +
			`"march2":{"responseCount":1,"pins":"PENDING:0 PUBLISHED:2 REJECTED:0 HIDDEN:0"}}`},
		{"moderator", w.moderator, `{"stats":{"responseCount":2,"pins":"PENDING:1 PUBLISHED:2 REJECTED:0 HIDDEN:1","comments":"PENDING:0 PUBLISHED:2 REJECTED:1 HIDDEN:0"},` +
			`"march2":{"responseCount":1,"pins":"PENDING:1 PUBLISHED:2 REJECTED:0 HIDDEN:1"}}`},
		{"admin", w.admin, `{"stats":{"responseCount":5,"pins":"PENDING:1 PUBLISHED:2 REJECTED:0 HIDDEN:1","comments":"PENDING:0 PUBLISHED:2 REJECTED:1 HIDDEN:0"},` +
			`"march2":{"responseCount":3,"pins":"PENDING:1 PUBLISHED:2 REJECTED:0 HIDDEN:1"}}`},
	}
	type statusCounts []struct {
		Status string
		Count  int
	}
	flat := func(s statusCounts) string {
		var parts []string
		for _, c := range s {
			parts = append(parts, fmt.Sprintf("%s:%d", c.Status, c.Count))
		}
		return strings.Join(parts, " ")
	}
	for _, c := range cases {
		var out struct {
			Node map[string]struct {
				ResponseCount  int
				Pins, Comments statusCounts
			}
		}
		w.h.MustDo(c.secret, query, map[string]any{"id": w.project.ID}, &out)
		got := map[string]map[string]any{}
		for alias, s := range out.Node {
			got[alias] = map[string]any{"responseCount": s.ResponseCount, "pins": flat(s.Pins)}
			if s.Comments != nil {
				got[alias]["comments"] = flat(s.Comments)
			}
		}
		var want map[string]map[string]any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		for _, stats := range want {
			stats["responseCount"] = int(stats["responseCount"].(float64))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", c.who, got, want)
		}
	}
}

// TestAggregatesNeedNoStatementPerParent: the stats of every project,
// survey and question of nested pages take one statement per kind of
// aggregate, whatever the number of parents: the same query runs the same
// number of statements on a database with 2 and with 5 rows per level, as
// an administrator and as an editor whose reads are all filtered, and
// exactly 9 more than without the stats (project: responses, pins,
// comments; survey: responses, series; question: summary, options,
// distribution, median).
func TestAggregatesNeedNoStatementPerParent(t *testing.T) {
	const pages = `{ projects(first: 5) { edges { node { %s
		surveys(first: 5) { edges { node { %s
			questions(first: 4) { edges { node { %s } } } } } } } } } }`
	stats := fmt.Sprintf(pages,
		`stats { responseCount pins { status count } comments { status count } }`,
		`stats { responseCount series(interval: DAY, timeZone: "Europe/Paris", from: "2026-01-01", to: "2026-01-31") { start count } }`,
		`stats { `+questionStatsFields+` }`)
	plain := fmt.Sprintf(pages, "id", "id", "id")
	counts := map[string]int64{}
	for _, n := range []int{2, 5} {
		inst := newInstance(t, testdb.URL(t))
		adminID, editorID := grow(t, inst, n)
		addRatedChoices(t, inst.DB.Ent)
		for who, id := range map[string]string{"admin": adminID, "editor": editorID} {
			secret := inst.Mint(token.Spec{OwnerID: id, Name: "n"})
			inst.MustDo(secret, `{ __typename }`, nil, nil) // authentication is cached from now on
			// The fewest of three runs: the usage recorder's flush, every
			// 10 s, may fall within one.
			run := func(query string) int64 {
				fewest := int64(math.MaxInt64)
				for range 3 {
					before := inst.Statements.Count()
					inst.MustDo(secret, query, nil, nil)
					fewest = min(fewest, inst.Statements.Count()-before)
				}
				return fewest
			}
			withStats, without := run(stats), run(plain)
			if withStats-without != 9 {
				t.Errorf("%s, %d rows per level: %d statements with the stats, %d without: want 9 more", who, n, withStats, without)
			}
			key := who
			if prev, ok := counts[key]; ok && prev != withStats {
				t.Errorf("%s: %d statements with 2 rows per level, %d with 5", who, prev, withStats)
			}
			counts[key] = withStats
		}
	}
	t.Logf("statements of the query with stats: %v", counts)
}

// addRatedChoices adds to every survey a RATING and a SINGLE_CHOICE
// question, answered by each of its responses.
func addRatedChoices(t *testing.T, c *ent.Client) {
	t.Helper()
	ctx := testdb.System()
	for _, sv := range c.Survey.Query().WithResponses().AllX(ctx) {
		rating := c.Question.Create().SetSurveyID(sv.ID).SetPosition(2).SetKind(question.KindRATING).SetPrompt("?").SaveX(ctx)
		choice := c.Question.Create().SetSurveyID(sv.ID).SetPosition(3).SetKind(question.KindSINGLE_CHOICE).SetOptions([]string{"A", "B"}).SetPrompt("?").SaveX(ctx)
		var answers []*ent.AnswerCreate
		for i, r := range sv.Edges.Responses {
			answers = append(answers,
				c.Answer.Create().SetResponseID(r.ID).SetQuestionID(rating.ID).SetValue(strconv.Itoa(1+i%5)),
				c.Answer.Create().SetResponseID(r.ID).SetQuestionID(choice.ID).SetValue("A"))
		}
		c.Answer.CreateBulk(answers...).ExecX(ctx)
	}
}

// TestAggregatesAreCharged: the complexity limit charges an aggregate
// before it runs: a page of stats costs aggregateCost (100) more per item
// than the same page without, and a series one per bucket.
func TestAggregatesAreCharged(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) { c.MaxComplexity = 10 }})
	admin := h.Admin()
	cost := func(query string) int {
		t.Helper()
		resp := h.Do(admin, query, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT" {
			t.Fatalf("%s: got %+v, want COMPLEXITY_LIMIT", query, resp.Errors)
		}
		var n int
		fmt.Sscanf(resp.Errors[0].Message, "the query would cost %d", &n)
		return n
	}
	plain := cost(`{ questions(first: 10) { edges { node { id } } } }`)
	stats := cost(`{ questions(first: 10) { edges { node { id stats { answerCount } } } } }`)
	if stats-plain != 10*(100+1) {
		t.Errorf("stats { answerCount } of 10 questions: costs %d more, want %d", stats-plain, 10*(100+1))
	}
	series := func(interval, from, to string) int {
		return cost(fmt.Sprintf(`{ surveys(first: 1) { edges { node { stats { series(interval: %s, timeZone: "UTC", from: %q, to: %q) { count } } } } } }`, interval, from, to))
	}
	if d := series("DAY", "2026-01-01", "2026-01-31") - series("DAY", "2026-01-01", "2026-01-01"); d != 30 {
		t.Errorf("a series of 31 days costs %d more than one of 1 day, want 30", d)
	}
	if d := series("WEEK", "2026-01-01", "2026-12-31") - series("DAY", "2026-01-01", "2026-01-01"); d != 52 {
		t.Errorf("a series of 53 weeks costs %d more than one of 1 day, want 52", d)
	}
}

// TestAggregatesFilterOnlyWhatTypesShow: the filter of aggregates is the
// responses' where input, which has no condition on personal data.
func TestAggregatesFilterOnlyWhatTypesShow(t *testing.T) {
	w := newAggWorld(t)
	sv := w.survey(survey.StatusOPEN)
	for _, filter := range []string{`{respondentEmail: "ada.secret@agg.test"}`, `{respondentNameContains: "Ada"}`} {
		resp := w.h.Do(w.admin, `query($id: ID!) { node(id: $id) { ... on Survey { stats(where: `+filter+`) { responseCount } } } }`, map[string]any{"id": sv.ID})
		if !slices.Equal(resp.Codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
			t.Errorf("stats(where: %s): got %+v, want GRAPHQL_VALIDATION_FAILED", filter, resp.Errors)
		}
	}
}
