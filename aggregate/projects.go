package aggregate

import (
	"context"

	"engage/ent"
	"engage/ent/comment"
	"engage/ent/pin"
	"engage/ent/response"
	"engage/moderation"
)

// ProjectStats is the GraphQL ProjectStats of one project: its responses
// that a filter keeps, and its pins and comments by moderation status.
type ProjectStats struct {
	project *ent.Project
	set     *projectSet
}

// StatusCount is the number of pins or comments in one moderation status.
type StatusCount struct {
	Status moderation.Status
	Count  int
}

// ForProject returns the stats of p, computed with those of the projects
// read with p; where keeps the responses counted (all when nil).
func ForProject(ctx context.Context, client *ent.Client, p *ent.Project, where *ent.ResponseWhereInput) (*ProjectStats, error) {
	set, err := setOf(ctx, p, where, func(projects []*ent.Project) *projectSet {
		return &projectSet{client: clientOf(ctx, client), projects: projects, where: where}
	})
	if err != nil {
		return nil, err
	}
	return &ProjectStats{project: p, set: set}, nil
}

// ResponseCount is the number of responses to the project's surveys.
func (s *ProjectStats) ResponseCount(ctx context.Context) (int, error) {
	counts, err := s.set.responseCounts(ctx)
	return counts[s.project.ID], err
}

// Pins counts the project's pins in each moderation status, every status
// in order, zeros included.
func (s *ProjectStats) Pins(ctx context.Context) ([]*StatusCount, error) {
	counts, err := s.set.pinCounts(ctx)
	return byStatus(counts[s.project.ID]), err
}

// Comments counts the comments on the project's pins as Pins does.
func (s *ProjectStats) Comments(ctx context.Context) ([]*StatusCount, error) {
	counts, err := s.set.commentCounts(ctx)
	return byStatus(counts[s.project.ID]), err
}

func byStatus(counts map[moderation.Status]int) []*StatusCount {
	out := make([]*StatusCount, len(moderation.All))
	for i, st := range moderation.All {
		out[i] = &StatusCount{Status: st, Count: counts[st]}
	}
	return out
}

// projectSet is the stats of some projects under one filter of responses.
type projectSet struct {
	client   *ent.Client
	projects []*ent.Project
	where    *ent.ResponseWhereInput

	responses once[map[string]int]
	pins      once[map[string]map[moderation.Status]int]
	comments  once[map[string]map[moderation.Status]int]
}

func (s *projectSet) ids() []string {
	ids := make([]string, len(s.projects))
	for i, p := range s.projects {
		ids[i] = p.ID
	}
	return ids
}

// perProject is a row of counts per project, and per status.
type perProject struct {
	ProjectID string            `sql:"project_id"`
	Status    moderation.Status `sql:"status"`
	Count     int               `sql:"count"`
}

func (s *projectSet) responseCounts(ctx context.Context) (map[string]int, error) {
	return s.responses.get(func() (map[string]int, error) {
		q, err := s.where.Filter(s.client.Response.Query().Where(response.ProjectIDIn(s.ids()...)))
		if err != nil {
			return nil, err
		}
		var rows []perProject
		err = q.GroupBy(response.FieldProjectID).Aggregate(ent.Count()).Scan(ctx, &rows)
		out := make(map[string]int, len(rows))
		for _, r := range rows {
			out[r.ProjectID] = r.Count
		}
		return out, err
	})
}

func (s *projectSet) pinCounts(ctx context.Context) (map[string]map[moderation.Status]int, error) {
	return s.pins.get(func() (map[string]map[moderation.Status]int, error) {
		var rows []perProject
		err := s.client.Pin.Query().Where(pin.ProjectIDIn(s.ids()...)).
			GroupBy(pin.FieldProjectID, pin.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows)
		return perStatus(rows), err
	})
}

func (s *projectSet) commentCounts(ctx context.Context) (map[string]map[moderation.Status]int, error) {
	return s.comments.get(func() (map[string]map[moderation.Status]int, error) {
		var rows []perProject
		err := s.client.Comment.Query().Where(comment.ProjectIDIn(s.ids()...)).
			GroupBy(comment.FieldProjectID, comment.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows)
		return perStatus(rows), err
	})
}

func perStatus(rows []perProject) map[string]map[moderation.Status]int {
	out := map[string]map[moderation.Status]int{}
	for _, r := range rows {
		if out[r.ProjectID] == nil {
			out[r.ProjectID] = map[moderation.Status]int{}
		}
		out[r.ProjectID][r.Status] = r.Count
	}
	return out
}
