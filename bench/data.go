package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/lib/pq"

	"engage/database"
	"engage/ent"
	"engage/ent/project"
	"engage/ent/survey"
	"engage/ent/user"
	"engage/gid"
	"engage/role"
	"engage/rule"
	"engage/token"
)

// The shape of the data set. Only the responses (and their answers) grow
// with -scale; everything else is fixed, so that a deeper data set changes
// the size of the lists the queries page through, not their number.
const (
	numProjects        = 50
	surveysPerProject  = 10
	questionsPerSurvey = 5 // each response answers every question
	responsesPerScale  = 100
	mapsPerProject     = 2
	pinsPerMap         = 10
	commentsPerPin     = 3
	viewerProjects     = 5 // restricted projects the viewer is a member of
)

// benchUser is a user the load acts as, with a live token.
type benchUser struct {
	id, email, token string
}

// dataset is a loaded bench database and the callers that use it.
type dataset struct {
	name, url string
	rows      map[string]int64 // by table

	// admin is an ADMIN (used for the deep-pagination check only). editor
	// is EDITOR of team Alpha (half the projects, restricted), and sees the
	// drafts there; viewer is VIEWER of a few projects of team Beta
	// (restricted) through project memberships. Both also see every project
	// of the open team Gamma and every project without a team.
	admin, editor, viewer benchUser
	// Invalid tokens: a typo (bad checksum), a well-formed secret that was
	// never minted, and a revoked token.
	malformed, unknown, revoked string
	// visibleResponses samples responses each user may see, by user ID,
	// for node lookups.
	visibleResponses map[string][]string
	// slug of a project the editor sees, and a survey title, for the
	// example queries of explain.go.
	exampleSlug, exampleSurvey string
}

func (d *dataset) summary() string {
	return fmt.Sprintf("database %s: %d projects, %d surveys, %d questions, %d responses, %d answers, %d maps, %d pins, %d comments; "+
		"users: editor %s (EDITOR of team Alpha, restricted, 25 projects), viewer %s (VIEWER of %d projects of team Beta, restricted); "+
		"both also see the open team Gamma's 5 projects and the 5 projects without a team",
		d.name, d.rows["projects"], d.rows["surveys"], d.rows["questions"], d.rows["responses"], d.rows["answers"],
		d.rows["maps"], d.rows["pins"], d.rows["comments"], d.editor.email, d.viewer.email, viewerProjects)
}

// databaseURL returns serverURL with its database replaced by name.
func databaseURL(serverURL, name string) string {
	u, _ := url.Parse(serverURL) // validated by options.validate
	u.Path = "/" + name
	return u.String()
}

// createDataset creates a fresh database on the server, migrates it and
// loads the data set at the given scale.
func createDataset(ctx context.Context, serverURL string, scale int) (*dataset, error) {
	name := "engage_bench_" + strings.ToLower(gid.Random(10))
	admin, err := sql.Open("postgres", serverURL)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return nil, fmt.Errorf("creating the bench database: %w", err)
	}
	ds := &dataset{name: name, url: databaseURL(serverURL, name)}
	log.Printf("created database %s; loading scale %d", name, scale)
	if err := ds.load(ctx, scale); err != nil {
		ds.drop(serverURL)
		return nil, err
	}
	return ds, nil
}

// drop removes the bench database.
func (d *dataset) drop(serverURL string) {
	admin, err := sql.Open("postgres", serverURL)
	if err != nil {
		log.Printf("dropping %s: %v", d.name, err)
		return
	}
	defer admin.Close()
	if _, err := admin.Exec(`DROP DATABASE IF EXISTS "` + d.name + `" WITH (FORCE)`); err != nil {
		log.Printf("dropping %s: %v", d.name, err)
		return
	}
	log.Printf("dropped database %s", d.name)
}

// load applies the migrations and fills the database: the few users,
// teams, projects and surveys through ent, the many rows by COPY.
func (d *dataset) load(ctx context.Context, scale int) error {
	start := time.Now()
	db, err := database.Open(d.url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	sys := rule.System(ctx) // the loader acts outside any user's rights
	c := db.Ent
	adminUser, editor, viewerUser, teams, err := addPeople(sys, c)
	if err != nil {
		return err
	}
	prjs, err := addProjects(sys, c, teams, viewerUser)
	if err != nil {
		return err
	}
	d.exampleSlug = prjs[0].Slug
	svys, err := addSurveys(sys, c, prjs)
	if err != nil {
		return err
	}
	d.exampleSurvey = svys[3].Title

	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	if err := d.copyBulk(ctx, conn, svys, scale); err != nil {
		return err
	}

	// Tokens, minted as the command line does.
	mint := func(u *ent.User) (string, error) {
		_, secret, err := token.Mint(sys, c, token.Spec{OwnerID: u.ID, Name: "bench"}, token.Actor{})
		return secret, err
	}
	d.admin = benchUser{id: adminUser.ID, email: adminUser.Email}
	d.editor = benchUser{id: editor.ID, email: editor.Email}
	d.viewer = benchUser{id: viewerUser.ID, email: viewerUser.Email}
	if err := d.mintTokens(sys, c, mint); err != nil {
		return err
	}

	log.Printf("loaded in %s; analyzing", time.Since(start).Round(time.Millisecond))
	if _, err := conn.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return err
	}
	return d.inspect(ctx, db.SQL)
}

// addPeople makes the bench's users and teams. Alpha and Beta are
// restricted: only members see their projects; Gamma is open to every staff
// user. The editor is an EDITOR of Alpha.
func addPeople(sys context.Context, c *ent.Client) (adminUser, editor, viewerUser *ent.User, teams map[string]*ent.Team, err error) {
	mkUser := func(email string, r user.Role) (*ent.User, error) {
		return c.User.Create().SetEmail(email).SetName(email).SetRole(r).SetAPIAccess(true).Save(sys)
	}
	if adminUser, err = mkUser("admin@bench.test", user.RoleADMIN); err != nil {
		return
	}
	if editor, err = mkUser("editor@bench.test", user.RoleSTAFF); err != nil {
		return
	}
	if viewerUser, err = mkUser("viewer@bench.test", user.RoleSTAFF); err != nil {
		return
	}
	teams = map[string]*ent.Team{}
	for _, t := range []struct {
		name       string
		restricted bool
	}{{"Alpha", true}, {"Beta", true}, {"Gamma", false}} {
		if teams[t.name], err = c.Team.Create().SetName(t.name).SetRestricted(t.restricted).Save(sys); err != nil {
			return
		}
	}
	err = c.TeamMembership.Create().SetTeamID(teams["Alpha"].ID).SetUserID(editor.ID).SetRole(role.Editor).Exec(sys)
	return
}

// addProjects makes the projects: 0-24 Alpha, 25-39 Beta, 40-44 Gamma,
// 45-49 no team; the viewer is a VIEWER of the first viewerProjects of Beta.
func addProjects(sys context.Context, c *ent.Client, teams map[string]*ent.Team, viewerUser *ent.User) ([]*ent.Project, error) {
	projects := make([]*ent.ProjectCreate, numProjects)
	for p := range projects {
		pc := c.Project.Create().SetTitle(fmt.Sprintf("Project %02d", p)).SetSlug(fmt.Sprintf("project-%02d", p)).SetStatus(project.StatusPUBLISHED)
		switch {
		case p < 25:
			pc.SetTeamID(teams["Alpha"].ID)
		case p < 40:
			pc.SetTeamID(teams["Beta"].ID)
		case p < 45:
			pc.SetTeamID(teams["Gamma"].ID)
		}
		projects[p] = pc
	}
	prjs, err := c.Project.CreateBulk(projects...).Save(sys)
	if err != nil {
		return nil, err
	}
	for _, p := range prjs[25 : 25+viewerProjects] {
		if err := c.ProjectMembership.Create().SetProjectID(p.ID).SetUserID(viewerUser.ID).SetRole(role.Viewer).Exec(sys); err != nil {
			return nil, err
		}
	}
	return prjs, nil
}

// addSurveys makes the surveys: in each project the last is a draft (seen
// by editors only) and the one before it closed.
func addSurveys(sys context.Context, c *ent.Client, prjs []*ent.Project) ([]*ent.Survey, error) {
	var surveys []*ent.SurveyCreate
	for _, p := range prjs {
		for s := range surveysPerProject {
			status := "OPEN"
			switch s {
			case surveysPerProject - 1:
				status = "DRAFT"
			case surveysPerProject - 2:
				status = "CLOSED"
			}
			surveys = append(surveys, c.Survey.Create().SetTitle(fmt.Sprintf("Survey %d", s)).SetStatus(survey.Status(status)).SetProjectID(p.ID))
		}
	}
	return c.Survey.CreateBulk(surveys...).Save(sys)
}

// mintTokens gives each user a live token and makes the invalid ones.
func (d *dataset) mintTokens(sys context.Context, c *ent.Client, mint func(*ent.User) (string, error)) error {
	for _, u := range []*benchUser{&d.admin, &d.editor, &d.viewer} {
		owner, err := c.User.Get(sys, u.id)
		if err != nil {
			return err
		}
		if u.token, err = mint(owner); err != nil {
			return fmt.Errorf("minting a token for %s: %w", u.email, err)
		}
	}
	tok, secret, err := token.Mint(sys, c, token.Spec{OwnerID: d.editor.id, Name: "revoked"}, token.Actor{})
	if err != nil {
		return err
	}
	if _, err := token.Revoke(sys, c, tok.ID, token.Actor{}); err != nil {
		return err
	}
	d.revoked = secret
	d.unknown = token.Generate()
	// A typo: the last checksum character changed.
	g := []byte(token.Generate())
	if g[len(g)-1] == 'A' {
		g[len(g)-1] = 'B'
	} else {
		g[len(g)-1] = 'A'
	}
	d.malformed = string(g)
	return nil
}

// copyBulk loads questions, responses, answers, maps, pins and comments by
// COPY. The secondary indexes and foreign keys of responses and answers are
// dropped first and made again after, which is much faster than keeping
// them up to date row by row at a million responses.
func (d *dataset) copyBulk(ctx context.Context, conn *sql.Conn, svys []*ent.Survey, scale int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	questions, err := copyQuestions(ctx, conn, svys)
	if err != nil {
		return err
	}
	if err := copyResponses(ctx, conn, rng, svys, questions, scale); err != nil {
		return err
	}
	return copyMaps(ctx, conn, rng, svys)
}

// bulkBase is the earliest time of the rows copyBulk loads.
var bulkBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// bulkQuestion is a question copyBulk loaded.
type bulkQuestion struct{ id, surveyID, projectID string }

// copyQuestions loads questionsPerSurvey SHORT_TEXT questions per survey,
// returned per survey in the order of svys.
func copyQuestions(ctx context.Context, conn *sql.Conn, svys []*ent.Survey) ([][]bulkQuestion, error) {
	base := bulkBase
	questions := make([][]bulkQuestion, len(svys))
	err := copyRows(ctx, conn, "questions", []string{"id", "created_at", "updated_at", "position", "kind", "prompt", "required", "survey_id", "project_id"},
		func(emit func(...any) error) error {
			for i, s := range svys {
				for q := range questionsPerSurvey {
					qq := bulkQuestion{gid.New(gid.Question), s.ID, s.ProjectID}
					questions[i] = append(questions[i], qq)
					if err := emit(qq.id, base, base, q, "SHORT_TEXT", fmt.Sprintf("Question %d?", q), false, s.ID, s.ProjectID); err != nil {
						return err
					}
				}
			}
			return nil
		})
	return questions, err
}

// copyResponses loads responsesPerScale × scale responses per survey, each
// with an answer to every question of its survey, with the secondary
// indexes and foreign keys of both tables dropped meanwhile.
func copyResponses(ctx context.Context, conn *sql.Conn, rng *rand.Rand, svys []*ent.Survey, questions [][]bulkQuestion, scale int) error {
	base := bulkBase
	restore, err := dropSecondary(ctx, conn, "responses", "answers")
	if err != nil {
		return err
	}
	// Responses arrive over a year, to every survey in turn, as they would;
	// the answers of each are written with it.
	perSurvey := responsesPerScale * scale
	type response struct {
		id     string
		survey int32
	}
	responses := make([]response, 0, perSurvey*len(svys))
	step := 365 * 24 * time.Hour / time.Duration(perSurvey)
	err = copyRows(ctx, conn, "responses", []string{"id", "created_at", "updated_at", "submitted_at", "respondent_name", "respondent_email", "survey_id", "project_id"},
		func(emit func(...any) error) error {
			for round := range perSurvey {
				for i, s := range svys {
					at := base.Add(time.Duration(round)*step + time.Duration(rng.Int64N(int64(step))))
					r := response{gid.New(gid.Response), int32(i)}
					responses = append(responses, r)
					var name, email any
					if rng.IntN(2) == 0 {
						name, email = fmt.Sprint("Respondent ", len(responses)), fmt.Sprintf("r%d@example.test", len(responses))
					}
					if err := emit(r.id, at, at, at, name, email, s.ID, s.ProjectID); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	log.Printf("copied %d responses; copying answers", len(responses))
	values := []string{"Yes", "No", "Maybe", "More cycle lanes, please", "4", "2025-06-01"}
	// The questions are SHORT_TEXT: their answers have no typed value.
	err = copyRows(ctx, conn, "answers", []string{"id", "created_at", "updated_at", "value", "question_kind", "response_id", "question_id", "project_id"},
		func(emit func(...any) error) error {
			for _, r := range responses {
				for _, q := range questions[r.survey] {
					if err := emit(gid.New(gid.Answer), base, base, values[rng.IntN(len(values))], "SHORT_TEXT", r.id, q.id, q.projectID); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	log.Printf("copied answers; rebuilding indexes and foreign keys")
	if err := restore(); err != nil {
		return err
	}
	return nil
}

// copyMaps loads mapsPerProject maps per project, pinsPerMap pins per map
// and commentsPerPin comments per pin: most published, some waiting or
// hidden.
func copyMaps(ctx context.Context, conn *sql.Conn, rng *rand.Rand, svys []*ent.Survey) error {
	base := bulkBase
	statuses := []string{"PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PENDING", "HIDDEN"}
	type pin struct{ id, projectID string }
	var maps [][2]string // id, project
	seen := map[string]bool{}
	for _, s := range svys {
		if !seen[s.ProjectID] {
			seen[s.ProjectID] = true
			for range mapsPerProject {
				maps = append(maps, [2]string{gid.New(gid.Map), s.ProjectID})
			}
		}
	}
	err := copyRows(ctx, conn, "maps", []string{"id", "created_at", "updated_at", "title", "center_latitude", "center_longitude", "zoom", "project_id"},
		func(emit func(...any) error) error {
			for i, m := range maps {
				if err := emit(m[0], base, base, fmt.Sprint("Map ", i), 51.5, -0.1, 12, m[1]); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	var pins []pin
	err = copyRows(ctx, conn, "pins", []string{"id", "created_at", "updated_at", "latitude", "longitude", "category", "body", "author_name", "author_email", "status", "map_id", "project_id"},
		func(emit func(...any) error) error {
			for _, m := range maps {
				for i := range pinsPerMap {
					p := pin{gid.New(gid.Pin), m[1]}
					pins = append(pins, p)
					at := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
					if err := emit(p.id, at, at, 51.5+rng.Float64()/100, -0.1+rng.Float64()/100, "Idea", "A pin", "Author", "a@example.test",
						statuses[i%len(statuses)], m[0], m[1]); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	return copyRows(ctx, conn, "comments", []string{"id", "created_at", "updated_at", "body", "author_name", "author_email", "status", "pin_id", "project_id"},
		func(emit func(...any) error) error {
			for _, p := range pins {
				for i := range commentsPerPin {
					at := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
					if err := emit(gid.New(gid.Comment), at, at, "A comment", "Commenter", "c@example.test", statuses[(i*3)%len(statuses)], p.id, p.projectID); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// copyRows loads the rows that gen emits into table by COPY, in one
// transaction.
func copyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, gen func(emit func(...any) error) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if err := gen(func(v ...any) error { _, err := stmt.ExecContext(ctx, v...); return err }); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	return tx.Commit()
}

// dropSecondary drops the indexes (but the primary key) and the foreign
// keys of tables, as the catalog lists them, and returns what makes them
// again, exactly as they were.
func dropSecondary(ctx context.Context, conn *sql.Conn, tables ...string) (restore func() error, err error) {
	var drops, makes []string
	for _, t := range tables {
		rows, err := conn.QueryContext(ctx, `
			SELECT 'DROP INDEX "' || indexname || '"', indexdef FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename = $1
			  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p')
			UNION ALL
			SELECT 'ALTER TABLE "' || $1 || '" DROP CONSTRAINT "' || conname || '"',
			       'ALTER TABLE "' || $1 || '" ADD CONSTRAINT "' || conname || '" ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var drop, make string
			if err := rows.Scan(&drop, &make); err != nil {
				rows.Close()
				return nil, err
			}
			drops, makes = append(drops, drop), append(makes, make)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	for _, q := range drops {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return func() error {
		for _, q := range makes {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	}, nil
}

// openDataset takes an existing bench database made with -keep: it applies
// the migrations added since (as a server does at start), mints fresh
// tokens (secrets are stored nowhere) and reads the rest.
func openDataset(ctx context.Context, serverURL, name string) (*dataset, error) {
	d := &dataset{name: name, url: databaseURL(serverURL, name)}
	db, err := database.Open(d.url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(); err != nil {
		return nil, fmt.Errorf("migrating %s: %w", name, err)
	}
	sys := rule.System(ctx) // minting and reading act outside any user's rights
	c := db.Ent
	d.admin.email, d.editor.email, d.viewer.email = "admin@bench.test", "editor@bench.test", "viewer@bench.test"
	for _, u := range []*benchUser{&d.admin, &d.editor, &d.viewer} {
		found, err := c.User.Query().Where(user.Email(u.email)).Only(sys)
		if err != nil {
			return nil, fmt.Errorf("%s is not a bench database: %w", name, err)
		}
		u.id = found.ID
	}
	mint := func(u *ent.User) (string, error) {
		_, secret, err := token.Mint(sys, c, token.Spec{OwnerID: u.ID, Name: "bench"}, token.Actor{})
		return secret, err
	}
	if err := d.mintTokens(sys, c, mint); err != nil {
		return nil, err
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT slug FROM projects ORDER BY slug LIMIT 1`).Scan(&d.exampleSlug); err != nil {
		return nil, err
	}
	d.exampleSurvey = "Survey 3"
	return d, d.inspect(ctx, db.SQL)
}

// inspect counts the rows of each table and samples the responses each
// user may see.
func (d *dataset) inspect(ctx context.Context, db *sql.DB) error {
	d.rows = map[string]int64{}
	for _, t := range []string{"projects", "surveys", "questions", "responses", "answers", "maps", "pins", "comments"} {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&n); err != nil {
			return err
		}
		d.rows[t] = n
	}
	d.visibleResponses = map[string][]string{}
	for _, u := range []benchUser{d.editor, d.viewer} {
		rows, err := db.QueryContext(ctx, visibleProjectsCTE+`
			SELECT r.id FROM responses r TABLESAMPLE SYSTEM (10)
			JOIN surveys s ON s.id = r.survey_id JOIN visible v ON v.id = s.project_id
			WHERE s.status <> 'DRAFT' OR v.editor
			LIMIT 5000`, u.id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			d.visibleResponses[u.id] = append(d.visibleResponses[u.id], id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(d.visibleResponses[u.id]) == 0 {
			return fmt.Errorf("no visible response found for %s", u.email)
		}
	}
	return nil
}

// postgresVersion is the server's version, for the report.
func postgresVersion(serverURL string) string {
	db, err := sql.Open("postgres", serverURL)
	if err != nil {
		return "?"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SHOW server_version`).Scan(&v); err != nil {
		return "?"
	}
	return v
}
