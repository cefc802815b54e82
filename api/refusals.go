package api

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons of refused requests, the label of engage_requests_refused_total:
// a fixed list, so that no client can grow the number of series.
const (
	refusedMissing     = "unauthenticated_missing"
	refusedScheme      = "unauthenticated_scheme"
	refusedMalformed   = "unauthenticated_malformed_token"
	refusedUnknown     = "unauthenticated_invalid_token"
	refusedRevoked     = "unauthenticated_revoked"
	refusedExpired     = "unauthenticated_expired"
	refusedInactive    = "unauthenticated_inactive_owner"
	refusedNoAccess    = "unauthenticated_no_api_access"
	refusedBodyTooBig  = "body_too_large"
	refusedDepth       = "limit_depth"
	refusedComplexity  = "limit_complexity"
	refusedParse       = "parse_failed"
	refusedValidation  = "validation_failed"
	refusedBadInput    = "bad_input"
	refusedForbidden   = "forbidden"
	refusedNotFound    = "not_found"
	refusedConflict    = "conflict"
	refusedUnavailable = "unavailable"
)

// refusedByCode is the reason of a GraphQL error by its extensions.code.
var refusedByCode = map[string]string{
	"DEPTH_LIMIT":               refusedDepth,
	"COMPLEXITY_LIMIT":          refusedComplexity,
	"GRAPHQL_PARSE_FAILED":      refusedParse,
	"GRAPHQL_VALIDATION_FAILED": refusedValidation,
	codeBadInput:                refusedBadInput,
	codeForbidden:               refusedForbidden,
	codeNotFound:                refusedNotFound,
	codeConflict:                refusedConflict,
	codeUnavailable:             refusedUnavailable,
}

// refusals counts refused requests by reason: a refused authentication, a
// limit, bad input, and the GraphQL errors of each class (one per error).
type refusals struct{ counter *prometheus.CounterVec }

func newRefusals() refusals {
	r := refusals{prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "engage_requests_refused_total",
		Help: "Requests refused, and GraphQL errors answered, by reason (a fixed list).",
	}, []string{"reason"})}
	for _, reason := range []string{refusedMissing, refusedScheme, refusedMalformed, refusedUnknown, refusedRevoked,
		refusedExpired, refusedInactive, refusedNoAccess, refusedBodyTooBig} {
		r.counter.WithLabelValues(reason) // shown at 0 from the start
	}
	for _, reason := range refusedByCode {
		r.counter.WithLabelValues(reason)
	}
	return r
}

func (r refusals) add(reason string) { r.counter.WithLabelValues(reason).Inc() }

// addCode counts a GraphQL error by its code; errors of no known class
// (internal ones) are not refusals.
func (r refusals) addCode(code any) {
	if s, ok := code.(string); ok {
		if reason, ok := refusedByCode[s]; ok {
			r.add(reason)
		}
	}
}

// authReason is the reason of an authentication failure.
func authReason(err *authError) string {
	for _, known := range []struct {
		err    *authError
		reason string
	}{
		{errMissing, refusedMissing}, {errScheme, refusedScheme}, {errUnknown, refusedUnknown},
		{errRevoked, refusedRevoked}, {errExpired, refusedExpired}, {errInactive, refusedInactive}, {errNoAccess, refusedNoAccess},
	} {
		if errors.Is(err, known.err) {
			return known.reason
		}
	}
	return refusedMalformed // errMalformed's are made per token
}
