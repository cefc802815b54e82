package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"engage/gid"
)

// idMixin gives an entity an opaque, prefixed, random global ID.
type idMixin struct {
	mixin.Schema
	prefix string
}

func withID(prefix string) idMixin { return idMixin{prefix: prefix} }

func (m idMixin) Fields() []ent.Field {
	prefix := m.prefix
	return []ent.Field{
		field.String("id").
			MaxLen(32).
			NotEmpty().
			Immutable().
			DefaultFunc(func() string { return gid.New(prefix) }).
			Comment("Opaque global ID of the object."),
	}
}

// timeMixin records when an entity was created and last updated.
type timeMixin struct{ mixin.Schema }

func (timeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput)).
			Comment("When the object was created."),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("When the object was last changed."),
	}
}

// node describes an entity to GraphQL: a Relay node documented by doc, with a
// root connection named query that lists the plural objects the caller may
// see (with ordering and where-filters) and, when mutable, create and update
// mutation inputs.
func node(doc, query, plural string, mutable bool) []schema.Annotation {
	ann := []schema.Annotation{
		schema.Comment(doc),
		entgql.RelayConnection(),
		// orderBy takes a list of fields, each with its direction, ties
		// broken by ID ascending (pageload: nulls greater than any value).
		entgql.MultiOrder(),
		entgql.QueryField(query).Description("Lists the " + plural + " the caller may see."),
	}
	if mutable {
		ann = append(ann, entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()))
	}
	return ann
}

// children is the edge from a parent to the objects that belong to it, listed
// as a Relay connection. It is not settable from the parent's mutation
// inputs: a child names its parent in its own input instead.
func children(name string, t any, doc string, more ...schema.Annotation) ent.Edge {
	return edge.To(name, t).
		Annotations(append([]schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}, more...)...).
		Comment(doc)
}

// personal marks a field as personal data. It is left out of entgql's
// GraphQL types and declared in schema/*.graphql instead, with the directive
// @personal, which answers null to callers who may not see it
// (rule.MaySeePersonalData, rule.MaySeeEmail). Declared there, the field is
// unknown to entgql's field collection, which then loads every column of the
// object, among them the project that the directive needs. Like every field
// the entity type does not show, it is never filterable or orderable
// (gqlschema), so that no filter can reveal what it hides.
var personal = entgql.Skip(entgql.SkipType)

// filterable marks an edge whose targets are visible whenever its source is
// (a survey's responses, a map's project): only such edges offer
// where-filters (hasX, hasXWith). ent evaluates edge predicates without the
// target's privacy rules (ent issue 2957), so gqlschema leaves every other
// edge out of the where-inputs: an edge added later offers no filter until
// it is marked here, on purpose. api's TestEdgeFiltersOnlyReachVisibleObjects
// lists the marked edges with the reason each is safe.
var filterable = filterableEdge{}

// filterableEdge is the annotation behind filterable.
type filterableEdge struct{}

// Name names the annotation (gqlschema reads it).
func (filterableEdge) Name() string { return "Filterable" }

// projectID is the project of an object that belongs to a project through
// its parents, kept on the object itself by inheritProject (hooks.go) and
// hidden from GraphQL, where the parent edges tell the same.
func projectID() ent.Field {
	return field.String("project_id").Immutable().NotEmpty().
		Annotations(entgql.Skip(entgql.SkipAll)).
		Comment("ID of the project the object belongs to, copied from its parent.")
}

// hiddenLink keeps the ID of a linked object that may be hidden from the
// caller (another user, a restricted team) out of the GraphQL type: the edge
// itself answers null when the object is hidden, and a bare ID would still
// tell that it exists. gqlschema leaves it out of where-filters and ordering
// too, as it does every field the type does not show.
var hiddenLink = entgql.Skip(entgql.SkipType)

// typedValue marks a typed copy of an answer's value: shown, filterable and
// orderable, but written only by the hooks, from the value (hooks.go).
var typedValue = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// secret hides a field from GraphQL entirely.
var secret = entgql.Skip(entgql.SkipAll)

// valueDocs documents each value of an enum field in the GraphQL schema
// (package gqlschema reads it).
type valueDocs map[string]string

// Name names the annotation.
func (valueDocs) Name() string { return "ValueDocs" }

// roleDocs documents the project roles, lowest first.
var roleDocs = valueDocs{
	"VIEWER":    "Sees the project, its maps, its surveys that are not drafts, their responses without personal data, and published pins and comments.",
	"MODERATOR": "A VIEWER who also sees pins and comments in every moderation status and may moderate them.",
	"EDITOR":    "A MODERATOR who also sees draft surveys and may change the project and its surveys, questions, responses, maps, pins and comments.",
	"MANAGER":   "An EDITOR who also sees personal data: respondents' and authors' names and emails.",
}

// moderationDocs documents the moderation statuses of pins and comments.
var moderationDocs = valueDocs{
	"PENDING":   "Waiting for a moderator; seen by moderators and above only.",
	"PUBLISHED": "Visible to everyone who can see the project.",
	"REJECTED":  "Refused by a moderator; seen by moderators and above only.",
	"HIDDEN":    "Taken down after publication; seen by moderators and above only.",
}
