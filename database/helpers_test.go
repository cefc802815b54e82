package database_test

import (
	"context"

	"engage/rule"
)

func systemContext() context.Context {
	return rule.System(context.Background())
}
