// Command engage is the Engage API server and its administration commands.
// Run with no arguments (go run .) it serves the API on an embedded SQLite
// file; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"engage/config"
	"engage/database"
	"engage/demo"
	"engage/ent/user"
	"engage/password"
	"engage/rule"
	"engage/server"
	"engage/session"
	"engage/usage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "engage:", err)
		os.Exit(1)
	}
}

// run executes the command line args; it is main without the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var cfg config.Config
	root := &cobra.Command{
		Use:           "engage",
		Short:         "Engage API: the token-scoped GraphQL API of a civic-engagement platform",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cfg.Bind(root.PersistentFlags())
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	serve := serveCommand(&cfg, stderr)
	root.AddCommand(serve, migrateCommand(&cfg), demoCommand(&cfg, stdout), userCommand(&cfg, stdin, stdout), tokenCommand(&cfg, stdout))
	// With no command, engage serves: go run . is engage serve.
	root.Flags().AddFlagSet(serve.Flags())
	root.RunE = serve.RunE
	return root.ExecuteContext(ctx)
}

// openDatabase validates the configuration, opens the database and applies
// any pending migration.
func openDatabase(cfg *config.Config) (*database.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	db, err := database.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// withDatabase makes a command's RunE that opens the migrated database,
// runs fn with it, and closes it.
func withDatabase(cfg *config.Config, fn func(*cobra.Command, *database.DB, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := openDatabase(cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, db, args)
	}
}

func serveCommand(cfg *config.Config, stderr io.Writer) *cobra.Command {
	var loadDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API (the default command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger := newLogger(cfg.LogLevel, stderr)
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			demoLoaded := false
			if loadDemo {
				if demoLoaded, err = loadDemoData(cmd.Context(), db, logger, stderr); err != nil {
					return err
				}
			}
			logger.Info("starting", "config", cfg.String())
			return serve(cmd.Context(), cfg, db, logger, func() error {
				return printSignIn(cmd.Context(), "http://"+cfg.Addr, db, demoLoaded, stderr)
			})
		},
	}
	cmd.Flags().BoolVar(&loadDemo, "demo", false, "load the demo data set into an empty database first")
	return cmd
}

// serve runs the API on cfg.Addr until ctx ends, then lets requests in
// flight finish for up to 15 seconds and writes the last token usage. Once
// it listens, it logs where, and runs welcome.
func serve(ctx context.Context, cfg *config.Config, db *database.DB, logger *slog.Logger, welcome func() error) error {
	config.TuneGC()
	sessions := session.NewManager(db.Ent, cfg.SecureCookies)
	rec, stopUsage := recordUsage(db, logger)
	// Stopped after the HTTP server, so that the uses of the last requests are written too.
	defer stopUsage()
	go cleanSessions(ctx, sessions.Store.(*session.Store), logger)
	if err := db.ListenForChanges(ctx, logger); err != nil {
		return fmt.Errorf("listening for changes: %w", err)
	}

	h, metrics := server.NewWithMetrics(server.Deps{DB: db, Config: *cfg, Logger: logger, Sessions: sessions, Usage: rec})
	if cfg.MetricsAddr != "" {
		defer serveMetrics(cfg.MetricsAddr, metrics, logger).Close()
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	site := "http://" + cfg.Addr
	logger.Info("listening", "pages", site+"/", "docs", site+"/docs/api", "tokens", site+"/settings/api", "graphql", site+"/graphql")
	if err := welcome(); err != nil {
		return err
	}
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// loadDemoData loads the demo data set into db and prints the personas'
// logins to w. On a database that has users already it loads nothing and
// warns why: --demo never mixes its data with real data.
func loadDemoData(ctx context.Context, db *database.DB, logger *slog.Logger, w io.Writer) (loaded bool, err error) {
	personas, err := demo.Load(rule.System(ctx), db.Ent)
	switch {
	case errors.Is(err, demo.ErrNotEmpty):
		logger.Warn("demo data not loaded: --demo loads only into an empty database, and this one has users; " +
			"point DATABASE_URL at a new database (such as another SQLite file) to try the demo")
		return false, nil
	case err != nil:
		return false, err
	}
	logger.Info("demo data loaded; each persona's login password and token follow")
	return true, printPersonaLogins(ctx, db, personas, w)
}

// printSignIn tells w how to sign in to the pages at site: as a demo
// persona, with an account of one's own, or, when nobody can sign in yet,
// how to create the first administrator.
func printSignIn(ctx context.Context, site string, db *database.DB, demoLoaded bool, w io.Writer) error {
	if demoLoaded {
		fmt.Fprintf(w, "Open %s/ and sign in as a persona above, such as admin@demo.engage.test with its password.\n", site)
		return nil
	}
	canSignIn, err := db.Ent.User.Query().Where(user.Active(true), user.PasswordHashNEQ("")).Exist(rule.System(ctx))
	if err != nil {
		return err
	}
	if canSignIn {
		fmt.Fprintf(w, "Open %s/ and sign in with your email and password.\n", site)
		return nil
	}
	fmt.Fprintf(w, `Open %s/ once you have an account: nobody can sign in yet. Create the first administrator
in another terminal (type a password of at least %d characters, then Enter):

    %s user create --role ADMIN --email you@example.org --name "Your Name" --password-stdin

or stop the server and start it again with --demo to try the demo data and its personas.
`, site, password.MinLength, selfCommand())
	return nil
}

// selfCommand is how to run this program again from the same shell: "go
// run ." when go run started it (from a temporary go-build folder), else
// the command it was started with.
func selfCommand() string {
	if strings.Contains(os.Args[0], "go-build") {
		return "go run ."
	}
	return os.Args[0]
}

// recordUsage starts the recorder of token usage, which writes it every 10
// seconds; stop writes the last and returns when it is written.
func recordUsage(db *database.DB, logger *slog.Logger) (rec *usage.Recorder, stop func()) {
	rec = usage.New(db.Ent, logger)
	flushed := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(flushed)
		rec.Run(ctx, 10*time.Second)
	}()
	return rec, func() {
		cancel()
		<-flushed
	}
}

// serveMetrics serves /metrics on its own listener at addr, off the public
// one: scrapers reach it on a private network. Close stops it.
func serveMetrics(addr string, metrics http.Handler, logger *slog.Logger) *http.Server {
	srv := &http.Server{Addr: addr, Handler: metrics, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serving metrics failed", "addr", addr, "error", err)
		}
	}()
	return srv
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by config.Validate
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// cleanSessions deletes expired login sessions every hour until ctx ends.
func cleanSessions(ctx context.Context, store *session.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := store.Cleanup(ctx); err != nil {
				logger.Warn("cleaning expired sessions failed", "error", err)
			}
		}
	}
}
