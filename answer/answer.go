// Package answer holds what makes an answer valid: the values each kind of
// question takes (Validate), and the error that refuses an answer for what
// the request says (Error). The hooks of ent/schema apply them to every
// write of answers and questions.
package answer

import (
	"errors"
	"fmt"
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

// Validate reports why value is not an answer that a question of the kind
// with the options takes, or nil when it is:
//
//   - SHORT_TEXT, LONG_TEXT: any text;
//   - SINGLE_CHOICE: one of the options;
//   - MULTIPLE_CHOICE: one or more different options, one per line;
//   - RATING: a whole number from 1 to 5;
//   - NUMBER: a decimal number, such as 42 or -3.5;
//   - DATE: a calendar date written YYYY-MM-DD.
func Validate(kind question.Kind, options []string, value string) error {
	switch kind {
	case question.KindSHORT_TEXT, question.KindLONG_TEXT:
		return nil
	case question.KindSINGLE_CHOICE:
		if !slices.Contains(options, value) {
			return fmt.Errorf("%q is not one of the question's options", value)
		}
		return nil
	case question.KindMULTIPLE_CHOICE:
		chosen := strings.Split(value, "\n")
		for i, c := range chosen {
			if !slices.Contains(options, c) {
				return fmt.Errorf("%q is not one of the question's options (a MULTIPLE_CHOICE answer lists options one per line)", c)
			}
			if slices.Contains(chosen[:i], c) {
				return fmt.Errorf("%q is chosen twice", c)
			}
		}
		return nil
	case question.KindRATING:
		// Written as Itoa writes it: no sign, no leading zero, no space.
		if n, err := strconv.Atoi(value); err != nil || n < MinRating || n > MaxRating || strconv.Itoa(n) != value {
			return fmt.Errorf("%q is not a rating: a RATING answer is a whole number from %d to %d", value, MinRating, MaxRating)
		}
		return nil
	case question.KindNUMBER:
		if !number.MatchString(value) {
			return fmt.Errorf("%q is not a number: a NUMBER answer is a decimal number, such as 42 or -3.5", value)
		}
		return nil
	case question.KindDATE:
		if _, err := time.Parse(time.DateOnly, value); err != nil {
			return fmt.Errorf("%q is not a date: a DATE answer is a calendar date written YYYY-MM-DD", value)
		}
		return nil
	}
	return errors.New("the question has an unknown kind " + string(kind))
}
