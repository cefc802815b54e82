// Command record runs every example of the /docs/api example library on
// freshly loaded demo data and writes each response, with its random values
// masked, to the example's .response.json file. Run it from the module root
// after adding or changing an example:
//
//	go run ./web/examples/record
//
// It uses a temporary SQLite database; -dir names the library's folder.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"engage/config"
	"engage/database"
	"engage/server"
	"engage/session"
	"engage/usage"
	"engage/web/examples"
	"engage/web/examples/runner"
)

func main() {
	dir := flag.String("dir", filepath.Join("web", "examples"), "the folder of the example library")
	flag.Parse()
	if err := run(context.Background(), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	exs, err := examples.LoadFS(os.DirFS(dir))
	if err != nil {
		return err
	}
	if len(exs) == 0 {
		return fmt.Errorf("no examples in %s", dir)
	}
	tmp, err := os.MkdirTemp("", "engage-record-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db, err := database.Open(filepath.Join(tmp, "engage.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(); err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	handler := server.New(server.Deps{
		DB: db, Config: config.Default(), Logger: logger,
		Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger),
	})
	env, err := runner.Setup(ctx, handler, db.Ent)
	if err != nil {
		return err
	}
	for _, ex := range runner.Order(exs) {
		resp, err := env.Run(ctx, ex)
		if err != nil {
			return fmt.Errorf("%s: %w", ex.Key(), err)
		}
		masked, err := examples.Mask(resp, ex.Masked)
		if err != nil {
			return fmt.Errorf("%s: %w", ex.Key(), err)
		}
		path := filepath.Join(dir, ex.Area, ex.Name+".response.json")
		if err := os.WriteFile(path, masked, 0o644); err != nil {
			return err
		}
		fmt.Printf("recorded %s (%d lines)\n", path, strings.Count(string(masked), "\n"))
	}
	return nil
}
