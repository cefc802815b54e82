// Package answer holds what makes an answer valid and what it means: Parse
// checks a value against the kind of question it answers and returns it
// typed (Value), and Error refuses an answer for what the request says. The
// hooks of ent/schema apply them to every write of answers and questions,
// and store the typed value beside the text.
package answer

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"engage/ent/question"
)

// Error refuses a write for what its input says, such as a value that the
// question does not take. The API answers it with BAD_USER_INPUT.
type Error struct {
	Arg    string // the argument at fault, as the mutation names it: input.value, input.questionID...
	Reason string
}

func (e *Error) Error() string { return e.Arg + ": " + e.Reason }

// Ratings are whole numbers from 1 to 5, as QuestionKind RATING documents.
const (
	MinRating = 1
	MaxRating = 5
)

// number is a decimal number as analysts' tools read it: no exponent, no
// sign but a minus, no spaces.
var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Value is an answer typed by the kind of its question: the field of the
// kind is set and the others are not. Answers to SHORT_TEXT and LONG_TEXT
// questions are their text, and set none.
type Value struct {
	Number  *float64   // NUMBER
	Rating  *int       // RATING
	Date    *time.Time // DATE: midnight UTC of the day
	Choices []string   // SINGLE_CHOICE (one) and MULTIPLE_CHOICE, in the order the value lists them
}

// Equal reports whether v and w are the same typed value.
func (v Value) Equal(w Value) bool {
	return equalPtr(v.Number, w.Number) && equalPtr(v.Rating, w.Rating) &&
		equalPtr(v.Date, w.Date) && slices.Equal(v.Choices, w.Choices) && (v.Choices == nil) == (w.Choices == nil)
}

func equalPtr[T comparable](a, b *T) bool { return a == b || (a != nil && b != nil && *a == *b) }

// Parse returns value, an answer to a question of the kind with the
// options, typed, or why it is not an answer the question takes:
//
//   - SHORT_TEXT, LONG_TEXT: any text;
//   - SINGLE_CHOICE: one of the options;
//   - MULTIPLE_CHOICE: one or more different options, one per line;
//   - RATING: a whole number from 1 to 5;
//   - NUMBER: a decimal number, such as 42 or -3.5, within the range of a
//     double (GraphQL's Float);
//   - DATE: a calendar date written YYYY-MM-DD, from year 1.
func Parse(kind question.Kind, options []string, value string) (Value, error) {
	switch kind {
	case question.KindSHORT_TEXT, question.KindLONG_TEXT:
		return Value{}, nil
	case question.KindSINGLE_CHOICE:
		if !slices.Contains(options, value) {
			return Value{}, fmt.Errorf("%q is not one of the question's options", value)
		}
		return Value{Choices: []string{value}}, nil
	case question.KindMULTIPLE_CHOICE:
		chosen := strings.Split(value, "\n")
		for i, c := range chosen {
			if !slices.Contains(options, c) {
				return Value{}, fmt.Errorf("%q is not one of the question's options (a MULTIPLE_CHOICE answer lists options one per line)", c)
			}
			if slices.Contains(chosen[:i], c) {
				return Value{}, fmt.Errorf("%q is chosen twice", c)
			}
		}
		return Value{Choices: chosen}, nil
	case question.KindRATING:
		// Written as Itoa writes it: no sign, no leading zero, no space.
		if n, err := strconv.Atoi(value); err == nil && n >= MinRating && n <= MaxRating && strconv.Itoa(n) == value {
			return Value{Rating: &n}, nil
		}
		return Value{}, fmt.Errorf("%q is not a rating: a RATING answer is a whole number from %d to %d", value, MinRating, MaxRating)
	case question.KindNUMBER:
		if !number.MatchString(value) {
			return Value{}, fmt.Errorf("%q is not a number: a NUMBER answer is a decimal number, such as 42 or -3.5", value)
		}
		// The pattern leaves out everything ParseFloat refuses but a
		// magnitude beyond a double's, which it rounds to infinity.
		n, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsInf(n, 0) {
			return Value{}, fmt.Errorf("%q is too large: a NUMBER answer is at most %g in magnitude", value, math.MaxFloat64)
		}
		return Value{Number: &n}, nil
	case question.KindDATE:
		d, err := ParseDate(value)
		if err != nil {
			return Value{}, fmt.Errorf("%q is not a date: a DATE answer is a calendar date written YYYY-MM-DD", value)
		}
		return Value{Date: &d}, nil
	}
	return Value{}, errors.New("the question has an unknown kind " + string(kind))
}

// ParseDate reads a calendar date written YYYY-MM-DD, from 0001-01-01 to
// 9999-12-31, as midnight UTC of that day. (Year 0 is left out: PostgreSQL
// has no year 0.)
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err == nil && d.Year() < 1 {
		err = errors.New("a date before year 1")
	}
	return d, err
}
