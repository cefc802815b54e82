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
	"text/tabwriter"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/spf13/cobra"

	"engage/api"
	"engage/config"
	"engage/database"
	"engage/demo"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/privacy"
	"engage/ent/project"
	"engage/ent/user"
	"engage/password"
	"engage/session"
	"engage/token"
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
				switch personas, err := demo.Load(system(cmd.Context()), db.Ent); {
				case errors.Is(err, demo.ErrNotEmpty):
					logger.Info("the database has data already: demo data not loaded")
				case err != nil:
					return err
				default:
					logger.Info("demo data loaded; one token per persona follows")
					if err := printPersonaTokens(cmd.Context(), db, personas, stderr); err != nil {
						return err
					}
				}
			}
			logger.Info("starting", "config", cfg.String())
			return serve(cmd.Context(), cfg, db, logger)
		},
	}
	cmd.Flags().BoolVar(&loadDemo, "demo", false, "load the demo data set into an empty database first")
	return cmd
}

// serve runs the API on cfg.Addr until ctx ends, then lets requests in
// flight finish for up to 15 seconds and writes the last token usage.
func serve(ctx context.Context, cfg *config.Config, db *database.DB, logger *slog.Logger) error {
	sessions := session.NewManager(db.Ent, cfg.SecureCookies)
	rec := usage.New(db.Ent, logger)
	flushed := make(chan struct{})
	usageCtx, stopUsage := context.WithCancel(context.Background())
	go func() {
		defer close(flushed)
		rec.Run(usageCtx, 10*time.Second)
	}()
	// Stopped after the HTTP server, so that the uses of the last requests are written too.
	defer func() {
		stopUsage()
		<-flushed
	}()
	go cleanSessions(ctx, sessions.Store.(*session.Store), logger)
	if err := db.ListenForChanges(ctx, logger); err != nil {
		return fmt.Errorf("listening for changes: %w", err)
	}

	h := api.New(api.Deps{DB: db, Config: *cfg, Logger: logger, Sessions: sessions, Usage: rec})
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
	logger.Info("listening", "url", "http://"+cfg.Addr+"/graphql")
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
		Short: "Load the demo data set into an empty database and print a token for each persona",
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
			return printPersonaTokens(cmd.Context(), db, personas, stdout)
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

// printPersonaTokens mints a fresh token for each demo persona and prints
// it with what the persona shows, so that a newcomer can compare them.
func printPersonaTokens(ctx context.Context, db *database.DB, personas []demo.Persona, w io.Writer) error {
	for _, p := range personas {
		_, secret, err := token.Mint(system(ctx), db.Ent, token.Spec{OwnerID: p.UserID, Name: "demo"}, token.Actor{})
		if err != nil {
			return fmt.Errorf("minting a token for %s: %w", p.Email, err)
		}
		fmt.Fprintf(w, "%-10s %-28s %s\n           %s\n", p.Key, p.Email, secret, p.Description)
	}
	return nil
}

func tokenCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Mint, list and revoke API tokens"}
	var (
		email, name string
		readOnly    bool
		expiresIn   time.Duration
		projects    []string
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Mint a token for a user and print its secret, alone, on standard output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := system(cmd.Context())
			owner, err := db.Ent.User.Query().Where(user.Email(email)).Only(ctx)
			if ent.IsNotFound(err) {
				return fmt.Errorf("no user has email %s", email)
			}
			if err != nil {
				return err
			}
			if !owner.Active || (owner.Role != user.RoleADMIN && !owner.APIAccess) {
				return fmt.Errorf("%s may not use API tokens: the account is inactive or has no API access", email)
			}
			spec := token.Spec{OwnerID: owner.ID, Name: name, ReadOnly: readOnly, MaxLifetime: cfg.TokenMaxLifetime}
			if expiresIn > 0 {
				at := time.Now().Add(expiresIn)
				spec.ExpiresAt = &at
			}
			for _, slug := range projects {
				p, err := db.Ent.Project.Query().Where(project.Slug(slug)).Only(ctx)
				if ent.IsNotFound(err) {
					return fmt.Errorf("no project has slug %s", slug)
				}
				if err != nil {
					return err
				}
				spec.ProjectIDs = append(spec.ProjectIDs, p.ID)
			}
			_, secret, err := token.Mint(ctx, db.Ent, spec, token.Actor{})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, secret)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "email of the token's owner (required)")
	create.Flags().StringVar(&name, "name", "", "name of the token (required)")
	create.Flags().BoolVar(&readOnly, "read-only", false, "forbid every mutation")
	create.Flags().DurationVar(&expiresIn, "expires-in", 0, "lifetime, such as 720h; 0 for none")
	create.Flags().StringArrayVar(&projects, "project", nil, "slug of a project the token may reach (repeatable; default: all the owner's)")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")

	var listEmail string
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			q := db.Ent.APIToken.Query().WithOwner().Order(apitoken.ByCreatedAt(sql.OrderDesc()))
			if listEmail != "" {
				q.Where(apitoken.HasOwnerWith(user.Email(listEmail)))
			}
			toks, err := q.All(system(cmd.Context()))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tOWNER\tNAME\tPREFIX\tCREATED\tLAST USED\tEXPIRES\tSTATUS")
			for _, t := range toks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Edges.Owner.Email, t.Name, t.Prefix,
					t.CreatedAt.UTC().Format(time.RFC3339), orDash(t.LastUsedAt), orDash(t.ExpiresAt), status(t))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listEmail, "email", "", "only the tokens of this user")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := openDatabase(cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			tok, err := token.Revoke(system(cmd.Context()), db.Ent, args[0], token.Actor{})
			if ent.IsNotFound(err) {
				return fmt.Errorf("no token has ID %s", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s (%s)\n", tok.ID, tok.Name)
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func orDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// status names a token's state for people.
func status(t *ent.APIToken) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && !t.ExpiresAt.After(time.Now()):
		return "expired"
	}
	return "live"
}
