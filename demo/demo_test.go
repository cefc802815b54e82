package demo_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"engage/answer"
	"engage/demo"
	"engage/ent"
	"engage/ent/question"
	"engage/ent/user"
	"engage/gid"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
)

func load(t *testing.T, client *ent.Client) []demo.Persona {
	t.Helper()
	start := time.Now()
	personas, err := demo.Load(context.Background(), client)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("Load took %v", time.Since(start))
	return personas
}

// all reads back every project with everything under it.
func all(t *testing.T, client *ent.Client) []*ent.Project {
	t.Helper()
	ps, err := client.Project.Query().WithTeam().
		WithSurveys(func(q *ent.SurveyQuery) {
			q.WithQuestions().WithResponses(func(q *ent.ResponseQuery) { q.WithAnswers() })
		}).
		WithMaps(func(q *ent.ProjectMapQuery) { q.WithPins(func(q *ent.PinQuery) { q.WithComments() }) }).
		All(testdb.System())
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// missing returns the values of want that got does not count.
func missing[T comparable](got map[T]int, want ...T) []T {
	var out []T
	for _, w := range want {
		if got[w] == 0 {
			out = append(out, w)
		}
	}
	return out
}

var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestLoad(t *testing.T) {
	client := testdb.Open(t).Ent
	personas := load(t, client)

	teams := client.Team.Query().AllX(testdb.System())
	var restricted []string
	for _, tm := range teams {
		if tm.Restricted {
			restricted = append(restricted, tm.Name)
		}
	}
	if len(teams) != 3 || !slices.Equal(restricted, []string{"Housing Taskforce"}) {
		t.Errorf("teams: got %d, restricted %q; want 3, restricted [Housing Taskforce]", len(teams), restricted)
	}

	ps := all(t, client)
	pStatus, pMod, sStatus, kinds, pins, comments := map[string]int{}, map[string]int{}, map[string]int{}, map[question.Kind]int{}, map[moderation.Status]int{}, map[moderation.Status]int{}
	noTeam, inRestricted, responses, anonymous := 0, 0, 0, 0
	for _, p := range ps {
		pStatus[p.Status.String()]++
		pMod[p.Moderation.String()]++
		if !slug.MatchString(p.Slug) {
			t.Errorf("slug %q does not match %v", p.Slug, slug)
		}
		switch team := p.Edges.Team; {
		case team == nil:
			noTeam++
		case team.Restricted:
			inRestricted++
		}
		for _, s := range p.Edges.Surveys {
			sStatus[s.Status.String()]++
			byID := map[string]*ent.Question{}
			for _, q := range s.Edges.Questions {
				kinds[q.Kind]++
				byID[q.ID] = q
				if choice := q.Kind == question.KindSINGLE_CHOICE || q.Kind == question.KindMULTIPLE_CHOICE; choice != (len(q.Options) >= 2) {
					t.Errorf("question %q (%s): got options %q", q.Prompt, q.Kind, q.Options)
				}
			}
			for _, r := range s.Edges.Responses {
				responses++
				if r.RespondentName == nil || r.RespondentEmail == nil {
					anonymous++
				}
				if got, want := len(r.Edges.Answers), len(s.Edges.Questions); got != want {
					t.Errorf("survey %q: response has %d answers, want %d", s.Title, got, want)
				}
				for _, a := range r.Edges.Answers {
					if err := plausible(byID[a.QuestionID], a.Value); err != nil {
						t.Error(err)
					}
				}
			}
		}
		for _, m := range p.Edges.Maps {
			if m.Zoom < 12 || m.Zoom > 15 {
				t.Errorf("map %q: got zoom %d, want 12 to 15", m.Title, m.Zoom)
			}
			for _, pin := range m.Edges.Pins {
				pins[pin.Status]++
				for _, c := range pin.Edges.Comments {
					comments[c.Status]++
				}
			}
		}
	}
	if len(ps) < 8 || noTeam < 1 || inRestricted < 2 {
		t.Errorf("projects: got %d, %d without team, %d in the restricted team; want >= 8, >= 1, >= 2", len(ps), noTeam, inRestricted)
	}
	if m := missing(pStatus, "DRAFT", "PUBLISHED", "ARCHIVED"); m != nil {
		t.Errorf("project statuses: got %v, missing %v", pStatus, m)
	}
	if m := missing(pMod, "PUBLISH_IMMEDIATELY", "REQUIRES_APPROVAL"); m != nil {
		t.Errorf("project moderation: got %v, missing %v", pMod, m)
	}
	if m := missing(sStatus, "DRAFT", "OPEN", "CLOSED"); m != nil {
		t.Errorf("survey statuses: got %v, missing %v", sStatus, m)
	}
	if m := missing(kinds, question.KindSHORT_TEXT, question.KindLONG_TEXT, question.KindSINGLE_CHOICE,
		question.KindMULTIPLE_CHOICE, question.KindRATING, question.KindNUMBER, question.KindDATE); m != nil {
		t.Errorf("question kinds: got %v, missing %v", kinds, m)
	}
	if responses < 1000 || anonymous == 0 || anonymous > responses/2 {
		t.Errorf("responses: got %d, %d anonymous; want >= 1000, some but not most anonymous", responses, anonymous)
	}
	if m := missing(pins, moderation.All...); m != nil {
		t.Errorf("pin statuses: got %v, missing %v", pins, m)
	}
	if m := missing(comments, moderation.All...); m != nil {
		t.Errorf("comment statuses: got %v, missing %v", comments, m)
	}
	t.Logf("%d projects, surveys %v, question kinds %v, %d responses (%d anonymous), pins %v, comments %v",
		len(ps), sStatus, kinds, responses, anonymous, pins, comments)

	checkPersonas(t, client, personas)
	checkOtherStaff(t, client)

	if _, err := demo.Load(context.Background(), client); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second Load: got error %v, want %v", err, demo.ErrNotEmpty)
	}
}

// plausible checks an answer's value against its question's kind.
func plausible(q *ent.Question, v string) error {
	bad := func() error { return fmt.Errorf("question %q (%s): implausible answer %q", q.Prompt, q.Kind, v) }
	switch q.Kind {
	case question.KindSINGLE_CHOICE:
		if !slices.Contains(q.Options, v) {
			return bad()
		}
	case question.KindMULTIPLE_CHOICE:
		for _, c := range strings.Split(v, "\n") {
			if !slices.Contains(q.Options, c) {
				return bad()
			}
		}
	case question.KindRATING:
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 5 {
			return bad()
		}
	case question.KindNUMBER:
		if _, err := strconv.Atoi(v); err != nil {
			return bad()
		}
	case question.KindDATE:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return bad()
		}
	default:
		if strings.TrimSpace(v) == "" {
			return bad()
		}
	}
	return nil
}

// memberships returns a user with their team and project roles, as "name=ROLE".
func memberships(t *testing.T, client *ent.Client, id string) (u *ent.User, teams, projects []string) {
	t.Helper()
	u, err := client.User.Query().Where(user.ID(id)).
		WithTeamMemberships(func(q *ent.TeamMembershipQuery) { q.WithTeam() }).
		WithProjectMemberships(func(q *ent.ProjectMembershipQuery) { q.WithProject(func(q *ent.ProjectQuery) { q.WithTeam() }) }).
		Only(testdb.System())
	if err != nil {
		t.Fatalf("user %s: %v", id, err)
	}
	for _, m := range u.Edges.TeamMemberships {
		teams = append(teams, fmt.Sprintf("%s=%s", m.Edges.Team.Name, m.Role))
	}
	for _, m := range u.Edges.ProjectMemberships {
		p := m.Edges.Project
		projects = append(projects, fmt.Sprintf("%s=%s restricted=%t", p.Slug, m.Role, p.Edges.Team != nil && p.Edges.Team.Restricted))
	}
	return u, teams, projects
}

func checkPersonas(t *testing.T, client *ent.Client, personas []demo.Persona) {
	t.Helper()
	var keys []string
	for _, p := range personas {
		keys = append(keys, p.Key)
		if p.Description == "" || p.Name == "" || p.UserID == "" {
			t.Errorf("persona %q: got %+v, want a name, a description and a user ID", p.Key, p)
			continue
		}
		u, teams, projects := memberships(t, client, p.UserID)
		got := fmt.Sprintf("%s %s api=%t active=%t teams=%q projects=%q", u.Email, u.Role, u.APIAccess, u.Active, teams, projects)
		want := map[string]string{
			"admin":     `admin@demo.engage.test ADMIN api=true active=true teams=[] projects=[]`,
			"editor":    `editor@demo.engage.test STAFF api=true active=true teams=["Planning=EDITOR"] projects=[]`,
			"viewer":    `viewer@demo.engage.test STAFF api=true active=true teams=[] projects=["affordable-housing-strategy=VIEWER restricted=true"]`,
			"moderator": `moderator@demo.engage.test STAFF api=true active=true teams=["Parks & Recreation=MODERATOR"] projects=[]`,
		}[p.Key]
		if got != want || p.Email != u.Email || p.Name != u.Name {
			t.Errorf("persona %q (%s, %s):\n got  %s\n want %s", p.Key, p.Email, p.Name, got, want)
		}
		if p.Key == "admin" && u.Name != "Ada Admin" {
			t.Errorf("admin name: got %q, want %q", u.Name, "Ada Admin")
		}
	}
	if want := []string{"admin", "editor", "viewer", "moderator"}; !slices.Equal(keys, want) {
		t.Errorf("persona keys: got %q, want %q", keys, want)
	}
}

// checkOtherStaff looks for the non-persona users that show the other rules.
func checkOtherStaff(t *testing.T, client *ent.Client) {
	t.Helper()
	inactive, noAPI, housingManager := 0, 0, 0
	projectRoles := map[role.Role]int{}
	for _, u := range client.User.Query().AllX(testdb.System()) {
		_, teams, projects := memberships(t, client, u.ID)
		if !u.Active {
			inactive++
		}
		if u.Role == user.RoleSTAFF && !u.APIAccess {
			noAPI++
		}
		if slices.Contains(teams, "Housing Taskforce=MANAGER") {
			housingManager++
		}
		for _, p := range projects {
			for _, r := range role.All {
				if strings.Contains(p, "="+string(r)+" ") {
					projectRoles[r]++
				}
			}
		}
	}
	if inactive == 0 || noAPI == 0 || housingManager == 0 || len(projectRoles) < 3 {
		t.Errorf("other staff: got %d inactive, %d STAFF without API access, %d Housing managers, project roles %v; want at least one each and 3 project roles",
			inactive, noAPI, housingManager, projectRoles)
	}
}

// fingerprint summarises the loaded content without its IDs: one line
// per project with its counts, then hashes of every answer and every pin and
// comment, each hashed in a sorted order.
func fingerprint(t *testing.T, client *ent.Client) []string {
	var lines, answers, contributions []string
	for _, p := range all(t, client) {
		team, responses, pins := "", 0, 0
		if p.Edges.Team != nil {
			team = p.Edges.Team.Name
		}
		for _, s := range p.Edges.Surveys {
			position := map[string]int{}
			for _, q := range s.Edges.Questions {
				position[q.ID] = q.Position
			}
			responses += len(s.Edges.Responses)
			for _, r := range s.Edges.Responses {
				for _, a := range r.Edges.Answers {
					answers = append(answers, fmt.Sprintf("%s|%s|%s|%s|%s|%d|%q", p.Slug, s.Title,
						r.SubmittedAt.UTC().Format(time.RFC3339), deref(r.RespondentName), deref(r.RespondentEmail), position[a.QuestionID], a.Value))
				}
			}
		}
		for _, m := range p.Edges.Maps {
			for _, pin := range m.Edges.Pins {
				pins++
				key := fmt.Sprintf("%s|%s|%.6f|%.6f|%s|%s|%s|%s|%s|%s", p.Slug, m.Title, pin.Latitude, pin.Longitude,
					pin.Category, pin.Body, pin.AuthorName, deref(pin.AuthorEmail), pin.Status, pin.CreatedAt.UTC().Format(time.RFC3339))
				contributions = append(contributions, key)
				for _, c := range pin.Edges.Comments {
					contributions = append(contributions, fmt.Sprintf("%s|%s|%s|%s|%s|%s", key, c.Body, c.AuthorName,
						deref(c.AuthorEmail), c.Status, c.CreatedAt.UTC().Format(time.RFC3339)))
				}
			}
		}
		lines = append(lines, fmt.Sprintf("%s %s %s team=%q responses=%d pins=%d", p.Slug, p.Status, p.Moderation, team, responses, pins))
	}
	slices.Sort(lines)
	return append(lines, hash("answers", answers), hash("pins and comments", contributions))
}

func hash(name string, lines []string) string {
	slices.Sort(lines)
	return fmt.Sprintf("%d %s sha256=%x", len(lines), name, sha256.Sum256([]byte(strings.Join(lines, "\n"))))
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestLoadIsDeterministic(t *testing.T) {
	a, b := testdb.Open(t).Ent, testdb.Open(t).Ent
	load(t, a)
	load(t, b)
	got, want := fingerprint(t, a), fingerprint(t, b)
	if !slices.Equal(got, want) {
		t.Errorf("two loads differ:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
	t.Logf("fingerprint:\n%s", strings.Join(got, "\n"))

	// The IDs are the same too, so that recorded example responses hold,
	// and each has gid's format.
	gotIDs, wantIDs := ids(t, a), ids(t, b)
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("two loads give different IDs: got %d IDs starting %v, want %d starting %v",
			len(gotIDs), gotIDs[:min(3, len(gotIDs))], len(wantIDs), wantIDs[:min(3, len(wantIDs))])
	}
	seen := map[string]bool{}
	for _, id := range gotIDs {
		if _, err := gid.Table(id); err != nil {
			t.Errorf("ID %q: got %v, want a well-formed global ID", id, err)
		}
		if seen[id] {
			t.Errorf("ID %q is used twice", id)
		}
		seen[id] = true
	}
}

// ids lists the ID of every loaded object, table by table, in ID order.
func ids(t *testing.T, client *ent.Client) []string {
	t.Helper()
	var out []string
	for _, q := range []func() ([]string, error){
		func() ([]string, error) { return client.User.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Team.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.TeamMembership.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Project.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.ProjectMembership.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Survey.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Question.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Response.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Answer.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.ProjectMap.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Pin.Query().IDs(testdb.System()) },
		func() ([]string, error) { return client.Comment.Query().IDs(testdb.System()) },
	} {
		got, err := q()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		out = append(out, got...)
	}
	return out
}

// TestAnswersFitTheirQuestions: every demo answer is one that the API
// accepts for its question (the hooks also check this while Load runs).
func TestAnswersFitTheirQuestions(t *testing.T) {
	client := testdb.Open(t).Ent
	load(t, client)
	answers := client.Answer.Query().WithQuestion().AllX(testdb.System())
	if len(answers) == 0 {
		t.Fatal("the demo has no answers")
	}
	for _, a := range answers {
		if _, err := answer.Parse(a.Edges.Question.Kind, a.Edges.Question.Options, a.Value); err != nil {
			t.Errorf("answer %s to a %s question: %v", a.ID, a.Edges.Question.Kind, err)
		}
	}
}
