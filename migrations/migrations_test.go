package migrations_test

import (
	"database/sql"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	engagedb "engage/database"
	"engage/ent/answer"
	"engage/migrations"
	"engage/testdb"
)

// TestDuplicateAnswersAreRemovedBeforeTheirIndex writes, on a database
// migrated up to just before one_answer_per_question, two pairs of answers
// of a response to one question: the migration must keep the last written
// of each pair (by updated_at, then by greater ID), keep other answers, and
// create the unique index.
func TestDuplicateAnswersAreRemovedBeforeTheirIndex(t *testing.T) {
	db := openBefore(t, "one_answer_per_question")

	c, ctx := db.Ent, testdb.System()
	p := c.Project.Create().SetTitle("P").SetSlug("p").SaveX(ctx)
	s := c.Survey.Create().SetTitle("S").SetProjectID(p.ID).SaveX(ctx)
	q1 := c.Question.Create().SetSurveyID(s.ID).SetPosition(0).SetKind("SHORT_TEXT").SetPrompt("1?").SaveX(ctx)
	q2 := c.Question.Create().SetSurveyID(s.ID).SetPosition(1).SetKind("SHORT_TEXT").SetPrompt("2?").SaveX(ctx)
	r1 := c.Response.Create().SetSurveyID(s.ID).SaveX(ctx)
	r2 := c.Response.Create().SetSurveyID(s.ID).SaveX(ctx)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	create := func(id, response, question string, updated time.Time) {
		insertAnswer(t, db, answerRow{id: id, response: response, question: question, value: id, project: p.ID, created: at, updated: updated})
	}
	// toQ1 gives an answer q1 as its question: the API no longer writes
	// duplicates, so they are made behind its back.
	toQ1 := func(id string) error {
		query, args := entsql.Dialect(db.Dialect).Update(answer.Table).
			Set(answer.FieldQuestionID, q1.ID).Where(entsql.EQ(answer.FieldID, id)).Query()
		_, err := db.SQL.Exec(query, args...)
		return err
	}
	create("ans_older", r1.ID, q1.ID, at)
	create("ans_newer", r1.ID, q2.ID, at.Add(time.Hour))
	create("ans_a", r2.ID, q1.ID, at)
	create("ans_b", r2.ID, q2.ID, at)
	for _, id := range []string{"ans_newer", "ans_b"} {
		if err := toQ1(id); err != nil {
			t.Fatalf("making a duplicate: %v", err)
		}
	}
	create("ans_other", r1.ID, q2.ID, at)

	if err := db.Migrate(); err != nil {
		t.Fatalf("migrating with duplicate answers: %v", err)
	}
	want := []string{"ans_b", "ans_newer", "ans_other"}
	if got := c.Answer.Query().Order(answer.ByID()).IDsX(ctx); !slices.Equal(got, want) {
		t.Errorf("answers after the migration: got %v, want %v", got, want)
	}
	if err := toQ1("ans_other"); err == nil {
		t.Error("the unique index let a duplicate answer in")
	}
}

// openBefore returns a fresh database migrated up to just before the
// migration named name, closed when the test ends.
func openBefore(t *testing.T, name string) *engagedb.DB {
	t.Helper()
	url := testdb.URL(t)
	db, err := engagedb.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrateTo(t, url, db.Dialect, versionBefore(t, db.Dialect, name))
	return db
}

// answerRow is an answer as the first migrations store it.
type answerRow struct {
	id, response, question, value, project string
	created, updated                       time.Time
}

// insertAnswer writes an answer in SQL, on a database migrated to before
// typed_answers, where the ent client, which writes the typed columns too,
// cannot.
func insertAnswer(t *testing.T, db *engagedb.DB, a answerRow) {
	t.Helper()
	query, args := entsql.Dialect(db.Dialect).Insert(answer.Table).
		Columns(answer.FieldID, answer.FieldResponseID, answer.FieldQuestionID, answer.FieldValue, answer.FieldProjectID, answer.FieldCreatedAt, answer.FieldUpdatedAt).
		Values(a.id, a.response, a.question, a.value, a.project, a.created, a.updated).Query()
	if _, err := db.SQL.Exec(query, args...); err != nil {
		t.Fatalf("writing answer %s: %v", a.id, err)
	}
}

// versionBefore returns the version of the migration that precedes the one
// named name in the dialect's folder.
func versionBefore(t *testing.T, d, name string) uint {
	t.Helper()
	entries, err := os.ReadDir(migrations.Folder(d))
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, e := range entries {
		if v, rest, ok := strings.Cut(e.Name(), "_"); ok && strings.HasSuffix(rest, ".up.sql") {
			if strings.TrimSuffix(rest, ".up.sql") == name {
				if len(versions) == 0 {
					t.Fatalf("%s is the first migration", name)
				}
				n, err := strconv.ParseUint(versions[len(versions)-1], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return uint(n)
			}
			versions = append(versions, v)
		}
	}
	t.Fatalf("no migration %s in %s", name, migrations.Folder(d))
	return 0
}

// migrateTo applies the migrations of the database at url up to version.
func migrateTo(t *testing.T, url, d string, version uint) {
	t.Helper()
	var driver database.Driver
	if d == dialect.Postgres {
		conn, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		if driver, err = postgres.WithInstance(conn, &postgres.Config{}); err != nil {
			t.Fatal(err)
		}
	} else {
		conn, err := sql.Open("sqlite", "file:"+url+"?_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		if driver, err = sqlite.WithInstance(conn, &sqlite.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	src, err := iofs.New(os.DirFS("."), migrations.Folder(d))
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, d, driver)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Migrate(version); err != nil {
		t.Fatalf("migrating to %d: %v", version, err)
	}
}
