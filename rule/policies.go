package rule

import (
	"engage/ent"
	"engage/ent/privacy"
)

// BasePolicy runs before every entity's own policy (through the base mixin
// of ent/schema): anonymous requests are denied everything, read-only tokens
// every change.
func BasePolicy() privacy.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{DenyIfNoViewer()},
		Mutation: privacy.MutationPolicy{DenyIfNoViewer(), DenyIfReadOnly()},
	}
}

// policy ends an entity's own rules with a deny, so that whatever no rule
// allows is refused.
//
// Entities visible exactly when their parent is (a survey's questions and
// responses, a response's or question's answers, a project's maps and
// memberships) skip their filter when loaded as a connection of parents
// the request has read (allowChildrenOf); every other read is filtered.
func policy(query privacy.QueryPolicy, mutation privacy.MutationPolicy) privacy.Policy {
	return privacy.Policy{
		Query:    append(query, privacy.AlwaysDenyRule()),
		Mutation: append(mutation, privacy.AlwaysDenyRule()),
	}
}

// adminOnly is the mutation policy of what only administrators change.
var adminOnly = privacy.MutationPolicy{AllowIfAdmin(), DenyAdminOnlyWrites()}

// UserPolicy: users see themselves, and users who share a team or project
// with them; administrators see and change everyone.
func UserPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.UserQuery](VisibleUsers)}, adminOnly)
}

// TeamPolicy: open teams and one's own teams are visible; administrators
// manage teams.
func TeamPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.TeamQuery](VisibleTeams)}, adminOnly)
}

// TeamMembershipPolicy: memberships of visible teams are visible;
// administrators manage them.
func TeamMembershipPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.TeamMembershipQuery](VisibleTeamMemberships)}, adminOnly)
}

// ProjectPolicy: projects on which the caller has a role are visible; team
// MANAGERs create projects in their team and EDITORs change them.
func ProjectPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.ProjectQuery](VisibleProjects)}, privacy.MutationPolicy{AllowIfAdmin(), AllowProjectWrites()})
}

// ProjectMembershipPolicy: memberships of visible projects are visible;
// administrators manage them.
func ProjectMembershipPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), allowChildrenOf[ent.Project](), filter[*ent.ProjectMembershipQuery](VisibleProjectMemberships)}, adminOnly)
}

// SurveyPolicy: surveys of visible projects, drafts from EDITOR up; EDITORs
// write them.
func SurveyPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.SurveyQuery](VisibleSurveys)}, privacy.MutationPolicy{AllowIfAdmin(), AllowSurveyWrites()})
}

// QuestionPolicy: questions of visible surveys; EDITORs write them.
func QuestionPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), allowChildrenOf[ent.Survey](), filter[*ent.QuestionQuery](VisibleQuestions)}, privacy.MutationPolicy{AllowIfAdmin(), AllowQuestionWrites()})
}

// ResponsePolicy: responses to visible surveys; EDITORs record them.
func ResponsePolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), allowChildrenOf[ent.Survey](), filter[*ent.ResponseQuery](VisibleResponses)}, privacy.MutationPolicy{AllowIfAdmin(), AllowResponseWrites()})
}

// AnswerPolicy: answers of visible responses; EDITORs record them. An
// answer's question and response share their survey, so the answers of a
// visible question or response are visible.
func AnswerPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), allowChildrenOf[ent.Response](), allowChildrenOf[ent.Question](), filter[*ent.AnswerQuery](VisibleAnswers)}, privacy.MutationPolicy{AllowIfAdmin(), AllowAnswerWrites()})
}

// MapPolicy: maps of visible projects; EDITORs write them.
func MapPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), allowChildrenOf[ent.Project](), filter[*ent.ProjectMapQuery](VisibleMaps)}, privacy.MutationPolicy{AllowIfAdmin(), AllowMapWrites()})
}

// PinPolicy: published pins of visible maps, every status from MODERATOR
// up; EDITORs write pins and MODERATORs moderate them.
func PinPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.PinQuery](VisiblePins)}, privacy.MutationPolicy{AllowIfAdmin(), AllowPinWrites()})
}

// CommentPolicy: published comments of visible pins, every status from
// MODERATOR up; EDITORs write comments and MODERATORs moderate them.
func CommentPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.CommentQuery](VisibleComments)}, privacy.MutationPolicy{AllowIfAdmin(), AllowCommentWrites()})
}

// APITokenPolicy: owners see and change their tokens, administrators all;
// the secret hash is never exposed (it is not in the GraphQL schema). The
// limits and the minting rule come before AllowIfAdmin, so that not even an
// administrator mints a token for someone else, or through a token one
// that exceeds it.
func APITokenPolicy() privacy.Policy {
	return policy(
		privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.APITokenQuery](VisibleTokens)},
		privacy.MutationPolicy{DenyTokenBeyondLimits(), AllowMintingOwnToken(), AllowIfAdmin(), AllowChangingOwnToken()},
	)
}

// AuditEventPolicy: administrators see every event, token owners the events
// about their tokens. Events are written by the system only.
func AuditEventPolicy() privacy.Policy {
	return policy(privacy.QueryPolicy{AllowIfAdmin(), filter[*ent.AuditEventQuery](VisibleAuditEvents)}, nil)
}

// SessionPolicy denies everything: only the session store, in a system
// context, reads and writes login sessions.
func SessionPolicy() privacy.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
