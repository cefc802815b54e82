package api_test

// The worlds of TestDifferential (differential_test.go): generated at random
// from a seed, and read back from the database into the oracle.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"engage/ent"
	"engage/ent/auditevent"
	"engage/ent/project"
	"engage/ent/question"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/moderation"
	"engage/role"
	"engage/testdb"
	"engage/token"
)

// words are the values of answers and the titles of maps and pins.
var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}

// baseTime is the earliest submittedAt of a generated response.
var baseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// answerKinds are the kinds of the world's questions: text, and each kind
// with a typed value that filters and orderings compare.
var answerKinds = []question.Kind{question.KindSHORT_TEXT, question.KindNUMBER, question.KindRATING, question.KindDATE, question.KindMULTIPLE_CHOICE}

// answerValue draws a value that a question of the kind takes; numbers are
// few, so that filters and orderings meet equal ones.
func answerValue(r *rand.Rand, kind question.Kind) string {
	switch kind {
	case question.KindNUMBER:
		return pick(r, []string{"-3", "8", "9", "9.5", "10", "12.5"})
	case question.KindRATING:
		return fmt.Sprint(1 + r.IntN(5))
	case question.KindDATE:
		return baseTime.AddDate(0, 0, r.IntN(60)-30).Format(time.DateOnly)
	case question.KindMULTIPLE_CHOICE:
		chosen := slices.Clone(words)
		r.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
		return strings.Join(chosen[:1+r.IntN(3)], "\n")
	}
	return pick(r, words) + " " + pick(r, words)
}

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
// random IDs), with the system context. Its parts draw from the world's
// random source in this order.
func (d *diffRun) generate(c *ent.Client) {
	userIDs, teamIDs := d.generatePeople(c)
	projectIDs := d.generateProjects(c, userIDs, teamIDs)
	d.generateSurveys(c, projectIDs)
	d.generateMaps(c, projectIDs)
	d.generateTokens(c, userIDs, projectIDs)
}

// generatePeople inserts users, teams and team memberships.
func (d *diffRun) generatePeople(c *ent.Client) (userIDs, teamIDs []string) {
	ctx, r := testdb.System(), d.rng
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
	return userIDs, teamIDs
}

// generateProjects inserts projects, some in a team, and project
// memberships.
func (d *diffRun) generateProjects(c *ent.Client, userIDs, teamIDs []string) (projectIDs []string) {
	ctx, r := testdb.System(), d.rng
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
	return projectIDs
}

// generateSurveys inserts surveys, then their questions and responses, then
// answers.
func (d *diffRun) generateSurveys(c *ent.Client, projectIDs []string) {
	ctx, r := testdb.System(), d.rng
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
				SetKind(pick(r, answerKinds)).SetOptions(words).SetPrompt(fmt.Sprintf("Question %d?", q)))
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
					SetValue(answerValue(r, q.Kind)))
			}
		}
	}
	for _, a := range c.Answer.CreateBulk(answerBs...).SaveX(ctx) {
		d.noteIDs(a.ID)
	}
}

// generateMaps inserts maps, pins and comments.
func (d *diffRun) generateMaps(c *ent.Client, projectIDs []string) {
	ctx, r := testdb.System(), d.rng
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
}

// generateTokens inserts tokens, with random restrictions. token.Mint
// refuses an expiry in the past, so expired tokens are inserted as Mint
// would, with a past expiry.
func (d *diffRun) generateTokens(c *ent.Client, userIDs, projectIDs []string) {
	ctx, r := testdb.System(), d.rng
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
