package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"engage/gid"
	"engage/rule"
)

// APIToken is a bearer secret that acts with its owner's rights.
type APIToken struct{ ent.Schema }

func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.APIToken), timeMixin{}, privacyMixin{}}
}

func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100).
			Annotations(entgql.OrderField("NAME")).
			Comment("Name given by the owner, to tell tokens apart."),
		// At most 500 characters of any size, as package token checks.
		field.String("description").Optional().MaxLen(2000).
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("What the token is for, in the owner's words; empty when not given."),
		field.String("prefix").NotEmpty().MaxLen(16).
			Comment("The first characters of the secret, for recognising the token (for example eng_AbC1); changes when the token is rotated."),
		field.String("secret_hash").NotEmpty().Unique().Sensitive().Annotations(secret).
			Comment("SHA-256 of the secret, hex-encoded; never exposed."),
		field.Bool("read_only").Default(false).Immutable().
			Comment("A read-only token cannot run any mutation."),
		field.Time("expires_at").Optional().Nillable().Immutable().
			Annotations(entgql.OrderField("EXPIRES_AT")).
			Comment("When the token stops working; null for never."),
		field.Time("last_used_at").Optional().Nillable().
			Annotations(entgql.OrderField("LAST_USED_AT")).
			Comment("When the token was last used (updated within a minute)."),
		field.String("last_used_ip").Optional().Nillable().MaxLen(64).
			Comment("IP address of the token's last use."),
		field.Int64("use_count").Default(0).NonNegative().
			Comment("How many requests the token has authenticated."),
		field.Time("revoked_at").Optional().Nillable().
			Comment("When the token was revoked; null while it is live."),
		field.String("owner_id").Immutable().Comment("ID of the user the token acts for."),
	}
}

func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", User.Type).Ref("api_tokens").Field("owner_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The user the token acts for; it never has more rights than they do."),
		edge.To("allowed_projects", Project.Type).
			Annotations(entgql.RelayConnection()).
			Comment("When not empty, the only projects the token may reach."),
		children("audit_events", AuditEvent.Type, "Audit events about this token.", filterable),
	}
}

func (APIToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("owner_id", "id")}
}

func (APIToken) Policy() ent.Policy { return rule.APITokenPolicy() }

func (APIToken) Annotations() []schema.Annotation {
	// Tokens are minted and changed by dedicated mutations, not generic inputs.
	return node("An API token: a bearer secret that acts with its owner's rights.", "apiTokens", "API tokens", false)
}

// AuditEvent records a security-relevant action, such as a token being minted.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Mixin() []ent.Mixin { return []ent.Mixin{withID(gid.AuditEvent), privacyMixin{}} }

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("action").
			Values("TOKEN_CREATED", "TOKEN_RENAMED", "TOKEN_ROTATED", "TOKEN_REVOKED", "TOKEN_REFUSED", "DATA_EXPORTED").
			Annotations(entgql.OrderField("ACTION"), valueDocs{
				"TOKEN_CREATED": "A token was minted.",
				"TOKEN_RENAMED": "A token was renamed.",
				"TOKEN_ROTATED": "A token got a new secret; the old one stopped working.",
				"TOKEN_REVOKED": "A token was revoked.",
				"TOKEN_REFUSED": "A revoked or expired token was presented and refused.",
				"DATA_EXPORTED": "A survey's responses or a map's pins were exported (details: survey or map, format, rows, complete).",
			}).
			Comment("What happened."),
		field.String("ip").Optional().MaxLen(64).Comment("IP address the action came from."),
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")).
			Comment("When it happened."),
		field.JSON("details", map[string]any{}).Optional().
			Annotations(entgql.Type("JSON")).
			Comment("Further facts about the action, such as a token's new name; never a secret."),
		field.String("actor_id").Optional().Nillable().Immutable().Annotations(hiddenLink).Comment("ID of the user who acted, if known."),
		field.String("token_id").Optional().Nillable().Immutable().Comment("ID of the token concerned, if any."),
	}
}

func (AuditEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("actor", User.Type).Field("actor_id").Unique().Immutable().
			Comment("The user who acted, if known."),
		edge.From("token", APIToken.Type).Ref("audit_events").Field("token_id").Unique().Immutable().Annotations(filterable).
			Comment("The token concerned, if any."),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("actor_id"), index.Fields("token_id", "id"), index.Fields("created_at")}
}

func (AuditEvent) Policy() ent.Policy { return rule.AuditEventPolicy() }

func (AuditEvent) Annotations() []schema.Annotation {
	return node("A security-relevant action, such as minting or revoking a token.", "auditEvents", "audit events", false)
}
