package database_test

import (
	"slices"
	"testing"

	"engage/database"
	"engage/testdb"

	"entgo.io/ent/dialect"
)

// TestStatementCounterSeesEveryPath counts, and shows to Before, the
// statements of every path ent sends them by: a query, a statement written
// as SQL (ExecContext), and both inside a transaction. SQL inside a
// transaction runs on PostgreSQL only, where the change feed notifies other
// instances so.
func TestStatementCounterSeesEveryPath(t *testing.T) {
	var counter database.StatementCounter
	var seen []string
	counter.Before = func(query string, _ any) { seen = append(seen, query) }
	db := testdb.Connect(t, testdb.URL(t), counter.Wrap)
	ctx := testdb.System()

	tx, err := db.Ent.Tx(ctx)
	if err != nil {
		t.Fatalf("opening a transaction: %v", err)
	}
	defer tx.Rollback()
	for _, c := range []struct {
		path         string
		postgresOnly bool
		run          func() error
	}{
		{"a query", false, func() error { _, err := db.Ent.User.Query().Count(ctx); return err }},
		{"SQL through the client", false, func() error { _, err := db.Ent.ExecContext(ctx, "SELECT 1"); return err }},
		{"a query in a transaction", false, func() error { _, err := tx.User.Query().Count(ctx); return err }},
		{"SQL in a transaction", true, func() error { _, err := tx.Client().ExecContext(ctx, "SELECT 2"); return err }},
	} {
		if c.postgresOnly && db.Dialect != dialect.Postgres {
			continue
		}
		before, beforeSeen := counter.Count(), len(seen)
		if err := c.run(); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if got := counter.Count() - before; got != 1 {
			t.Errorf("%s: counted %d statements, want 1", c.path, got)
		}
		if got := seen[beforeSeen:]; len(got) != 1 {
			t.Errorf("%s: Before saw %q, want one statement", c.path, got)
		}
	}
	if db.Dialect == dialect.Postgres && !slices.Contains(seen, "SELECT 2") {
		t.Errorf("Before saw %q, want the statement of the transaction among them", seen)
	}
}
