package database_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	"engage/database"
	"engage/ent/apitoken"
	"engage/testdb"
)

// TestMigrationsMatchSchema applies the embedded migrations to an empty
// database and asks ent what it would still change to reach the schema: the
// answer must be nothing, or the migrations have drifted from ent/schema.
func TestMigrationsMatchSchema(t *testing.T) {
	db := testdb.Open(t)
	var plan bytes.Buffer
	// With drops: an index or column the schema no longer has is drift too.
	if err := db.Ent.Schema.WriteTo(context.Background(), &plan, schema.WithDropIndex(true), schema.WithDropColumn(true)); err != nil {
		t.Fatalf("planning auto-migration: %v", err)
	}
	var changes []string
	for _, line := range strings.Split(plan.String(), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && line != "BEGIN;" && line != "COMMIT;" {
			changes = append(changes, line)
		}
	}
	if len(changes) > 0 {
		t.Errorf("on %s the migrations differ from the ent schema; run go run ./codegen/migrations -name NAME. Missing:\n%s",
			testdb.Dialect(), strings.Join(changes, "\n"))
	}
}

// TestMigrateIsIdempotentAndConcurrent starts several migrators on one empty
// database at once, as instances starting together do, and again later: each
// must succeed and leave the schema complete.
func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	url := testdb.URL(t)
	const instances = 3
	var wg sync.WaitGroup
	errs := make([]error, instances)
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := database.Open(url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = db.Migrate()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: migrate: %v", i, err)
		}
	}
	db, err := database.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(); err != nil {
		t.Fatalf("migrating an up-to-date database: got %v, want nil", err)
	}
	if n, err := db.Ent.User.Query().Count(testdb.System()); err != nil || n != 0 {
		t.Fatalf("querying the migrated users table: got %d, %v; want 0, nil", n, err)
	}
}

// TestDriftIsDetected proves the drift check above can fail both ways:
// with an index dropped behind ent's back ent plans to create it again, and
// with an index the schema does not have ent plans to drop it.
func TestDriftIsDetected(t *testing.T) {
	db := testdb.Open(t)
	for _, stmt := range []string{`DROP INDEX survey_project_id_id`, `CREATE INDEX unplanned ON surveys (title)`} {
		if _, err := db.SQL.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	var plan bytes.Buffer
	if err := db.Ent.Schema.WriteTo(context.Background(), &plan, schema.WithDropIndex(true), schema.WithDropColumn(true)); err != nil {
		t.Fatal(err)
	}
	for _, index := range []string{"survey_project_id_id", "unplanned"} {
		if !strings.Contains(plan.String(), index) {
			t.Errorf("the plan does not mention index %s:\n%s", index, plan.String())
		}
	}
}

// TestTimesInAnyZone stores and filters times given in other zones than
// UTC: they must read back as the same instant and compare correctly.
func TestTimesInAnyZone(t *testing.T) {
	db := testdb.Open(t)
	ctx := testdb.System()
	u := db.Ent.User.Create().SetEmail("z@example.test").SetName("Z").SaveX(ctx)
	east := time.FixedZone("east", 5*3600)
	at := time.Date(2030, 1, 1, 12, 0, 0, 0, east) // 07:00 UTC
	tok := db.Ent.APIToken.Create().SetName("z").SetPrefix("eng_zzzz").SetSecretHash("ab").SetOwnerID(u.ID).SetExpiresAt(at).SaveX(ctx)
	got := db.Ent.APIToken.GetX(ctx, tok.ID)
	if got.ExpiresAt == nil || !got.ExpiresAt.Equal(at) {
		t.Fatalf("expiresAt read back as %v, want %v", got.ExpiresAt, at)
	}
	// 08:00 UTC is later than 07:00 UTC, though written 03:00 in a zone west of it.
	west := time.FixedZone("west", -5*3600)
	later := time.Date(2030, 1, 1, 3, 0, 0, 0, west)
	if n := db.Ent.APIToken.Query().Where(apitoken.ExpiresAtLT(later)).CountX(ctx); n != 1 {
		t.Errorf("tokens expiring before %v: got %d, want 1", later, n)
	}
}

// TestPostgresSessionsRunWithoutJIT checks that the server's PostgreSQL
// sessions have JIT off unless the URL asks for it.
func TestPostgresSessionsRunWithoutJIT(t *testing.T) {
	if testdb.Dialect() != dialect.Postgres {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	base := testdb.URL(t)
	sep := func(u string) string {
		if strings.Contains(u, "?") {
			return "&"
		}
		return "?"
	}
	for _, c := range []struct{ url, want string }{
		{base, "off"},
		{base + sep(base) + "jit=on", "on"},
	} {
		db, err := database.Open(c.url)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.SQL.QueryRow("SHOW jit").Scan(&got); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if got != c.want {
			t.Errorf("%s: jit is %s, want %s", c.url, got, c.want)
		}
	}
}

// TestOpenErrorsDoNotShowThePassword: a DATABASE_URL that cannot be parsed
// is reported without the URL, whose password would reach the log.
func TestOpenErrorsDoNotShowThePassword(t *testing.T) {
	for _, u := range []string{"postgres://u:s3cret@host:99x/db", "postgres://u:s3cret@ho st/db"} {
		_, err := database.Open(u)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): %v; want an error without the password", u, err)
		}
	}
}
