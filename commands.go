package main

// The administration commands: migrate, demo, user and token.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/spf13/cobra"

	"engage/config"
	"engage/database"
	"engage/demo"
	"engage/ent"
	"engage/ent/apitoken"
	"engage/ent/project"
	"engage/ent/user"
	"engage/password"
	"engage/rule"
	"engage/token"
)

func migrateCommand(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the embedded database migrations",
		Args:  cobra.NoArgs,
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "migrations applied to", config.MaskURL(cfg.DatabaseURL))
			return nil
		}),
	}
}

func demoCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Load the demo data set into an empty database and print a token for each persona",
		Args:  cobra.NoArgs,
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			personas, err := demo.Load(rule.System(cmd.Context()), db.Ent)
			if err != nil {
				return err
			}
			return printPersonaTokens(cmd.Context(), db, personas, stdout)
		}),
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
				Save(rule.System(cmd.Context()))
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

// printPersonaTokens mints a fresh token for each demo persona and prints
// it with what the persona shows, so that a newcomer can compare them.
func printPersonaTokens(ctx context.Context, db *database.DB, personas []demo.Persona, w io.Writer) error {
	for _, p := range personas {
		_, secret, err := token.Mint(rule.System(ctx), db.Ent, token.Spec{OwnerID: p.UserID, Name: "demo"}, token.Actor{})
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
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			ctx := rule.System(cmd.Context())
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
		}),
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
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			q := db.Ent.APIToken.Query().WithOwner().Order(apitoken.ByCreatedAt(sql.OrderDesc()))
			if listEmail != "" {
				q.Where(apitoken.HasOwnerWith(user.Email(listEmail)))
			}
			toks, err := q.All(rule.System(cmd.Context()))
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
		}),
	}
	list.Flags().StringVar(&listEmail, "email", "", "only the tokens of this user")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, args []string) error {
			tok, err := token.Revoke(rule.System(cmd.Context()), db.Ent, args[0], token.Actor{})
			if ent.IsNotFound(err) {
				return fmt.Errorf("no token has ID %s", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s (%s)\n", tok.ID, tok.Name)
			return nil
		}),
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
