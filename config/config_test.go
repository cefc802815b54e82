package config

import (
	"errors"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// settings are the environment variables Bind reads.
var settings = []string{
	"DATABASE_URL", "ENGAGE_ADDR", "ENGAGE_CORS_ORIGINS", "ENGAGE_MAX_BODY_BYTES",
	"ENGAGE_MAX_DEPTH", "ENGAGE_MAX_COMPLEXITY", "ENGAGE_MAX_FILTER_DEPTH", "ENGAGE_MAX_FILTER_PREDICATES",
	"ENGAGE_LOG_LEVEL", "ENGAGE_TOKEN_MAX_LIFETIME",
	"ENGAGE_SECURE_COOKIES", "ENGAGE_TRUSTED_PROXIES", "ENGAGE_METRICS_ADDR", "ENGAGE_METRICS_TOKEN",
}

// clearEnv unsets every setting for the test (an empty value counts as unset).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range settings {
		t.Setenv(name, "")
	}
}

// bind returns a Config bound to a new flag set that has parsed args.
func bind(t *testing.T, args ...string) Config {
	t.Helper()
	var c Config
	fs := pflag.NewFlagSet("engage", pflag.ContinueOnError)
	c.Bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing flags %q: %v", args, err)
	}
	return c
}

func TestDefault(t *testing.T) {
	want := Config{
		DatabaseURL:         "engage.db",
		Addr:                "localhost:8080",
		MaxBodyBytes:        1 << 20,
		MaxDepth:            15,
		MaxComplexity:       50000,
		LogLevel:            "info",
		MaxFilterDepth:      10,
		MaxFilterPredicates: 100,
		// Three per CPU the server may use.
		MaxConcurrentOperations: 3 * runtime.GOMAXPROCS(0),
	}
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default():\n got %#v\nwant %#v", got, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate(): got %v, want nil", err)
	}
}

func TestBind(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":                     "postgres://u:p@db.example.test/engage",
		"ENGAGE_ADDR":                      ":9090",
		"ENGAGE_CORS_ORIGINS":              " https://a.example.test , ,https://b.example.test",
		"ENGAGE_MAX_BODY_BYTES":            "2048",
		"ENGAGE_MAX_DEPTH":                 "7",
		"ENGAGE_MAX_COMPLEXITY":            "900",
		"ENGAGE_MAX_FILTER_DEPTH":          "4",
		"ENGAGE_MAX_FILTER_PREDICATES":     "30",
		"ENGAGE_MAX_CONCURRENT_OPERATIONS": "3",
		"ENGAGE_LOG_LEVEL":                 "debug",
		"ENGAGE_TRUSTED_PROXIES":           "10.0.0.0/8, 192.0.2.1",
		"ENGAGE_METRICS_ADDR":              "10.1.2.3:9100",
		"ENGAGE_METRICS_TOKEN":             "scrape-me",
	}
	fromEnv := Config{
		DatabaseURL:             "postgres://u:p@db.example.test/engage",
		Addr:                    ":9090",
		CORSOrigins:             []string{"https://a.example.test", "https://b.example.test"},
		MaxBodyBytes:            2048,
		MaxDepth:                7,
		MaxComplexity:           900,
		MaxFilterDepth:          4,
		MaxFilterPredicates:     30,
		MaxConcurrentOperations: 3,
		LogLevel:                "debug",
		TrustedProxies:          []string{"10.0.0.0/8", "192.0.2.1"},
		MetricsAddr:             "10.1.2.3:9100",
		MetricsToken:            "scrape-me",
	}
	flags := []string{
		"--database-url", "/tmp/flag.db",
		"--addr", "127.0.0.1:7070",
		"--cors-origins", "https://c.example.test",
		"--max-body-bytes", "4096",
		"--max-depth", "3",
		"--max-complexity", "100",
		"--max-filter-depth", "2",
		"--max-filter-predicates", "5",
		"--max-concurrent-operations", "20",
		"--log-level", "warn",
		"--trusted-proxies", "::1",
		"--metrics-addr", "127.0.0.1:9100",
		"--metrics-token", "from-flag",
	}
	fromFlags := Config{
		DatabaseURL:             "/tmp/flag.db",
		Addr:                    "127.0.0.1:7070",
		CORSOrigins:             []string{"https://c.example.test"},
		MaxBodyBytes:            4096,
		MaxDepth:                3,
		MaxComplexity:           100,
		MaxFilterDepth:          2,
		MaxFilterPredicates:     5,
		MaxConcurrentOperations: 20,
		LogLevel:                "warn",
		TrustedProxies:          []string{"::1"},
		MetricsAddr:             "127.0.0.1:9100",
		MetricsToken:            "from-flag",
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{name: "nothing set", want: Default()},
		{name: "env", env: env, want: fromEnv},
		{name: "flags", args: flags, want: fromFlags},
		{name: "flags win over env", env: env, args: flags, want: fromFlags},
		{
			name: "one flag over env",
			env:  env,
			args: []string{"--max-depth", "4"},
			want: func() Config { c := fromEnv; c.MaxDepth = 4; return c }(),
		},
		{
			name: "repeated slice flag",
			env:  env,
			args: []string{"--cors-origins", "https://c.example.test", "--cors-origins", "https://d.example.test,https://e.example.test"},
			want: func() Config {
				c := fromEnv
				c.CORSOrigins = []string{"https://c.example.test", "https://d.example.test", "https://e.example.test"}
				return c
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			got := bind(t, tt.args...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Bind with env %v and flags %q:\n got %#v\nwant %#v", tt.env, tt.args, got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: got %v, want nil", err)
			}
		})
	}
}

func TestBindEnvNotANumber(t *testing.T) {
	clearEnv(t)
	t.Setenv("ENGAGE_MAX_BODY_BYTES", "1MB")
	t.Setenv("ENGAGE_MAX_DEPTH", "abc")
	t.Setenv("ENGAGE_MAX_COMPLEXITY", "1e6")
	c := bind(t)
	d := Default()
	if c.MaxBodyBytes != d.MaxBodyBytes || c.MaxDepth != d.MaxDepth || c.MaxComplexity != d.MaxComplexity {
		t.Errorf("values of unparsable env: got max-body-bytes=%d max-depth=%d max-complexity=%d, want the defaults %d %d %d",
			c.MaxBodyBytes, c.MaxDepth, c.MaxComplexity, d.MaxBodyBytes, d.MaxDepth, d.MaxComplexity)
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate: got nil, want the unparsable environment variables reported")
	}
	for _, want := range []string{`ENGAGE_MAX_BODY_BYTES="1MB"`, `ENGAGE_MAX_DEPTH="abc"`, `ENGAGE_MAX_COMPLEXITY="1e6"`, "not a whole number"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: got %q, want it to contain %q", err, want)
		}
	}
	if got := joined(err); got != 3 {
		t.Errorf("Validate: got %d joined errors in %q, want 3", got, err)
	}
}

// joined counts the errors err joins (1 if it is a single error).
func joined(err error) int {
	var multi interface{ Unwrap() []error }
	if errors.As(err, &multi) {
		return len(multi.Unwrap())
	}
	if err == nil {
		return 0
	}
	return 1
}

func TestValidate(t *testing.T) {
	with := func(change func(*Config)) Config {
		c := Default()
		change(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error, one per joined error; none for valid
	}{
		{name: "default", cfg: Default()},
		{name: "smallest limits", cfg: with(func(c *Config) {
			c.MaxBodyBytes, c.MaxDepth, c.MaxComplexity, c.MaxConcurrentOperations = 1024, 1, 1, 1
			c.MaxFilterDepth, c.MaxFilterPredicates = 1, 1
		})},
		{name: "log level error", cfg: with(func(c *Config) { c.LogLevel = "error" })},
		{name: "body too small", cfg: with(func(c *Config) { c.MaxBodyBytes = 1023 }), want: []string{"max-body-bytes must be at least 1024, got 1023"}},
		{name: "depth zero", cfg: with(func(c *Config) { c.MaxDepth = 0 }), want: []string{"max-depth must be at least 1, got 0"}},
		{name: "complexity negative", cfg: with(func(c *Config) { c.MaxComplexity = -5 }), want: []string{"max-complexity must be at least 1, got -5"}},
		{name: "filter depth zero", cfg: with(func(c *Config) { c.MaxFilterDepth = 0 }), want: []string{"max-filter-depth must be at least 1, got 0"}},
		{name: "filter predicates negative", cfg: with(func(c *Config) { c.MaxFilterPredicates = -1 }), want: []string{"max-filter-predicates must be at least 1, got -1"}},
		{name: "no operation at once", cfg: with(func(c *Config) { c.MaxConcurrentOperations = 0 }), want: []string{"max-concurrent-operations must be at least 1, got 0"}},
		{name: "log level unknown", cfg: with(func(c *Config) { c.LogLevel = "loud" }), want: []string{`log-level must be debug, info, warn or error, got "loud"`}},
		{name: "log level empty", cfg: with(func(c *Config) { c.LogLevel = "" }), want: []string{`log-level must be debug, info, warn or error, got ""`}},
		{name: "trusted proxies", cfg: with(func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1", "::1", "fd00::/8"} })},
		{name: "trusted proxy by name", cfg: with(func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "proxy.internal"} }), want: []string{"trusted-proxies must be IP addresses and CIDR ranges"}},
		{
			name: "several at once",
			cfg: with(func(c *Config) {
				c.MaxBodyBytes, c.MaxDepth, c.MaxComplexity, c.LogLevel = 0, -1, 0, "INFO"
			}),
			want: []string{"max-body-bytes", "max-depth", "max-complexity", "log-level"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Validate(%s): got %v, want nil", tt.cfg, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%s): got nil, want errors containing %q", tt.cfg, tt.want)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate(%s): got %q, want it to contain %q", tt.cfg, err, want)
				}
			}
			if got := joined(err); got != len(tt.want) {
				t.Errorf("Validate(%s): got %d joined errors in %q, want %d", tt.cfg, got, err, len(tt.want))
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Run("postgres password masked", func(t *testing.T) {
		c := Default()
		c.DatabaseURL = "postgres://u:secret@h/db"
		got := c.String()
		if !strings.Contains(got, "xxxxx") || strings.Contains(got, "secret") {
			t.Errorf("String(): got %q, want the password masked as xxxxx and %q absent", got, "secret")
		}
		if !strings.Contains(got, "database=postgres://u:xxxxx@h/db") {
			t.Errorf("String(): got %q, want it to contain %q", got, "database=postgres://u:xxxxx@h/db")
		}
		if c.DatabaseURL != "postgres://u:secret@h/db" {
			t.Errorf("String() changed DatabaseURL to %q", c.DatabaseURL)
		}
	})
	t.Run("metrics token masked", func(t *testing.T) {
		c := Default()
		c.MetricsAddr, c.MetricsToken = "10.1.2.3:9100", "scrape-me"
		if got := c.String(); strings.Contains(got, "scrape-me") || !strings.Contains(got, "metrics-addr=10.1.2.3:9100 metrics-token=xxxxx") {
			t.Errorf("String(): got %q, want the metrics address and its token masked", got)
		}
	})
	t.Run("sqlite path and every setting", func(t *testing.T) {
		c := Config{
			DatabaseURL:             "/var/lib/engage/engage.db",
			Addr:                    ":8080",
			CORSOrigins:             []string{"https://a.example.test", "https://b.example.test"},
			MaxBodyBytes:            2048,
			MaxDepth:                9,
			MaxComplexity:           77,
			MaxFilterDepth:          6,
			MaxFilterPredicates:     40,
			MaxConcurrentOperations: 5,
			LogLevel:                "warn",
		}
		want := "database=/var/lib/engage/engage.db addr=:8080 cors-origins=https://a.example.test,https://b.example.test max-body-bytes=2048 max-depth=9 max-complexity=77 max-filter-depth=6 max-filter-predicates=40 max-concurrent-operations=5 log-level=warn token-max-lifetime=0s secure-cookies=false trusted-proxies= metrics-addr= metrics-token="
		if got := c.String(); got != want {
			t.Errorf("String():\n got %q\nwant %q", got, want)
		}
	})
}

func TestMaskURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"engage.db", "engage.db"},
		{"/var/lib/engage/engage.db", "/var/lib/engage/engage.db"},
		{"./data/engage.db", "./data/engage.db"},
		{"sqlite:engage.db", "sqlite:engage.db"},
		{"file:engage.db?_pragma=busy_timeout(5000)", "file:engage.db?_pragma=busy_timeout(5000)"},
		{"", ""},
		{"postgres://u:secret@h/db", "postgres://u:xxxxx@h/db"},
		{"postgresql://u:secret@h:5432/db?sslmode=disable", "postgresql://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u:p%40ss%2Fw0rd@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"postgres://h/db", "postgres://h/db"},
	}
	for _, tt := range tests {
		if got := MaskURL(tt.in); got != tt.want {
			t.Errorf("MaskURL(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMaskURLPasswordParameter guards against a leak: lib/pq also reads the
// password from a password query parameter, which MaskURL must mask too.
func TestMaskURLPasswordParameter(t *testing.T) {
	tests := []string{
		"postgres://u@h/db?password=secret",
		"postgres://u@h/db?sslmode=disable&password=secret",
		"postgres://u:secret@h/db?password=secret",
	}
	for _, in := range tests {
		if got := MaskURL(in); strings.Contains(got, "secret") {
			t.Errorf("MaskURL(%q): got %q, want the password parameter masked", in, got)
		}
	}
}

// TestTuneGCLeavesTheEnvironmentsChoice checks that TuneGC sets the serving
// defaults of the garbage collector only where GOGC and GOMEMLIMIT are unset.
func TestTuneGCLeavesTheEnvironmentsChoice(t *testing.T) {
	gcPercent, memLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(gcPercent); debug.SetMemoryLimit(memLimit) })
	current := func() (int, int64) {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p, debug.SetMemoryLimit(-1) // a negative limit only reads it
	}

	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(name, "") // restored when the test ends
		os.Unsetenv(name)
	}
	TuneGC()
	if p, l := current(); p != 400 || l != 160<<20 {
		t.Errorf("unset environment: GOGC %d, memory limit %d; want 400 and 160 MiB", p, l)
	}

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "off")
	TuneGC()
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("GOGC and GOMEMLIMIT set: GOGC %d, memory limit %d; want them untouched", p, l)
	}
}
