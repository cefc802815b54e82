// Package demo loads the demo data set of PRODUCT.md section 5 into an empty
// database: three teams (one restricted), nine projects of the fictional city
// of Riverbend, surveys with 1,240 responses, maps with pins and comments, and
// four personas (admin, editor, viewer, moderator) whose tokens show what each
// role may see.
//
// The content is deterministic: every random choice comes from one generator
// with a fixed seed, every global ID from a second one, and every timestamp is
// an offset from a fixed base time, so two loads give the same data with the
// same IDs. The documentation's recorded example responses rely on that.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"engage/ent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/gid"
	"engage/moderation"
	"engage/role"
	"engage/rule"
)

// ErrNotEmpty is returned by Load when the database already has a user.
var ErrNotEmpty = errors.New("demo: the database is not empty")

// Persona is a demo user chosen to show one side of the access rules, so
// that callers can mint one token per persona.
type Persona struct {
	Key, Email, Name, Description string // Key is "admin", "editor", "viewer" or "moderator"
	UserID                        string
}

// base is "today" in the demo's story; every timestamp is an offset from it.
var base = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return base.AddDate(0, 0, n) }

// chunk bounds the rows of one bulk insert, well under the bound-parameter
// limits of SQLite and PostgreSQL.
const chunk = 500

const (
	planning = "Planning"
	parks    = "Parks & Recreation"
	housing  = "Housing Taskforce"
)

var teams = []struct {
	name       string
	restricted bool
}{{planning, false}, {parks, false}, {housing, true}}

// staff lists the personas (with a key) first, then users that make the other
// rules visible: a team manager, project members of every role, a user
// without API access and an inactive one.
var staff = []struct {
	key, name, email, desc string
	admin, api, inactive   bool
	team                   string // name of the team the user belongs to, if any
	teamRole               role.Role
	project                string // slug of a project the user is a member of, if any
	projectRole            role.Role
}{
	{key: "admin", name: "Ada Admin", email: "admin@demo.engage.test", admin: true, api: true,
		desc: "ADMIN: MANAGER on every project. Sees everything, including draft surveys, pins and comments in every moderation status, and personal data (respondents' and authors' names and emails); manages users, teams and tokens."},
	{key: "editor", name: "Eddie Editor", email: "editor@demo.engage.test", api: true, team: planning, teamRole: role.Editor,
		desc: "STAFF, EDITOR in the Planning team: on Planning's projects sees draft surveys and pins and comments in every status, and may change them; VIEWER on the other open-team and teamless projects; cannot see the restricted Housing Taskforce or its projects; never sees personal data, which needs MANAGER."},
	{key: "viewer", name: "Vera Viewer", email: "viewer@demo.engage.test", api: true, project: "affordable-housing-strategy", projectRole: role.Viewer,
		desc: "STAFF, VIEWER of one project of the restricted Housing Taskforce (Affordable Housing Strategy) and of no team: sees that project and the open-team and teamless projects, their non-draft surveys, responses without personal data, and published pins and comments only; the taskforce's other projects and the team itself stay hidden."},
	{key: "moderator", name: "Mo Moderator", email: "moderator@demo.engage.test", api: true, team: parks, teamRole: role.Moderator,
		desc: "STAFF, MODERATOR in the Parks & Recreation team: on Parks projects sees and moderates pins and comments in every status; VIEWER on the other open-team and teamless projects (published pins and comments only); no draft surveys, no personal data, nothing of the restricted Housing Taskforce."},
	{name: "Hugo Housing", email: "hugo.housing@demo.engage.test", api: true, team: housing, teamRole: role.Manager},
	{name: "Priya Patel", email: "priya.patel@demo.engage.test", api: true, project: "downtown-bike-network", projectRole: role.Manager},
	{name: "Tom Temp", email: "tom.temp@demo.engage.test", api: true, project: "tenant-protection-review", projectRole: role.Editor},
	{name: "Sam Staff", email: "sam.staff@demo.engage.test", project: "riverside-park-renewal", projectRole: role.Moderator},
	{name: "Ivan Inactive", email: "ivan.inactive@demo.engage.test", api: true, inactive: true, team: planning, teamRole: role.Editor},
}

// projects cover every status and both moderation settings; two have no team.
var projects = []struct {
	slug, title, team string
	status            project.Status
	mod               project.Moderation
	summary           string
}{
	{"downtown-bike-network", "Downtown Bike Network", planning, project.StatusPUBLISHED, project.ModerationPUBLISH_IMMEDIATELY, "Help us plan a connected network of protected bike lanes through downtown Riverbend."},
	{"main-street-plan", "Main Street Revitalisation Plan", planning, project.StatusPUBLISHED, project.ModerationREQUIRES_APPROVAL, "A ten-year plan for a greener, livelier Main Street."},
	{"zoning-code-update-2027", "Zoning Code Update 2027", planning, project.StatusDRAFT, project.ModerationPUBLISH_IMMEDIATELY, "Modernising the zoning code to allow more kinds of homes near transit."},
	{"riverside-park-renewal", "Riverside Park Renewal", parks, project.StatusPUBLISHED, project.ModerationREQUIRES_APPROVAL, "New paths, play areas and river access for Riverside Park."},
	{"pool-hours-2025", "Community Pool Hours 2025", parks, project.StatusARCHIVED, project.ModerationPUBLISH_IMMEDIATELY, "Setting the 2025 opening hours of the city's three pools."},
	{"affordable-housing-strategy", "Affordable Housing Strategy", housing, project.StatusPUBLISHED, project.ModerationREQUIRES_APPROVAL, "Where and how Riverbend should build homes people can afford."},
	{"tenant-protection-review", "Tenant Protection Review", housing, project.StatusDRAFT, project.ModerationREQUIRES_APPROVAL, "Reviewing the rules that protect renters from unfair evictions and rent rises."},
	{"budget-priorities-2027", "Citywide Budget Priorities 2027", "", project.StatusPUBLISHED, project.ModerationPUBLISH_IMMEDIATELY, "Tell council which services matter most to you in next year's budget."},
	{"library-consolidation", "Library Branch Consolidation", "", project.StatusARCHIVED, project.ModerationREQUIRES_APPROVAL, "Options for the future of the city's four library branches."},
}

// q is a question; for text kinds, opts are sample answers and not stored.
type q struct {
	kind   question.Kind
	prompt string
	opts   []string
	max    int // largest answer of a NUMBER question
}

func text(p string, samples ...string) q { return q{question.KindSHORT_TEXT, p, samples, 0} }
func long(p string, samples ...string) q { return q{question.KindLONG_TEXT, p, samples, 0} }
func one(p string, opts ...string) q     { return q{question.KindSINGLE_CHOICE, p, opts, 0} }
func many(p string, opts ...string) q    { return q{question.KindMULTIPLE_CHOICE, p, opts, 0} }
func rating(p string) q                  { return q{question.KindRATING, p, nil, 0} }
func number(p string, max int) q         { return q{question.KindNUMBER, p, nil, max} }
func date(p string) q                    { return q{question.KindDATE, p, nil, 0} }

// common questions close every survey, as the city's surveys usually do.
var common = []q{
	one("Which part of Riverbend do you live in?", "Old Town", "Northgate", "Riverside", "Eastfield", "Hillcrest", "Outside the city"),
	number("How many years have you lived in Riverbend?", 60),
}

// surveys cover every status and every question kind. opens is the opening
// day relative to base and days how long the survey runs.
var surveys = []struct {
	project, title, desc string
	status               survey.Status
	opens, days, count   int
	questions            []q
}{
	{"downtown-bike-network", "Bike Lane Priorities", "Tell us where protected bike lanes are needed most.", survey.StatusOPEN, -45, 75, 260, []q{
		rating("How safe do you feel cycling downtown today?"),
		many("Which streets most need a protected bike lane?", "Main Street", "River Road", "Station Avenue", "College Street", "Harbour Drive"),
		number("How many trips do you make by bike in a typical week?", 20),
		one("What would make you cycle more?", "Protected lanes", "Secure parking", "Lower speed limits", "Better lighting", "Nothing, I don't cycle"),
		long("Anything else we should know about cycling downtown?", "Drivers often turn across the lane without looking.", "My children would cycle to school if it felt safe.", "The lights at Station Avenue are far too short.", "Please clear the lanes of snow in winter."),
	}},
	{"downtown-bike-network", "Bike Parking Locations", "Where should the city install new bike parking?", survey.StatusDRAFT, 20, 30, 0, []q{
		text("Where would you like a new bike rack?"),
		many("Which kinds of parking would you use?", "Sheffield stands", "Covered shelter", "Bike lockers", "Cargo bike bays"),
	}},
	{"main-street-plan", "Main Street Vision Survey", "Share your vision for Main Street in 2035.", survey.StatusCLOSED, -200, 45, 180, []q{
		text("Describe Main Street in 2035 in a few words.", "Green and walkable", "Busy and fun", "Car free", "Full of small shops", "Safe at night"),
		many("What would bring you to Main Street more often?", "Wider sidewalks", "More trees", "Outdoor seating", "Events and markets", "Easier parking"),
		rating("How would you rate Main Street today?"),
		date("When did you last shop on Main Street?"),
		long("What should the plan change first?", "The sidewalks are too narrow for strollers.", "Too many shops stand empty.", "It needs places to sit in the shade.", "Traffic is too fast for a shopping street."),
	}},
	{"riverside-park-renewal", "Riverside Park Amenities", "Which amenities should the renewed park offer?", survey.StatusOPEN, -30, 90, 220, []q{
		many("Which amenities would you use?", "Playground", "Dog park", "Picnic shelters", "Public washrooms", "Kayak launch", "Walking loop"),
		rating("How satisfied are you with the park today?"),
		date("When did you last visit Riverside Park?"),
		number("How many people usually come with you?", 10),
		text("What is your favourite spot in the park?", "The old boathouse", "The rose garden", "The bend in the river", "The big oak", "The playground"),
	}},
	{"pool-hours-2025", "Pool Schedule Preferences", "Help set next season's pool opening hours.", survey.StatusCLOSED, -420, 40, 120, []q{
		one("When would you swim most?", "Early morning", "Lunchtime", "After work", "Weekends"),
		many("Which programmes interest you?", "Lane swimming", "Aquafit", "Swim lessons", "Family swim"),
		rating("How would you rate the current schedule?"),
		date("When did you last swim at a city pool?"),
	}},
	{"affordable-housing-strategy", "Housing Needs Assessment", "Help us understand the housing needs of Riverbend.", survey.StatusOPEN, -60, 120, 200, []q{
		one("Do you rent or own your home?", "Rent", "Own", "Live with family", "Other"),
		number("What share of your income goes to housing, in percent?", 80),
		many("Which housing types does Riverbend need most?", "Starter homes", "Family rentals", "Senior housing", "Supportive housing", "Student housing"),
		rating("How affordable is housing in your neighbourhood?"),
		long("Tell us about your housing situation.", "Our rent went up 15% this year.", "We cannot find a three-bedroom flat we can afford.", "My parents want to downsize but there is nothing nearby.", "I share a house with four others to afford rent."),
	}},
	{"budget-priorities-2027", "Budget Priorities 2027", "Which services should next year's budget favour?", survey.StatusOPEN, -20, 50, 160, []q{
		many("Which services should get more funding?", "Road repair", "Parks", "Libraries", "Public safety", "Transit", "Housing"),
		one("Should property taxes rise to fund them?", "Yes", "No", "Only slightly", "Not sure"),
		rating("How well does the city spend its budget?"),
		text("One thing the city should stop funding:", "Consultants", "The new stadium", "Flower beds downtown", "Nothing", "Road widening"),
	}},
	{"library-consolidation", "Library Use Survey", "How do you use the city's libraries?", survey.StatusCLOSED, -300, 60, 100, []q{
		one("Which branch do you use most?", "Central", "Northgate", "Eastfield", "I don't use the library"),
		number("How many times did you visit a library last month?", 15),
		date("When did you last borrow a book?"),
		many("What do you use the library for?", "Borrowing books", "Study space", "Computers", "Children's events", "Meeting rooms"),
		long("How would consolidation affect you?", "I walk to my branch; the central one is two buses away.", "My kids go to story time every week.", "I would not mind if the opening hours were longer.", "I use the computers to apply for jobs."),
	}},
}

// mapSpec describes a map of the data set and the pins dropped on it.
type mapSpec struct {
	project, title   string
	lat, lon         float64
	zoom, pins, from int
	notes            [][2]string
}

// maps centre on Riverbend. Pins are dropped over the 90 days after day from
// (earlier for archived projects) and take one of the (category, body) notes.
var maps = []mapSpec{
	{"downtown-bike-network", "Cycling Problem Spots", 44.9781, -93.2650, 14, 60, -90, [][2]string{{"Safety", "Cars park in the bike lane here every morning."}, {"Safety", "Dangerous right turn across the lane."}, {"Missing link", "The lane just ends at this junction."}, {"Parking", "No bike racks near the shops."}, {"Idea", "A contraflow lane here would save a long detour."}}},
	{"main-street-plan", "Main Street Ideas Map", 44.9752, -93.2710, 15, 50, -90, [][2]string{{"Idea", "Close this block to cars on weekends."}, {"Greenery", "Plant street trees along this stretch."}, {"Accessibility", "The kerb here has no ramp."}, {"Idea", "Outdoor seating would fit here."}}},
	{"riverside-park-renewal", "Riverside Park Map", 44.9690, -93.2480, 15, 70, -90, [][2]string{{"Amenity", "A drinking fountain is needed here."}, {"Maintenance", "The path floods after rain."}, {"Safety", "The lights are out along this path."}, {"Idea", "Perfect spot for a kayak launch."}, {"Nature", "Herons nest here, please protect it."}}},
	{"pool-hours-2025", "Pool Access Map", 44.9850, -93.2600, 13, 25, -240, [][2]string{{"Access", "No bus stop within walking distance."}, {"Parking", "The car park is always full at 6 pm."}}},
	{"affordable-housing-strategy", "Housing Opportunity Sites", 44.9800, -93.2700, 13, 45, -90, [][2]string{{"Site", "This vacant lot could take townhouses."}, {"Concern", "Rents on this street doubled in three years."}, {"Site", "The old bus depot would make good mixed-use housing."}, {"Concern", "Several houses here are in poor repair."}}},
	{"budget-priorities-2027", "Where Should We Invest?", 44.9778, -93.2650, 12, 40, -90, [][2]string{{"Roads", "Potholes all along this road."}, {"Transit", "This route needs a more frequent bus."}, {"Parks", "This playground is worn out."}, {"Library", "Longer opening hours, please."}}},
	{"library-consolidation", "Library Branches", 44.9778, -93.2650, 12, 20, -240, [][2]string{{"Access", "Closing this branch leaves the area with none."}, {"Idea", "Share the building with the community centre."}}},
}

var (
	firstNames = []string{"Maria", "James", "Aisha", "Chen", "Olivia", "Liam", "Fatima", "Noah", "Sofia", "Mateo", "Grace", "Ravi", "Emma", "Kwame", "Yuki", "Lucas", "Amara", "Ethan", "Zara", "Daniel", "Ingrid", "Omar", "Lena", "Diego"}
	lastNames  = []string{"Garcia", "Smith", "Khan", "Wang", "Johnson", "Nguyen", "Okafor", "Brown", "Rossi", "Silva", "Murphy", "Patel", "Kowalski", "Mensah", "Tanaka", "Schmidt", "Haddad", "Larsen", "Dubois", "Lopez"}
	replies    = []string{"I agree, this is badly needed.", "Same problem on my street.", "I see this every day on my way to work.", "Has anyone told the council directly?", "This would make a real difference for families.", "Not sure this is the right spot, there is little room.", "Fully support this idea!", "It was fixed last year but is broken again."}
)

// loader carries the transaction, the random generators and the IDs of what
// it created so far.
type loader struct {
	tx  *ent.Tx
	rng *rand.Rand // every random choice of the content
	// ids draws every global ID. It is separate from rng so that the content
	// does not depend on how many IDs were drawn.
	ids      *rand.Rand
	teams    map[string]string // name to ID
	projects map[string]string // slug to ID
	approval map[string]bool   // slugs of projects whose contributions need approval
	personas []Persona
}

// Load fills an empty database with the demo data set, in one transaction,
// and returns the personas. It fails with ErrNotEmpty if any user exists.
func Load(ctx context.Context, client *ent.Client) ([]Persona, error) {
	// A system context: the privacy rules deny anonymous writes.
	ctx = rule.System(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	if found, err := tx.User.Query().Exist(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	} else if found {
		return nil, ErrNotEmpty
	}
	l := &loader{tx: tx, rng: rand.New(rand.NewPCG(1, 2)), ids: rand.New(rand.NewPCG(3, 4)), teams: map[string]string{}, projects: map[string]string{}, approval: map[string]bool{}}
	for _, step := range []func(context.Context) error{l.addTeams, l.addProjects, l.addStaff, l.addSurveys, l.addMaps} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return l.personas, nil
}

// inChunks returns a step that inserts bs in bulk, at most chunk rows at a time.
func inChunks[B any](bs []B, insert func(...B) error) func() error {
	return func() error {
		for len(bs) > 0 {
			n := min(len(bs), chunk)
			if err := insert(bs[:n]...); err != nil {
				return err
			}
			bs = bs[n:]
		}
		return nil
	}
}

// run runs steps in order and stops at the first error.
func run(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// addTeams creates the teams.
func (l *loader) addTeams(ctx context.Context) error {
	for _, t := range teams {
		l.teams[t.name] = l.id(gid.Team)
		if err := l.tx.Team.Create().SetID(l.teams[t.name]).SetName(t.name).SetRestricted(t.restricted).
			SetCreatedAt(day(-400)).SetUpdatedAt(day(-400)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// addProjects creates the projects, a month apart.
func (l *loader) addProjects(ctx context.Context) error {
	var ps []*ent.ProjectCreate
	for i, p := range projects {
		l.projects[p.slug], l.approval[p.slug] = l.id(gid.Project), p.mod == project.ModerationREQUIRES_APPROVAL
		at := day(-360 + 30*i)
		b := l.tx.Project.Create().SetID(l.projects[p.slug]).SetSlug(p.slug).SetTitle(p.title).SetSummary(p.summary).
			SetStatus(p.status).SetModeration(p.mod).SetCreatedAt(at).SetUpdatedAt(at)
		if p.team != "" {
			b.SetTeamID(l.teams[p.team])
		}
		ps = append(ps, b)
	}
	return l.tx.Project.CreateBulk(ps...).Exec(ctx)
}

// addStaff creates the staff with their memberships, and notes the
// personas.
func (l *loader) addStaff(ctx context.Context) error {
	tx := l.tx
	for i, s := range staff {
		at, id, r := day(-380+i), l.id(gid.User), user.RoleSTAFF
		if s.admin {
			r = user.RoleADMIN
		}
		err := tx.User.Create().SetID(id).SetEmail(s.email).SetName(s.name).SetRole(r).
			SetAPIAccess(s.api).SetActive(!s.inactive).SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx)
		if err == nil && s.team != "" {
			err = tx.TeamMembership.Create().SetID(l.id(gid.TeamMembership)).SetTeamID(l.teams[s.team]).SetUserID(id).SetRole(s.teamRole).
				SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx)
		}
		if err == nil && s.project != "" {
			err = tx.ProjectMembership.Create().SetID(l.id(gid.ProjectMembership)).SetProjectID(l.projects[s.project]).SetUserID(id).SetRole(s.projectRole).
				SetCreatedAt(at).SetUpdatedAt(at).Exec(ctx)
		}
		if err != nil {
			return err
		}
		if s.key != "" {
			l.personas = append(l.personas, Persona{Key: s.key, Email: s.email, Name: s.name, Description: s.desc, UserID: id})
		}
	}
	return nil
}

// idAlphabet and idLen give the demo's IDs the shape of gid.New's.
const (
	idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	idLen      = 22
)

// id returns a global ID with prefix in gid's format (prefix, "_", 22 base62
// characters), drawn from the seeded ID generator instead of crypto/rand so
// that every load gives the same IDs.
func (l *loader) id(prefix string) string {
	b := make([]byte, idLen)
	for i := range b {
		b[i] = idAlphabet[l.ids.IntN(len(idAlphabet))]
	}
	return prefix + "_" + string(b)
}

// between returns a random time in [from, from+d), to the second.
func (l *loader) between(from time.Time, d time.Duration) time.Time {
	return from.Add(time.Duration(l.rng.Int64N(int64(d/time.Second))) * time.Second)
}

// pick returns a random element of xs.
func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// person returns a random resident's first and last names and email address.
func (l *loader) person() (first, last, email string) {
	first, last = pick(l.rng, firstNames), pick(l.rng, lastNames)
	return first, last, fmt.Sprintf("%s.%s%d@example.org", strings.ToLower(first), strings.ToLower(last), l.rng.IntN(100))
}

// addSurveys creates the surveys with their questions, and their responses
// over the time each survey was open.
func (l *loader) addSurveys(ctx context.Context) error {
	tx := l.tx
	var ss []*ent.SurveyCreate
	var qs []*ent.QuestionCreate
	var rs []*ent.ResponseCreate
	var as []*ent.AnswerCreate
	for _, s := range surveys {
		sid, pid, opens := l.id(gid.Survey), l.projects[s.project], day(s.opens)
		closes, created := opens.AddDate(0, 0, s.days), opens.AddDate(0, 0, -14)
		ss = append(ss, tx.Survey.Create().SetID(sid).SetProjectID(pid).SetTitle(s.title).
			SetDescription(s.desc).SetStatus(s.status).SetOpensAt(opens).SetClosesAt(closes).
			SetCreatedAt(created).SetUpdatedAt(created))
		questions := slices.Concat(s.questions, common)
		qids, qbs := l.questions(sid, pid, questions, created)
		qs = append(qs, qbs...)
		end := closes
		if base.Before(end) { // open surveys have responses up to today only
			end = base
		}
		window := end.Sub(opens)
		for range s.count {
			r, abs := l.response(sid, pid, questions, qids, l.between(opens, window))
			rs, as = append(rs, r), append(as, abs...)
		}
	}
	return run(
		inChunks(ss, func(b ...*ent.SurveyCreate) error { return tx.Survey.CreateBulk(b...).Exec(ctx) }),
		inChunks(qs, func(b ...*ent.QuestionCreate) error { return tx.Question.CreateBulk(b...).Exec(ctx) }),
		inChunks(rs, func(b ...*ent.ResponseCreate) error { return tx.Response.CreateBulk(b...).Exec(ctx) }),
		inChunks(as, func(b ...*ent.AnswerCreate) error { return tx.Answer.CreateBulk(b...).Exec(ctx) }),
	)
}

// questions makes the questions of survey sid of project pid, in order,
// and returns their IDs with them.
func (l *loader) questions(sid, pid string, questions []q, created time.Time) ([]string, []*ent.QuestionCreate) {
	qids := make([]string, len(questions))
	qs := make([]*ent.QuestionCreate, len(questions))
	for i, qu := range questions {
		qids[i] = l.id(gid.Question)
		qs[i] = l.tx.Question.Create().SetID(qids[i]).SetSurveyID(sid).SetProjectID(pid).SetPosition(i).SetKind(qu.kind).
			SetPrompt(qu.prompt).SetRequired(qu.kind == question.KindSINGLE_CHOICE || qu.kind == question.KindRATING).
			SetCreatedAt(created).SetUpdatedAt(created)
		if qu.kind == question.KindSINGLE_CHOICE || qu.kind == question.KindMULTIPLE_CHOICE {
			qs[i].SetOptions(qu.opts)
		}
	}
	return qids, qs
}

// response makes a response to survey sid submitted at at, answering every
// question (of IDs qids); most respondents give their name and email.
func (l *loader) response(sid, pid string, questions []q, qids []string, at time.Time) (*ent.ResponseCreate, []*ent.AnswerCreate) {
	rid := l.id(gid.Response)
	r := l.tx.Response.Create().SetID(rid).SetSurveyID(sid).SetProjectID(pid).SetSubmittedAt(at).SetCreatedAt(at).SetUpdatedAt(at)
	if first, last, email := l.person(); l.rng.IntN(100) < 85 { // some respondents stay anonymous
		r.SetRespondentName(first + " " + last).SetRespondentEmail(email)
	}
	as := make([]*ent.AnswerCreate, len(questions))
	for i, qu := range questions {
		as[i] = l.tx.Answer.Create().SetID(l.id(gid.Answer)).SetResponseID(rid).SetProjectID(pid).SetQuestionID(qids[i]).
			SetValue(l.answer(qu, at)).SetCreatedAt(at).SetUpdatedAt(at)
	}
	return r, as
}

// answer returns a plausible answer to qu from a response submitted at at.
func (l *loader) answer(qu q, at time.Time) string {
	switch qu.kind {
	case question.KindSHORT_TEXT, question.KindLONG_TEXT, question.KindSINGLE_CHOICE:
		return pick(l.rng, qu.opts)
	case question.KindMULTIPLE_CHOICE:
		var chosen []string
		for _, o := range qu.opts {
			if l.rng.IntN(100) < 35 {
				chosen = append(chosen, o)
			}
		}
		if len(chosen) == 0 {
			chosen = append(chosen, pick(l.rng, qu.opts))
		}
		return strings.Join(chosen, "\n")
	case question.KindRATING: // two draws, so middle ratings are likelier, as in real surveys
		return strconv.Itoa((l.rng.IntN(5)+l.rng.IntN(5))/2 + 1)
	case question.KindNUMBER:
		return strconv.Itoa(l.rng.IntN(qu.max + 1))
	default: // DATE: some day in the three months before the response
		return at.AddDate(0, 0, -l.rng.IntN(90)).Format(time.DateOnly)
	}
}

// status picks a moderation status for the n-th contribution of a map. The
// first ones of a map needing approval take each status in turn, so every
// status is present whatever the generator draws.
func (l *loader) status(approval bool, n int) moderation.Status {
	switch r := l.rng.IntN(100); {
	case approval && n < len(moderation.All):
		return moderation.All[n]
	case r < 8: // moderators hid a few afterwards
		return moderation.Hidden
	case !approval || r < 68:
		return moderation.Published
	case r < 88:
		return moderation.Pending
	default:
		return moderation.Rejected
	}
}

// addMaps creates the maps, with pins and comments in every moderation
// status.
func (l *loader) addMaps(ctx context.Context) error {
	tx := l.tx
	var ms []*ent.ProjectMapCreate
	var ps []*ent.PinCreate
	var cs []*ent.CommentCreate
	for _, m := range maps {
		mid, from := l.id(gid.Map), day(m.from)
		ms = append(ms, tx.ProjectMap.Create().SetID(mid).SetProjectID(l.projects[m.project]).SetTitle(m.title).
			SetCenterLatitude(m.lat).SetCenterLongitude(m.lon).SetZoom(m.zoom).SetCreatedAt(from).SetUpdatedAt(from))
		comments := 0
		for n := range m.pins {
			pid, at, p := l.pin(m, mid, n)
			ps = append(ps, p)
			for range l.rng.IntN(4) {
				cs = append(cs, l.comment(m, pid, at, comments))
				comments++
			}
		}
	}
	return run(
		inChunks(ms, func(b ...*ent.ProjectMapCreate) error { return tx.ProjectMap.CreateBulk(b...).Exec(ctx) }),
		inChunks(ps, func(b ...*ent.PinCreate) error { return tx.Pin.CreateBulk(b...).Exec(ctx) }),
		inChunks(cs, func(b ...*ent.CommentCreate) error { return tx.Comment.CreateBulk(b...).Exec(ctx) }),
	)
}

// pin makes the n-th pin of map m (of ID mid), dropped within the map's
// initial view in the 90 days after its day from, and returns its ID and
// when it was dropped with it. Authors show a first name and an initial;
// some leave an email.
func (l *loader) pin(m mapSpec, mid string, n int) (string, time.Time, *ent.PinCreate) {
	pid, note, at := l.id(gid.Pin), pick(l.rng, m.notes), l.between(day(m.from), 90*24*time.Hour)
	spread := 0.08 / math.Exp2(float64(m.zoom-12))
	first, last, email := l.person()
	p := l.tx.Pin.Create().SetID(pid).SetMapID(mid).SetProjectID(l.projects[m.project]).SetCategory(note[0]).SetBody(note[1]).
		SetLatitude(round6(m.lat + (l.rng.Float64()-0.5)*spread)).
		SetLongitude(round6(m.lon + (l.rng.Float64()-0.5)*spread*1.4)).
		SetAuthorName(first + " " + last[:1] + ".").SetStatus(l.status(l.approval[m.project], n)).SetCreatedAt(at).SetUpdatedAt(at)
	if l.rng.IntN(100) < 40 {
		p.SetAuthorEmail(email)
	}
	return pid, at, p
}

// comment makes the n-th comment of map m: a reply to pin pid within 10
// days of pinned, when the pin was dropped.
func (l *loader) comment(m mapSpec, pid string, pinned time.Time, n int) *ent.CommentCreate {
	first, last, email := l.person()
	at := l.between(pinned, 10*24*time.Hour)
	c := l.tx.Comment.Create().SetID(l.id(gid.Comment)).SetPinID(pid).SetProjectID(l.projects[m.project]).SetBody(pick(l.rng, replies)).SetAuthorName(first + " " + last[:1] + ".").
		SetStatus(l.status(l.approval[m.project], n)).SetCreatedAt(at).SetUpdatedAt(at)
	if l.rng.IntN(100) < 30 {
		c.SetAuthorEmail(email)
	}
	return c
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
