package schema

import (
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

// User is a member of staff who logs into the dashboard or uses API tokens.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{withID(gid.User), timeMixin{}, privacyMixin{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254).
			Annotations(personal).
			Comment("Login email address; shown only to the user themself and to administrators."),
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")).
			Comment("Display name."),
		field.Enum("role").Values("ADMIN", "STAFF").Default("STAFF").
			Annotations(entgql.Type("UserRole"), valueDocs{
				"ADMIN": "Manages users, teams and tokens, and is MANAGER on every project.",
				"STAFF": "Sees and changes what team and project memberships grant.",
			}).
			Comment("ADMIN manages everything and is MANAGER on every project; STAFF sees what memberships grant."),
		field.Bool("api_access").Default(false).
			Comment("Whether a STAFF user may mint API tokens (administrators always may)."),
		field.Bool("active").Default(true).
			Comment("Inactive users, and their tokens, have no access at all."),
		field.String("password_hash").Optional().Sensitive().Annotations(secret).
			Comment("Password hash for the login page; never exposed."),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		children("team_memberships", TeamMembership.Type, "The user's team memberships."),
		children("project_memberships", ProjectMembership.Type, "The user's project memberships."),
		children("api_tokens", APIToken.Type, "API tokens the user owns."),
	}
}

func (User) Policy() ent.Policy { return rule.UserPolicy() }

func (User) Annotations() []schema.Annotation {
	return node("A member of staff.", "users", "users", true)
}

// Team groups staff and projects; a restricted team's projects are visible to
// its members only.
type Team struct{ ent.Schema }

func (Team) Mixin() []ent.Mixin { return []ent.Mixin{withID(gid.Team), timeMixin{}, privacyMixin{}} }

func (Team) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")).
			Comment("Team name."),
		field.Bool("restricted").Default(false).
			Comment("When true, only members (and administrators) see the team and its projects."),
	}
}

func (Team) Edges() []ent.Edge {
	return []ent.Edge{
		children("memberships", TeamMembership.Type, "Who belongs to the team, with which role.", filterable),
		children("projects", Project.Type, "Projects run by the team."),
	}
}

func (Team) Policy() ent.Policy { return rule.TeamPolicy() }

func (Team) Annotations() []schema.Annotation {
	return node("A team of staff that runs projects.", "teams", "teams", true)
}

// TeamMembership gives a user a project role on every project of a team.
type TeamMembership struct{ ent.Schema }

func (TeamMembership) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.TeamMembership), timeMixin{}, privacyMixin{}}
}

func (TeamMembership) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").GoType(role.Role("")).
			Annotations(entgql.Type("ProjectRole"), entgql.OrderField("ROLE"), roleDocs).
			Comment("Role the member has on each of the team's projects."),
		field.String("team_id").Immutable().Comment("The team."),
		field.String("user_id").Immutable().Annotations(hiddenLink).Comment("The member."),
	}
}

func (TeamMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("team", Team.Type).Ref("memberships").Field("team_id").Annotations(filterable).
			Unique().Required().Immutable().Comment("The team."),
		edge.From("user", User.Type).Ref("team_memberships").Field("user_id").
			Unique().Required().Immutable().Comment("The member."),
	}
}

func (TeamMembership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("team_id", "user_id").Unique(),
		index.Fields("user_id"),
	}
}

func (TeamMembership) Policy() ent.Policy { return rule.TeamMembershipPolicy() }

func (TeamMembership) Annotations() []schema.Annotation {
	return node("A user's membership of a team, with a project role.", "teamMemberships", "team memberships", true)
}
