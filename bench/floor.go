package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"reflect"
	"time"
)

// visibleProjectsCTE computes, in SQL, the projects user $1 (a STAFF user
// with an unrestricted token) may see, and whether their role there is at
// least EDITOR, which shows draft surveys. It is the permission model of
// rule.ProjectsWithRole written by hand: a project is visible when it has no
// team, when its team is not restricted, or through a project or team
// membership.
const visibleProjectsCTE = `
WITH pm AS (SELECT project_id, role FROM project_memberships WHERE user_id = $1),
tm AS (SELECT team_id, role FROM team_memberships WHERE user_id = $1),
visible AS (
	SELECT p.id,
	       COALESCE(p.id IN (SELECT project_id FROM pm WHERE role IN ('EDITOR', 'MANAGER'))
	             OR p.team_id IN (SELECT team_id FROM tm WHERE role IN ('EDITOR', 'MANAGER')), false) AS editor
	FROM projects p LEFT JOIN teams t ON t.id = p.team_id
	WHERE p.team_id IS NULL OR NOT t.restricted
	   OR p.id IN (SELECT project_id FROM pm) OR p.team_id IN (SELECT team_id FROM tm)
)`

// floorQuery is the best single statement we know for the nested query: the
// first 10 visible projects with their count, and for each, LATERAL joins
// that take the first 10 visible surveys and the first 10 responses of each
// by primary key, with their counts. One round trip, every level ordered by
// ID as the GraphQL connections are.
const floorQuery = visibleProjectsCTE + `,
page AS (SELECT id, editor, count(*) OVER () AS total FROM visible ORDER BY id LIMIT 10)
SELECT pg.id, pg.total, sc.n, s.id, rc.n, r.id, r.submitted_at
FROM page pg
CROSS JOIN LATERAL (SELECT count(*) AS n FROM surveys s WHERE s.project_id = pg.id AND (s.status <> 'DRAFT' OR pg.editor)) sc
LEFT JOIN LATERAL (SELECT s.id FROM surveys s WHERE s.project_id = pg.id AND (s.status <> 'DRAFT' OR pg.editor) ORDER BY s.id LIMIT 10) s ON true
LEFT JOIN LATERAL (SELECT count(*) AS n FROM responses r WHERE r.survey_id = s.id) rc ON true
LEFT JOIN LATERAL (SELECT r.id, r.submitted_at FROM responses r WHERE r.survey_id = s.id ORDER BY r.id LIMIT 10) r ON true
ORDER BY pg.id, s.id, r.id`

// nested is the result of the nested query, from either side.
type nested struct {
	Total    int
	Projects []nestedProject
}

type nestedProject struct {
	ID          string
	SurveyTotal int
	Surveys     []nestedSurvey
}

type nestedSurvey struct {
	ID            string
	ResponseTotal int
	Responses     []nestedResponse
}

type nestedResponse struct {
	ID          string
	SubmittedAt string // RFC 3339 in UTC, so that both sides compare equal
}

// floor fetches the nested result with floorQuery.
type floor struct {
	db   *sql.DB
	stmt *sql.Stmt
}

// openFloor connects its own pool, as large as the load's concurrency, and
// prepares the statement once (the best case for the floor).
func openFloor(ctx context.Context, url string, conns int) (*floor, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	stmt, err := db.PrepareContext(ctx, floorQuery)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the floor query: %w", err)
	}
	return &floor{db: db, stmt: stmt}, nil
}

func (f *floor) close() { f.stmt.Close(); f.db.Close() }

// fetch returns what the nested query returns to userID.
func (f *floor) fetch(ctx context.Context, userID string) (*nested, error) {
	rows, err := f.stmt.QueryContext(ctx, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &nested{}
	for rows.Next() {
		var (
			pid           string
			total, sTotal int
			sid, rid      sql.NullString
			rTotal        sql.NullInt64
			submitted     sql.NullTime
		)
		if err := rows.Scan(&pid, &total, &sTotal, &sid, &rTotal, &rid, &submitted); err != nil {
			return nil, err
		}
		res.Total = total
		if n := len(res.Projects); n == 0 || res.Projects[n-1].ID != pid {
			res.Projects = append(res.Projects, nestedProject{ID: pid, SurveyTotal: sTotal})
		}
		p := &res.Projects[len(res.Projects)-1]
		if !sid.Valid {
			continue
		}
		if n := len(p.Surveys); n == 0 || p.Surveys[n-1].ID != sid.String {
			p.Surveys = append(p.Surveys, nestedSurvey{ID: sid.String, ResponseTotal: int(rTotal.Int64)})
		}
		s := &p.Surveys[len(p.Surveys)-1]
		if rid.Valid {
			s.Responses = append(s.Responses, nestedResponse{ID: rid.String, SubmittedAt: submitted.Time.UTC().Format(time.RFC3339Nano)})
		}
	}
	return res, rows.Err()
}

// gqlNested is the GraphQL answer to nestedQuery.
type gqlNested struct {
	Data struct {
		Projects struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID      string
					Surveys struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								ID        string
								Responses struct {
									TotalCount int
									Edges      []struct {
										Node struct {
											ID          string
											SubmittedAt time.Time
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
	Errors []json.RawMessage
}

// toNested converts the GraphQL answer for comparison.
func (g *gqlNested) toNested() *nested {
	res := &nested{Total: g.Data.Projects.TotalCount}
	for _, pe := range g.Data.Projects.Edges {
		p := nestedProject{ID: pe.Node.ID, SurveyTotal: pe.Node.Surveys.TotalCount}
		for _, se := range pe.Node.Surveys.Edges {
			s := nestedSurvey{ID: se.Node.ID, ResponseTotal: se.Node.Responses.TotalCount}
			for _, re := range se.Node.Responses.Edges {
				s.Responses = append(s.Responses, nestedResponse{ID: re.Node.ID, SubmittedAt: re.Node.SubmittedAt.UTC().Format(time.RFC3339Nano)})
			}
			p.Surveys = append(p.Surveys, s)
		}
		res.Projects = append(res.Projects, p)
	}
	return res
}

// checkFloorMatches proves that the floor computes what the API answers:
// for both users, the nested query through the server and the floor
// statement must return the same IDs, counts and times. Otherwise the ratio
// would compare different work.
func checkFloorMatches(ctx context.Context, c *apiClient, ds *dataset) error {
	f, err := openFloor(ctx, ds.url, 1)
	if err != nil {
		return err
	}
	defer f.close()
	for _, u := range []benchUser{ds.editor, ds.viewer} {
		status, body, err := c.post(ctx, u.token, bytes.NewReader(nestedBody))
		if err != nil {
			return err
		}
		var g gqlNested
		if err := json.Unmarshal(body, &g); err != nil || status != 200 || len(g.Errors) > 0 {
			return fmt.Errorf("nested query as %s: status %d, %v: %.500s", u.email, status, err, body)
		}
		want, err := f.fetch(ctx, u.id)
		if err != nil {
			return fmt.Errorf("floor query: %w", err)
		}
		if got := g.toNested(); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("the floor and the API disagree for %s:\nAPI:   %+v\nfloor: %+v", u.email, got, want)
		}
		log.Printf("floor matches the API for %s: %d visible projects, first with %d surveys", u.email, want.Total, want.Projects[0].SurveyTotal)
	}
	return nil
}

// measureFloor runs the floor at the same concurrency and for as long as a
// shape, alternating the two users as the nested shape does.
func measureFloor(ctx context.Context, o options, meter *cpuMeter, ds *dataset) (*runResult, error) {
	f, err := openFloor(ctx, ds.url, o.concurrency)
	if err != nil {
		return nil, err
	}
	defer f.close()
	users := []string{ds.editor.id, ds.viewer.id}
	newOp := func(worker int) op {
		i := worker
		return func(ctx context.Context, _ *rand.Rand) (string, error) {
			i++
			_, err := f.fetch(ctx, users[i%2])
			return "floor", err
		}
	}
	log.Printf("running the floor for %s", o.duration)
	var before cpuSnapshot
	r := drive(ctx, "floor (hand-written SQL, in process)", o.concurrency, o.warmup, o.duration, newOp, func() { before = meter.snapshot(ctx) })
	use := meter.snapshot(ctx).since(before)
	r.cpu, r.selfName = &use, "floor (Go side)"
	r.statements = 1 // by construction: one statement per fetch
	return r, nil
}
