package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"engage/gid"
	"engage/rule"
)

// Survey is a questionnaire of a project.
type Survey struct{ ent.Schema }

func (Survey) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Survey), timeMixin{}, privacyMixin{}}
}

func (Survey) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("TITLE")).
			Comment("Survey title."),
		field.Text("description").Default("").
			Comment("Introduction shown to respondents."),
		field.Enum("status").Values("DRAFT", "OPEN", "CLOSED").Default("DRAFT").
			Annotations(entgql.OrderField("STATUS"), valueDocs{
				"DRAFT":  "Being written; seen by editors and managers only.",
				"OPEN":   "Taking responses.",
				"CLOSED": "No longer taking responses.",
			}).
			Comment("DRAFT surveys are seen by editors only; OPEN ones take responses; CLOSED ones no longer do."),
		field.Time("opens_at").Optional().Nillable().
			Annotations(entgql.OrderField("OPENS_AT")).
			Comment("When the survey opens to the public, if scheduled."),
		field.Time("closes_at").Optional().Nillable().
			Annotations(entgql.OrderField("CLOSES_AT")).
			Comment("When the survey closes, if scheduled."),
		field.String("project_id").Immutable().Comment("ID of the project the survey belongs to."),
	}
}

func (Survey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("surveys").Field("project_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The project the survey belongs to."),
		children("questions", Question.Type, "The survey's questions.", filterable),
		children("responses", Response.Type, "Responses submitted to the survey.", filterable),
	}
}

func (Survey) Indexes() []ent.Index {
	// (parent, id) indexes let a nested page read its first rows per parent
	// in order (pageload) and serve lookups by parent.
	return []ent.Index{index.Fields("project_id", "id")}
}

func (Survey) Policy() ent.Policy { return rule.SurveyPolicy() }

func (Survey) Annotations() []schema.Annotation {
	return node("A questionnaire of a project.", "surveys", "surveys", true)
}

// Question is one question of a survey.
type Question struct{ ent.Schema }

// questionKinds are the kinds of question, and of answer.
var questionKinds = []string{"SHORT_TEXT", "LONG_TEXT", "SINGLE_CHOICE", "MULTIPLE_CHOICE", "RATING", "NUMBER", "DATE"}

func (Question) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Question), timeMixin{}, privacyMixin{}}
}

func (Question) Fields() []ent.Field {
	return []ent.Field{
		field.Int("position").NonNegative().
			Annotations(entgql.OrderField("POSITION")).
			Comment("Order of the question in its survey, from 0."),
		field.Enum("kind").
			Values(questionKinds...).
			Annotations(valueDocs{
				"SHORT_TEXT":      "A line of free text.",
				"LONG_TEXT":       "Paragraphs of free text.",
				"SINGLE_CHOICE":   "One of the question's options.",
				"MULTIPLE_CHOICE": "One or more of the question's options; answers list them one per line.",
				"RATING":          "A whole number from 1 to 5.",
				"NUMBER":          "A decimal number, such as 42 or -3.5.",
				"DATE":            "A calendar date, written YYYY-MM-DD.",
			}).
			Comment("What kind of answer the question takes."),
		field.Text("prompt").NotEmpty().
			Comment("The question as shown to respondents."),
		field.Bool("required").Default(false).
			Comment("Whether a response must answer it."),
		field.Strings("options").Optional().
			Comment("The choices of a SINGLE_CHOICE or MULTIPLE_CHOICE question."),
		field.String("survey_id").Immutable().Comment("ID of the survey the question belongs to."),
		projectID(),
	}
}

func (Question) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("survey", Survey.Type).Ref("questions").Field("survey_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The survey the question belongs to."),
		children("answers", Answer.Type, "Answers given to the question.", filterable),
	}
}

func (Question) Indexes() []ent.Index {
	return []ent.Index{index.Fields("survey_id", "position"), index.Fields("project_id")}
}

func (Question) Policy() ent.Policy { return rule.QuestionPolicy() }

func (Question) Annotations() []schema.Annotation {
	return node("One question of a survey.", "questions", "questions", true)
}

// Response is one respondent's submission to a survey.
type Response struct{ ent.Schema }

func (Response) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Response), timeMixin{}, privacyMixin{}}
}

func (Response) Fields() []ent.Field {
	return []ent.Field{
		field.Time("submitted_at").Default(time.Now).
			Annotations(entgql.OrderField("SUBMITTED_AT")).
			Comment("When the response was submitted."),
		field.String("respondent_name").Optional().Nillable().MaxLen(200).Annotations(personal).
			Comment("Respondent's name (personal data: shown to project managers only)."),
		field.String("respondent_email").Optional().Nillable().MaxLen(254).Annotations(personal).
			Comment("Respondent's email (personal data: shown to project managers only)."),
		field.String("survey_id").Immutable().Comment("ID of the survey the response answers."),
		projectID(),
	}
}

func (Response) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("survey", Survey.Type).Ref("responses").Field("survey_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The survey the response answers."),
		children("answers", Answer.Type, "The response's answers, one per question answered.", filterable),
	}
}

func (Response) Indexes() []ent.Index {
	return []ent.Index{
		// A survey's responses by ID: with the submission time in the index
		// (PostgreSQL), a page of them as analysts list them (ID and
		// submittedAt) is read from the index alone.
		index.Fields("survey_id", "id").Annotations(entsql.IncludeColumns("submitted_at")),
		index.Fields("survey_id", "submitted_at", "id"),
		// Counts of surveys' responses (totalCount) from the smallest index:
		// PostgreSQL keeps one entry per survey with the list of its rows,
		// a twelfth of the size of the (survey_id, id) index.
		index.Fields("survey_id"),
		index.Fields("project_id"),
		// Pages of responses ordered by submission across surveys.
		index.Fields("submitted_at", "id"),
	}
}

func (Response) Policy() ent.Policy { return rule.ResponsePolicy() }

func (Response) Annotations() []schema.Annotation {
	return node("One respondent's submission to a survey.", "responses", "responses", true)
}

// Answer is a response's answer to one question.
type Answer struct{ ent.Schema }

func (Answer) Mixin() []ent.Mixin {
	return []ent.Mixin{withID(gid.Answer), timeMixin{}, privacyMixin{}}
}

func (Answer) Fields() []ent.Field {
	return []ent.Field{
		field.Text("value").
			Comment("The answer as text: free text, the chosen option(s) joined by newlines, a number or an ISO date."),
		// The value typed by the question's kind, in the one column of its
		// type (answer.Parse), so that filters, ordering and aggregates
		// compare numbers as numbers and dates as dates. The hooks write
		// them with the value, and again when the question's kind changes.
		field.Enum("question_kind").Values(questionKinds...).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The kind of the question answered, copied from the question: it says which typed field holds the value."),
		field.Float("number").Optional().Nillable().
			Annotations(typedValue, entgql.OrderField("NUMBER")).
			Comment("The value of an answer to a NUMBER question, as a number (the exact decimal is the value); null for other kinds."),
		field.Int("rating").Optional().Nillable().
			Annotations(typedValue, entgql.OrderField("RATING")).
			Comment("The value of an answer to a RATING question, from 1 to 5; null for other kinds."),
		field.Time("date").Optional().Nillable().
			SchemaType(map[string]string{dialect.Postgres: "date", dialect.SQLite: "date"}).
			Annotations(typedValue, entgql.Type("Date"), entgql.OrderField("DATE")).
			Comment("The value of an answer to a DATE question, as a date; null for other kinds."),
		// A JSON array: aggregates count per option with json_each
		// (SQLite) or jsonb_array_elements_text (PostgreSQL) on a query of
		// answers, which the Answer policy filters as any other.
		field.Strings("choices").Optional().
			Annotations(typedValue).
			Comment("The options chosen in an answer to a SINGLE_CHOICE (one) or MULTIPLE_CHOICE question, in the order the value lists them; null for other kinds."),
		field.String("response_id").Immutable().Comment("ID of the response the answer is part of."),
		field.String("question_id").Immutable().Comment("ID of the question answered."),
		projectID(),
	}
}

func (Answer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("response", Response.Type).Ref("answers").Field("response_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The response the answer is part of."),
		edge.From("question", Question.Type).Ref("answers").Field("question_id").Unique().Required().Immutable().Annotations(filterable).
			Comment("The question answered."),
	}
}

func (Answer) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("response_id", "id"),
		// A question's answers by ID, with their typed values in the index
		// (PostgreSQL): the aggregates of a page of questions read the
		// index alone (bench/RESULTS.md, "answers' values in the index": +15% aggregates throughput).
		index.Fields("question_id", "id").Annotations(entsql.IncludeColumns("number", "rating", "choices")),
		index.Fields("project_id"),
		// One answer per question in a response (the hook validAnswer
		// checks it first, to say so clearly).
		index.Fields("response_id", "question_id").Unique(),
	}
}

func (Answer) Policy() ent.Policy { return rule.AnswerPolicy() }

func (Answer) Annotations() []schema.Annotation {
	return node("A response's answer to one question. Its value is text (value), and also typed by the question's kind "+
		"in the one field of that kind: text, number, rating, date or choices; the others are null. They are fields side by side, "+
		"rather than a union, so that one selection reads answers of every kind, and where-filters and ordering name the same fields.",
		"answers", "answers", true)
}
