// Command engage is the Engage API server and its administration commands.
// Run with no arguments (go run .) it serves the API on an embedded SQLite
// file; see README.md.
package main

import (
	"bufio"
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

	"engage/api"
	"engage/config"
	"engage/database"
	"engage/demo"
	"engage/ent"
	"engage/ent/privacy"
	"engage/ent/user"
	"engage/password"
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
	root.AddCommand(serve, migrateCommand(&cfg), demoCommand(&cfg, stdout), userCommand(&cfg, stdin, stdout))
	// With no command, engage serves: go run . is engage serve.
	root.Flags().AddFlagSet(serve.Flags())
	root.RunE = serve.RunE
	return root.ExecuteContext(ctx)
}

// system marks a context of an operator command: it acts outside any user's
// rights, like the database owner it has the credentials of.
func system(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
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
			if loadDemo {
				switch _, err := demo.Load(system(cmd.Context()), db.Ent); {
				case errors.Is(err, demo.ErrNotEmpty):
					logger.Info("the database has data already: demo data not loaded")
				case err != nil:
					return err
				default:
					logger.Info("demo data loaded")
				}
			}
			logger.Info("starting", "config", cfg.String())
			return serveHTTP(cmd.Context(), cfg.Addr, api.New(db, *cfg, logger), logger)
		},
	}
	cmd.Flags().BoolVar(&loadDemo, "demo", false, "load the demo data set into an empty database first")
	return cmd
}

// serveHTTP serves h on addr until ctx ends, then lets requests in flight
// finish for up to 15 seconds.
func serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	logger.Info("listening", "url", "http://"+addr+"/graphql")
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

func migrateCommand(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the embedded database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "migrations applied to", config.MaskURL(cfg.DatabaseURL))
			return nil
		},
	}
}

func demoCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Load the demo data set into an empty database and print its personas",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			personas, err := demo.Load(system(cmd.Context()), db.Ent)
			if err != nil {
				return err
			}
			for _, p := range personas {
				fmt.Fprintf(stdout, "%-10s %-28s %s\n", p.Key, p.Email, p.Description)
			}
			return nil
		},
	}
}

func userCommand(cfg *config.Config, stdin io.Reader, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage staff accounts"}
	var (
		email, name, role     string
		apiAccess, readPasswd bool
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a staff account and print its ID",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := user.Role(strings.ToUpper(role))
			if err := user.RoleValidator(r); err != nil {
				return fmt.Errorf("--role must be ADMIN or STAFF, got %q", role)
			}
			var hash *string
			if readPasswd {
				line, err := bufio.NewReader(stdin).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return fmt.Errorf("reading the password: %w", err)
				}
				h, err := password.Hash(strings.TrimRight(line, "\r\n"))
				if err != nil {
					return err
				}
				hash = &h
			}
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := db.Ent.User.Create().
				SetEmail(email).SetName(name).SetRole(r).SetAPIAccess(apiAccess).
				SetNillablePasswordHash(hash).
				Save(system(cmd.Context()))
			if ent.IsConstraintError(err) {
				return fmt.Errorf("a user with email %s exists already", email)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, u.ID)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "email address (required)")
	create.Flags().StringVar(&name, "name", "", "display name (required)")
	create.Flags().StringVar(&role, "role", "STAFF", "ADMIN or STAFF")
	create.Flags().BoolVar(&apiAccess, "api-access", false, "allow a STAFF user to mint API tokens")
	create.Flags().BoolVar(&readPasswd, "password-stdin", false, "read the login password from the first line of standard input")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")
	cmd.AddCommand(create)
	return cmd
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by config.Validate
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
