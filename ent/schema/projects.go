package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"engage/gid"
	"engage/role"
	"engage/rule"
)

// slugPattern is the shape of a project slug.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Project is an engagement project with its surveys and maps.
type Project struct{ ent.Schema }

func (Project) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Project), timeMixin{}, privacyMixin{}}
}

func (Project) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("TITLE")).
			Comment("Project title."),
		field.String("slug").Unique().NotEmpty().MaxLen(100).
			Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")).
			Comment("Unique URL name: lowercase letters, digits and hyphens."),
		field.Text("summary").Default("").
			Comment("Short public description."),
		field.Enum("status").Values("DRAFT", "PUBLISHED", "ARCHIVED").Default("DRAFT").
			Annotations(entgql.OrderField("STATUS"), valueDocs{
				"DRAFT":     "Being prepared; not yet open to the public.",
				"PUBLISHED": "Open to the public.",
				"ARCHIVED":  "Over; kept for the record.",
			}).
			Comment("DRAFT while being prepared, PUBLISHED while open to the public, ARCHIVED when over."),
		field.Enum("moderation").Values("PUBLISH_IMMEDIATELY", "REQUIRES_APPROVAL").Default("PUBLISH_IMMEDIATELY").
			Annotations(valueDocs{
				"PUBLISH_IMMEDIATELY": "New pins and comments are PUBLISHED at once.",
				"REQUIRES_APPROVAL":   "New pins and comments are PENDING until a moderator publishes them.",
			}).
			Comment("Whether new public pins and comments appear at once or wait for a moderator."),
		field.String("team_id").Optional().Nillable().
			Annotations(hiddenLink).
			Comment("ID of the team that runs the project, if any."),
	}
}

func (Project) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("team", Team.Type).Ref("projects").Field("team_id").Unique().
			Comment("The team that runs the project, if any."),
		children("memberships", ProjectMembership.Type, "Users with a role on this project.", filterable),
		children("surveys", Survey.Type, "The project's surveys."),
		children("maps", ProjectMap.Type, "The project's maps.", filterable),
		// The reverse of APIToken.allowed_projects, so that the pair is many-to-many.
		edge.From("allowed_tokens", APIToken.Type).Ref("allowed_projects").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Project) Indexes() []ent.Index {
	return []ent.Index{index.Fields("team_id"), index.Fields("status")}
}

func (Project) Policy() ent.Policy { return rule.ProjectPolicy() }

func (Project) Annotations() []schema.Annotation {
	return node("An engagement project run by a council or agency.", "projects", "projects", true)
}

// ProjectMembership gives a user a role on one project.
type ProjectMembership struct{ ent.Schema }

func (ProjectMembership) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.ProjectMembership), timeMixin{}, privacyMixin{}}
}

func (ProjectMembership) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").GoType(role.Role("")).
			Annotations(entgql.Type("ProjectRole"), entgql.OrderField("ROLE"), roleDocs).
			Comment("The member's role on the project."),
		field.String("project_id").Immutable().Comment("The project."),
		field.String("user_id").Immutable().Annotations(hiddenLink).Comment("The member."),
	}
}

func (ProjectMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("memberships").Field("project_id").Annotations(filterable).
			Unique().Required().Immutable().Comment("The project."),
		edge.From("user", User.Type).Ref("project_memberships").Field("user_id").
			Unique().Required().Immutable().Comment("The member."),
	}
}

func (ProjectMembership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "user_id").Unique(),
		index.Fields("user_id"),
	}
}

func (ProjectMembership) Policy() ent.Policy { return rule.ProjectMembershipPolicy() }

func (ProjectMembership) Annotations() []schema.Annotation {
	return node("A user's role on one project.", "projectMemberships", "project memberships", true)
}
