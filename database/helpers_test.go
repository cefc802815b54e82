package database_test

import (
	"context"

	"engage/ent/privacy"
)

func systemContext() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}
