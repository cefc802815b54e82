package export

import (
	"bufio"
	"encoding/json"
	"net/http"
	"time"

	"engage/ent"
	"engage/ent/comment"
	"engage/ent/pin"
	"engage/gid"
	"engage/rule"
)

// feature is a pin as a GeoJSON Feature (RFC 7946): a point at its
// longitude and latitude, with its fields and its comments as properties.
type feature struct {
	Type       string        `json:"type"`
	ID         string        `json:"id"`
	Geometry   point         `json:"geometry"`
	Properties pinProperties `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // longitude first, as GeoJSON orders them
}

type pinProperties struct {
	Category   string `json:"category"`
	Body       string `json:"body"`
	AuthorName string `json:"authorName"`
	// AuthorEmail is left out for callers who may not see personal data,
	// and null or the email for those who may (personalField).
	AuthorEmail any           `json:"authorEmail,omitempty"`
	Status      string        `json:"status"`
	CreatedAt   time.Time     `json:"createdAt"`
	Comments    []commentJSON `json:"comments"`
}

type commentJSON struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	AuthorName  string    `json:"authorName"`
	AuthorEmail any       `json:"authorEmail,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"createdAt"`
}

// personalField is a personal field as an export writes it: nothing (a
// nil interface, which omitempty leaves out) for a caller who may not see
// it; otherwise the value, null included.
func personalField(allowed bool, v *string) any {
	if !allowed {
		return nil
	}
	return v
}

// mapPins serves a map's pins as a GeoJSON FeatureCollection: the pins the
// caller may see, each with the comments the caller may see (published
// ones; every one, with its status, for moderators).
func (h *Handler) mapPins(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e := h.begin(w, r, map[string]any{"map": id, "format": "geojson"})
	e.finish(e.pins(id), abort) // a cut connection leaves the JSON unfinished
}

func (e *export) pins(id string) error {
	q, err := params(e.r, "where")
	if err != nil {
		return err
	}
	if err := checkID(id, gid.Map, "map"); err != nil {
		return err
	}
	var where *ent.PinWhereInput
	if q.Has("where") {
		where = new(ent.PinWhereInput)
		if err := e.h.where(q.Get("where"), "PinWhereInput", where); err != nil {
			return err
		}
		e.details["filtered"] = true
	}
	release, err := e.h.acquire()
	if err != nil {
		return err
	}
	defer release()

	ctx := e.r.Context()
	tx, err := e.h.snapshot(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // it only read
	m, err := tx.ProjectMap.Get(ctx, id)
	if ent.IsNotFound(err) {
		return notFound("map")
	} else if err != nil {
		return err
	}
	query, err := where.Filter(tx.Pin.Query().Where(pin.MapID(m.ID)))
	if err != nil {
		return invalidFilter("where: " + err.Error())
	}
	personal := rule.MaySeePersonalData(e.viewer, m.ProjectID)
	attachment(e.w, "application/geo+json", "pins-"+m.ID+".geojson")
	out := bufio.NewWriterSize(e.w, 64<<10)
	_, _ = out.WriteString(`{"type":"FeatureCollection","features":[`)
	var last string
	for {
		page := query.Clone().Order(pin.ByID()).Limit(e.h.pageSize).
			WithComments(func(q *ent.CommentQuery) { q.Order(comment.ByCreatedAt(), comment.ByID()) })
		if last != "" {
			page.Where(pin.IDGT(last))
		}
		pins, err := page.All(ctx)
		if err != nil {
			return err
		}
		for _, p := range pins {
			if e.rows > 0 {
				_ = out.WriteByte(',')
			}
			b, err := json.Marshal(pinFeature(p, personal))
			if err != nil {
				return err
			}
			_, _ = out.Write(b)
			e.rows++
		}
		if err := out.Flush(); err != nil {
			return err
		}
		e.pageDone()
		if len(pins) < e.h.pageSize {
			break
		}
		last = pins[len(pins)-1].ID
	}
	_, _ = out.WriteString("]}\n")
	return out.Flush()
}

// pinFeature is p as a GeoJSON feature.
func pinFeature(p *ent.Pin, personal bool) feature {
	comments := make([]commentJSON, len(p.Edges.Comments))
	for i, c := range p.Edges.Comments {
		comments[i] = commentJSON{
			ID: c.ID, Body: c.Body, AuthorName: c.AuthorName, AuthorEmail: personalField(personal, c.AuthorEmail),
			Status: string(c.Status), CreatedAt: c.CreatedAt.UTC(),
		}
	}
	return feature{
		Type: "Feature", ID: p.ID,
		Geometry: point{Type: "Point", Coordinates: [2]float64{p.Longitude, p.Latitude}},
		Properties: pinProperties{
			Category: p.Category, Body: p.Body, AuthorName: p.AuthorName, AuthorEmail: personalField(personal, p.AuthorEmail),
			Status: string(p.Status), CreatedAt: p.CreatedAt.UTC(), Comments: comments,
		},
	}
}
