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
		Short: "Load the demo data set into an empty database and print a login password and a token for each persona",
		Args:  cobra.NoArgs,
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			personas, err := demo.Load(rule.System(cmd.Context()), db.Ent)
			if err != nil {
				return err
			}
			return printPersonaLogins(cmd.Context(), db, personas, stdout)
		}),
	}
}

func userCommand(cfg *config.Config, stdin io.Reader, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage staff accounts"}
	cmd.AddCommand(userCreateCommand(cfg, stdin, stdout))
	return cmd
}

func userCreateCommand(cfg *config.Config, stdin io.Reader, stdout io.Writer) *cobra.Command {
	var (
		email, name, roleName    string
		apiAccess, passwordStdin bool
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a staff account and print its ID",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The input is checked, and the password read, before the
			// database is opened.
			r := user.Role(strings.ToUpper(roleName))
			if err := user.RoleValidator(r); err != nil {
				return fmt.Errorf("--role must be ADMIN or STAFF, got %q", roleName)
			}
			var hash *string
			if passwordStdin {
				h, err := readPasswordHash(stdin)
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
	create.Flags().StringVar(&roleName, "role", "STAFF", "ADMIN or STAFF")
	create.Flags().BoolVar(&apiAccess, "api-access", false, "allow a STAFF user to mint API tokens")
	create.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the login password from the first line of standard input")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")
	return create
}

// readPasswordHash hashes the password on the first line of r.
func readPasswordHash(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return password.Hash(strings.TrimRight(line, "\r\n"))
}

// printPersonaLogins gives each demo persona a fresh login password and
// token, and prints them with what the persona shows, so that a newcomer can
// sign in as any of them, or call the API, and compare what each one sees.
func printPersonaLogins(ctx context.Context, db *database.DB, personas []demo.Persona, w io.Writer) error {
	passwords, err := demo.GivePasswords(ctx, db.Ent, personas)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Demo personas: sign in to the pages with an email and its password, or send a token to /graphql as \"Authorization: Bearer <token>\".")
	fmt.Fprintf(w, "%-10s %-28s %-20s %s\n", "PERSONA", "EMAIL", "PASSWORD", "TOKEN")
	for i, p := range personas {
		_, secret, err := token.Mint(rule.System(ctx), db.Ent, token.Spec{OwnerID: p.UserID, Name: "demo"}, token.Actor{})
		if err != nil {
			return fmt.Errorf("minting a token for %s: %w", p.Email, err)
		}
		fmt.Fprintf(w, "%-10s %-28s %-20s %s\n           %s\n", p.Key, p.Email, passwords[i], secret, p.Description)
	}
	return nil
}

func tokenCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Mint, list and revoke API tokens"}
	cmd.AddCommand(tokenCreateCommand(cfg, stdout), tokenListCommand(cfg, stdout), tokenRevokeCommand(cfg, stdout))
	return cmd
}

func tokenCreateCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	var (
		email, name string
		readOnly    bool
		expiresIn   time.Duration
		slugs       []string
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Mint a token for a user and print its secret, alone, on standard output",
		Args:  cobra.NoArgs,
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			ctx := rule.System(cmd.Context())
			owner, err := tokenOwner(ctx, db.Ent, email)
			if err != nil {
				return err
			}
			spec := token.Spec{OwnerID: owner.ID, Name: name, ReadOnly: readOnly, MaxLifetime: cfg.TokenMaxLifetime}
			if expiresIn > 0 {
				at := time.Now().Add(expiresIn)
				spec.ExpiresAt = &at
			}
			if spec.ProjectIDs, err = projectIDs(ctx, db.Ent, slugs); err != nil {
				return err
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
	create.Flags().StringArrayVar(&slugs, "project", nil, "slug of a project the token may reach (repeatable; default: all the owner's)")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")
	return create
}

// tokenOwner finds the user with email, who must be active and allowed to
// use API tokens.
func tokenOwner(ctx context.Context, client *ent.Client, email string) (*ent.User, error) {
	owner, err := client.User.Query().Where(user.Email(email)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("no user has email %s", email)
	}
	if err != nil {
		return nil, err
	}
	if !owner.Active || (owner.Role != user.RoleADMIN && !owner.APIAccess) {
		return nil, fmt.Errorf("%s may not use API tokens: the account is inactive or has no API access", email)
	}
	return owner, nil
}

// projectIDs finds the ID of the project of each slug.
func projectIDs(ctx context.Context, client *ent.Client, slugs []string) ([]string, error) {
	var ids []string
	for _, slug := range slugs {
		id, err := client.Project.Query().Where(project.Slug(slug)).OnlyID(ctx)
		if ent.IsNotFound(err) {
			return nil, fmt.Errorf("no project has slug %s", slug)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func tokenListCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	var email string
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens, newest first",
		Args:  cobra.NoArgs,
		RunE: withDatabase(cfg, func(cmd *cobra.Command, db *database.DB, _ []string) error {
			q := db.Ent.APIToken.Query().WithOwner().Order(apitoken.ByCreatedAt(sql.OrderDesc()))
			if email != "" {
				q.Where(apitoken.HasOwnerWith(user.Email(email)))
			}
			toks, err := q.All(rule.System(cmd.Context()))
			if err != nil {
				return err
			}
			return printTokens(stdout, toks)
		}),
	}
	list.Flags().StringVar(&email, "email", "", "only the tokens of this user")
	return list
}

// printTokens writes a table of toks, with their owners, and never a secret.
func printTokens(w io.Writer, toks []*ent.APIToken) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOWNER\tNAME\tPREFIX\tCREATED\tLAST USED\tEXPIRES\tSTATUS")
	for _, t := range toks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Edges.Owner.Email, t.Name, t.Prefix,
			t.CreatedAt.UTC().Format(time.RFC3339), orDash(t.LastUsedAt), orDash(t.ExpiresAt), status(t))
	}
	return tw.Flush()
}

func tokenRevokeCommand(cfg *config.Config, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
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
