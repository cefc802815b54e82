// Package config holds the server's configuration: one struct, filled from
// environment variables and command-line flags, with defaults.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/realclientip/realclientip-go"
	"github.com/spf13/pflag"
)

// Config is everything the server can be told. Each field has an environment
// variable and a flag; the flag wins.
type Config struct {
	// DatabaseURL is a postgres:// URL, or the path of a SQLite file.
	DatabaseURL string
	// Addr is the HTTP listen address.
	Addr string
	// CORSOrigins lists the origins allowed to call the API from a browser.
	CORSOrigins []string
	// MaxBodyBytes caps the size of a request body.
	MaxBodyBytes int64
	// MaxDepth caps how deeply a GraphQL query may nest.
	MaxDepth int
	// MaxComplexity caps the estimated cost of a GraphQL query.
	MaxComplexity int
	// MaxFilterDepth caps how deeply a where filter may nest its not, and,
	// or and hasXWith conditions.
	MaxFilterDepth int
	// MaxFilterPredicates caps the conditions of all the where filters of
	// one request.
	MaxFilterPredicates int
	// MaxConcurrentOperations caps the GraphQL operations that run at
	// once; the others wait their turn (api.operationLimit).
	MaxConcurrentOperations int
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// TokenMaxLifetime, when positive, is the longest an API token may live.
	TokenMaxLifetime time.Duration
	// SecureCookies marks session cookies Secure: set it when clients reach
	// the server over HTTPS (usually through a TLS proxy).
	SecureCookies bool
	// TrustedProxies are the addresses and CIDR ranges of the reverse proxies
	// in front of the server, whose X-Forwarded-For header names the client.
	TrustedProxies []string
	// MetricsAddr, when set, serves /metrics on this address alone, off
	// the public listener.
	MetricsAddr string
	// MetricsToken, when set, is the Bearer token that /metrics requires.
	MetricsToken string

	// envErrs are environment variables that did not parse.
	envErrs []error
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		DatabaseURL:   "engage.db",
		Addr:          "localhost:8080",
		MaxBodyBytes:  1 << 20,
		MaxDepth:      15,
		MaxComplexity: 50000,
		// Far more than any filter a person writes, far less than what the
		// databases choke on (thousands of levels or conditions).
		MaxFilterDepth:      10,
		MaxFilterPredicates: 100,
		// Enough to keep every CPU busy while others wait on the
		// database, few enough that operations do not crowd each other
		// out (bench/RESULTS.md).
		MaxConcurrentOperations: 3 * runtime.GOMAXPROCS(0),
		LogLevel:                "info",
	}
}

// Bind registers a flag for every setting on fs, with the value of its
// environment variable (or the default) as the flag's default.
func (c *Config) Bind(fs *pflag.FlagSet) {
	d := Default()
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", d.DatabaseURL), "database: a postgres:// URL or a SQLite file path (env DATABASE_URL)")
	fs.Lookup("database-url").DefValue = MaskURL(c.DatabaseURL) // --help prints it
	fs.StringVar(&c.Addr, "addr", env("ENGAGE_ADDR", d.Addr), "HTTP listen address (env ENGAGE_ADDR)")
	fs.StringSliceVar(&c.CORSOrigins, "cors-origins", splitList(env("ENGAGE_CORS_ORIGINS", "")), "comma-separated origins allowed to call the API from browsers (env ENGAGE_CORS_ORIGINS)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.envInt("ENGAGE_MAX_BODY_BYTES", d.MaxBodyBytes), "largest accepted request body (env ENGAGE_MAX_BODY_BYTES)")
	fs.IntVar(&c.MaxDepth, "max-depth", int(c.envInt("ENGAGE_MAX_DEPTH", int64(d.MaxDepth))), "deepest accepted GraphQL query (env ENGAGE_MAX_DEPTH)")
	fs.IntVar(&c.MaxComplexity, "max-complexity", int(c.envInt("ENGAGE_MAX_COMPLEXITY", int64(d.MaxComplexity))), "costliest accepted GraphQL query (env ENGAGE_MAX_COMPLEXITY)")
	fs.IntVar(&c.MaxFilterDepth, "max-filter-depth", int(c.envInt("ENGAGE_MAX_FILTER_DEPTH", int64(d.MaxFilterDepth))), "deepest accepted where filter (env ENGAGE_MAX_FILTER_DEPTH)")
	fs.IntVar(&c.MaxFilterPredicates, "max-filter-predicates", int(c.envInt("ENGAGE_MAX_FILTER_PREDICATES", int64(d.MaxFilterPredicates))), "most conditions in the where filters of one request (env ENGAGE_MAX_FILTER_PREDICATES)")
	fs.IntVar(&c.MaxConcurrentOperations, "max-concurrent-operations", int(c.envInt("ENGAGE_MAX_CONCURRENT_OPERATIONS", int64(d.MaxConcurrentOperations))), "GraphQL operations run at once; the others wait their turn (env ENGAGE_MAX_CONCURRENT_OPERATIONS)")
	fs.StringVar(&c.LogLevel, "log-level", env("ENGAGE_LOG_LEVEL", d.LogLevel), "debug, info, warn or error (env ENGAGE_LOG_LEVEL)")
	fs.DurationVar(&c.TokenMaxLifetime, "token-max-lifetime", c.envDuration("ENGAGE_TOKEN_MAX_LIFETIME", 0), "longest lifetime of an API token, such as 2160h; 0 for no limit (env ENGAGE_TOKEN_MAX_LIFETIME)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.envBool("ENGAGE_SECURE_COOKIES", false), "mark session cookies Secure, for HTTPS (env ENGAGE_SECURE_COOKIES)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("ENGAGE_METRICS_ADDR", ""), "serve /metrics on this address only, not on the public one (env ENGAGE_METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("ENGAGE_METRICS_TOKEN", ""), "Bearer token that /metrics requires (env ENGAGE_METRICS_TOKEN)")
	fs.Lookup("metrics-token").DefValue = mask(c.MetricsToken) // --help prints it
	fs.StringSliceVar(&c.TrustedProxies, "trusted-proxies", splitList(env("ENGAGE_TRUSTED_PROXIES", "")), "comma-separated addresses and CIDR ranges of the reverse proxies whose X-Forwarded-For is believed (env ENGAGE_TRUSTED_PROXIES)")
}

// TrustedProxyRanges parses TrustedProxies.
func (c Config) TrustedProxyRanges() ([]net.IPNet, error) {
	ranges, err := realclientip.AddressesAndRangesToIPNets(c.TrustedProxies...)
	if err != nil {
		return nil, fmt.Errorf("trusted-proxies must be IP addresses and CIDR ranges: %w", err)
	}
	return ranges, nil
}

// Validate reports every setting that cannot work.
func (c Config) Validate() error {
	errs := append([]error(nil), c.envErrs...)
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("max-body-bytes must be at least 1024, got %d", c.MaxBodyBytes))
	}
	if c.MaxDepth < 1 {
		errs = append(errs, fmt.Errorf("max-depth must be at least 1, got %d", c.MaxDepth))
	}
	if c.MaxComplexity < 1 {
		errs = append(errs, fmt.Errorf("max-complexity must be at least 1, got %d", c.MaxComplexity))
	}
	if c.MaxFilterDepth < 1 {
		errs = append(errs, fmt.Errorf("max-filter-depth must be at least 1, got %d", c.MaxFilterDepth))
	}
	if c.MaxFilterPredicates < 1 {
		errs = append(errs, fmt.Errorf("max-filter-predicates must be at least 1, got %d", c.MaxFilterPredicates))
	}
	if c.MaxConcurrentOperations < 1 {
		errs = append(errs, fmt.Errorf("max-concurrent-operations must be at least 1, got %d", c.MaxConcurrentOperations))
	}
	if c.TokenMaxLifetime < 0 {
		errs = append(errs, fmt.Errorf("token-max-lifetime must not be negative, got %s", c.TokenMaxLifetime))
	}
	if _, err := c.TrustedProxyRanges(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level must be debug, info, warn or error, got %q", c.LogLevel))
	}
	return errors.Join(errs...)
}

// String prints the configuration with secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("database=%s addr=%s cors-origins=%s max-body-bytes=%d max-depth=%d max-complexity=%d max-filter-depth=%d max-filter-predicates=%d max-concurrent-operations=%d log-level=%s token-max-lifetime=%s secure-cookies=%t trusted-proxies=%s",
		MaskURL(c.DatabaseURL), c.Addr, strings.Join(c.CORSOrigins, ","), c.MaxBodyBytes, c.MaxDepth, c.MaxComplexity, c.MaxFilterDepth, c.MaxFilterPredicates, c.MaxConcurrentOperations, c.LogLevel, c.TokenMaxLifetime, c.SecureCookies, strings.Join(c.TrustedProxies, ",")) +
		fmt.Sprintf(" metrics-addr=%s metrics-token=%s", c.MetricsAddr, mask(c.MetricsToken))
}

// mask hides a secret setting, telling only whether it is set.
func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "xxxxx"
}

// MaskURL hides the password of a database URL, given in its user part or
// as a password parameter.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "(a URL that does not parse, hidden)"
	case u.Scheme == "":
		return raw // a SQLite path
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

func (c *Config) envInt(name string, fallback int64) int64 {
	v := env(name, "")
	if v == "" {
		return fallback
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a whole number", name, v))
		return fallback
	}
	return n
}

func (c *Config) envDuration(name string, fallback time.Duration) time.Duration {
	v := env(name, "")
	if v == "" {
		return fallback
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a duration such as 720h", name, v))
		return fallback
	}
	return d
}

func (c *Config) envBool(name string, fallback bool) bool {
	v := env(name, "")
	if v == "" {
		return fallback
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not true or false", name, v))
		return fallback
	}
	return b
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
