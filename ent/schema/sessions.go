package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"engage/rule"
)

// Session is a login session of the web pages, stored for the session
// library (package session). It is never exposed through GraphQL.
type Session struct{ ent.Schema }

func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").StorageKey("token").NotEmpty().Immutable().
			Comment("The session token that the cookie carries."),
		field.Bytes("data").Comment("The session's encoded values."),
		field.Time("expiry").Comment("When the session ends."),
	}
}

func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expiry")}
}

func (Session) Policy() ent.Policy { return rule.SessionPolicy() }

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll), entsql.Table("sessions")}
}
