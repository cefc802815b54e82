package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"engage/gid"
	"engage/moderation"
	"engage/rule"
)

// ProjectMap is an interactive map of a project on which the public drops
// pins. GraphQL and SQL call it Map; "map" is a Go keyword.
type ProjectMap struct{ ent.Schema }

func (ProjectMap) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Map), timeMixin{}, privacyMixin{}}
}

func (ProjectMap) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("TITLE")).
			Comment("Map title."),
		field.Float("center_latitude").Min(-90).Max(90).
			Comment("Latitude of the initial map centre, in degrees."),
		field.Float("center_longitude").Min(-180).Max(180).
			Comment("Longitude of the initial map centre, in degrees."),
		field.Int("zoom").Range(0, 22).Default(12).
			Comment("Initial zoom level, 0 (world) to 22 (building)."),
		field.String("project_id").Immutable().Comment("ID of the project the map belongs to."),
	}
}

func (ProjectMap) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("maps").Field("project_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The project the map belongs to."),
		children("pins", Pin.Type, "Pins dropped on the map."),
	}
}

func (ProjectMap) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id", "id")}
}

func (ProjectMap) Policy() ent.Policy { return rule.MapPolicy() }

func (ProjectMap) Annotations() []schema.Annotation {
	// GraphQL calls it Map: codegen/entc renames the generated types, because
	// entgql mistakes a type named Map for its builtin Map scalar. Implements
	// makes field collection accept fragments "on Map"; the rename removes it
	// from the schema.
	return append(node("An interactive map of a project.", "maps", "maps", true),
		entsql.Table("maps"), entgql.Implements("Map"))
}

// moderationStatus is the moderation field shared by pins and comments.
func moderationStatus() ent.Field {
	return field.Enum("status").GoType(moderation.Status("")).
		Annotations(entgql.Type("ModerationStatus"), entgql.OrderField("STATUS"), moderationDocs,
			entgql.Skip(entgql.SkipMutationCreateInput)).
		Comment("Moderation status: the public sees PUBLISHED contributions only. New ones start PUBLISHED, or PENDING when the project requires approval.")
}

// Pin is a public contribution placed on a map.
type Pin struct{ ent.Schema }

func (Pin) Mixin() []ent.Mixin { return []ent.Mixin{withID(gid.Pin), timeMixin{}, privacyMixin{}} }

func (Pin) Fields() []ent.Field {
	return []ent.Field{
		field.Float("latitude").Min(-90).Max(90).Comment("Latitude in degrees."),
		field.Float("longitude").Min(-180).Max(180).Comment("Longitude in degrees."),
		field.String("category").MaxLen(100).Default("").
			Annotations(entgql.OrderField("CATEGORY")).
			Comment("Category chosen by the author, such as \"Safety\" or \"Idea\"."),
		field.Text("body").Comment("What the author wrote."),
		field.String("author_name").MaxLen(200).Default("").Comment("Author's public name."),
		field.String("author_email").Optional().Nillable().MaxLen(254).Annotations(personal).
			Comment("Author's email (personal data: shown to project managers only)."),
		moderationStatus(),
		field.String("map_id").Immutable().Comment("ID of the map the pin is on."),
		projectID(),
	}
}

func (Pin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("map", ProjectMap.Type).Ref("pins").Field("map_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The map the pin is on."),
		children("comments", Comment.Type, "Comments on the pin."),
	}
}

func (Pin) Indexes() []ent.Index {
	return []ent.Index{index.Fields("map_id", "id"), index.Fields("map_id", "status"), index.Fields("project_id", "status")}
}

func (Pin) Policy() ent.Policy { return rule.PinPolicy() }

func (Pin) Annotations() []schema.Annotation {
	return node("A public contribution placed on a map.", "pins", "pins", true)
}

// Comment is a public reply to a pin.
type Comment struct{ ent.Schema }

func (Comment) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Comment), timeMixin{}, privacyMixin{}}
}

func (Comment) Fields() []ent.Field {
	return []ent.Field{
		field.Text("body").Comment("What the author wrote."),
		field.String("author_name").MaxLen(200).Default("").Comment("Author's public name."),
		field.String("author_email").Optional().Nillable().MaxLen(254).Annotations(personal).
			Comment("Author's email (personal data: shown to project managers only)."),
		moderationStatus(),
		field.String("pin_id").Immutable().Comment("ID of the pin the comment replies to."),
		projectID(),
	}
}

func (Comment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("pin", Pin.Type).Ref("comments").Field("pin_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The pin the comment replies to."),
	}
}

func (Comment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("pin_id", "id"), index.Fields("pin_id", "status"), index.Fields("project_id", "status")}
}

func (Comment) Policy() ent.Policy { return rule.CommentPolicy() }

func (Comment) Annotations() []schema.Annotation {
	return node("A public reply to a pin.", "comments", "comments", true)
}
