// Command generate writes the next versioned migration of both dialects from
// the ent schema, by comparing the schema with the state that replaying the
// existing migrations gives on a scratch database:
//
//	go run ./codegen/migrations -name add_survey_locale
//
// SQLite is replayed in memory. PostgreSQL needs a server: the command creates
// a scratch database on the one that -postgres names (default: the local
// server) and drops it afterwards. When the schema and the migrations already
// agree, nothing is written.
//
// A generated migration may need a step that no schema states, such as
// removing duplicate rows before a unique index is created. Write it by hand
// at the top of the new .up.sql file of each dialect (or, to fill new
// columns, after the statements that add them), with a comment that says so, then record the files' new checksums in atlas.sum, which the
// next run checks:
//
//	go run ./codegen/migrations -hash
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"engage/ent/migrate"
	"engage/gid"
)

func main() {
	name := flag.String("name", "", "name of the migration, such as add_survey_locale (required)")
	pgURL := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server on which to create a scratch database")
	dir := flag.String("dir", "migrations", "folder that holds the dialect folders")
	hash := flag.Bool("hash", false, "only record the checksums of hand-edited migrations in atlas.sum")
	flag.Parse()
	if *hash {
		for _, d := range []string{"sqlite", "postgres"} {
			if err := rehash(filepath.Join(*dir, d)); err != nil {
				log.Fatalf("%s: %v", d, err)
			}
		}
		return
	}
	if *name == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	if err := diffSQLite(ctx, filepath.Join(*dir, "sqlite"), *name); err != nil {
		log.Fatalf("sqlite: %v", err)
	}
	if err := diffPostgres(ctx, filepath.Join(*dir, "postgres"), *name, *pgURL); err != nil {
		log.Fatalf("postgres: %v", err)
	}
}

func diffSQLite(ctx context.Context, dir, name string) error {
	db, err := sql.Open("sqlite", "file:dev?mode=memory&_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection, or each would see its own empty database
	return diff(ctx, db, dialect.SQLite, dir, name)
}

func diffPostgres(ctx context.Context, dir, name, serverURL string) error {
	server, err := sql.Open("postgres", serverURL)
	if err != nil {
		return err
	}
	defer server.Close()
	scratch := "engage_migrate_" + gid.Random(8)
	if _, err := server.ExecContext(ctx, `CREATE DATABASE "`+scratch+`"`); err != nil {
		return err
	}
	defer server.ExecContext(ctx, `DROP DATABASE "`+scratch+`"`)
	u, err := url.Parse(serverURL)
	if err != nil {
		return err
	}
	u.Path = "/" + scratch
	q := u.Query()
	q.Set("search_path", "public")
	u.RawQuery = q.Encode()
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	return diff(ctx, db, dialect.Postgres, dir, name)
}

// diff replays dir on db and writes the statements that bring it to the ent
// schema as the next golang-migrate migration in dir.
func diff(ctx context.Context, db *sql.DB, d, dir, name string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	migDir, err := sqltool.NewGolangMigrateDir(dir)
	if err != nil {
		return err
	}
	err = migrate.NewSchema(entsql.OpenDB(d, db)).NamedDiff(ctx, name,
		schema.WithDir(migDir),
		schema.WithMigrationMode(schema.ModeReplay),
		// The whole difference, drops included: ent leaves out drops by
		// default, which would leave replaced indexes behind.
		schema.WithDropIndex(true),
		schema.WithDropColumn(true),
		schema.WithDialect(d),
		schema.WithFormatter(sqltool.GolangMigrateFormatter),
	)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s matches the ent schema\n", d, dir)
	return nil
}

// rehash writes the checksums of the migrations in dir to its atlas.sum.
func rehash(dir string) error {
	migDir, err := sqltool.NewGolangMigrateDir(dir)
	if err != nil {
		return err
	}
	sum, err := migDir.Checksum()
	if err != nil {
		return err
	}
	return atlasmigrate.WriteSumFile(migDir, sum)
}
