// Package usage keeps the per-token usage counters (use count, last use and
// its IP address) without a database write on every request.
//
// Each authenticated request calls Record, which only updates a map in
// memory; Run writes what has accumulated to the database every interval, one
// token at a time, and once more at shutdown. A write that fails is put back
// and retried at the next flush, so no use is lost; a crash loses at most one
// interval of counts, which is acceptable for monitoring data.
package usage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"engage/ent"
	"engage/ent/apitoken"
	"engage/rule"
)

// maxIPLen is the length limit of the last_used_ip column; a longer value
// would fail validation on every flush and never be written.
const maxIPLen = 64

// shutdownTimeout bounds the last flush of Run.
const shutdownTimeout = 10 * time.Second

// pending is what a token's uses since the last flush add up to.
type pending struct {
	count  int64
	lastAt time.Time
	lastIP string
}

// merge adds the uses of o to p: counts add up, and the latest use wins.
func (p pending) merge(o pending) pending {
	p.count += o.count
	if p.lastAt.IsZero() || o.lastAt.After(p.lastAt) {
		p.lastAt, p.lastIP = o.lastAt, o.lastIP
	}
	return p
}

// Recorder collects token uses and writes them to the database in batches.
// Its methods are safe for concurrent use.
type Recorder struct {
	// client is a field, not a constructor argument only, so that tests can
	// point a Recorder at another database after a failed flush.
	client *ent.Client
	logger *slog.Logger

	mu      sync.Mutex
	pending map[string]pending // by token ID
}

// New returns a Recorder that writes with client and logs to logger (the
// default logger when nil).
func New(client *ent.Client, logger *slog.Logger) *Recorder {
	if logger == nil {
		logger = slog.Default()
	}
	return &Recorder{client: client, logger: logger, pending: make(map[string]pending)}
}

// Record notes one use of the token at the given time from the given IP
// address. It is cheap and does no I/O, so it never makes a request wait.
func (r *Recorder) Record(tokenID, ip string, at time.Time) {
	if len(ip) > maxIPLen {
		ip = ip[:maxIPLen]
	}
	// UTC with microseconds: PostgreSQL keeps microseconds, and SQLite
	// compares the stored times as text, which orders correctly only when
	// every time is written in the same zone.
	use := pending{count: 1, lastAt: at.UTC().Truncate(time.Microsecond), lastIP: ip}
	r.mu.Lock()
	r.pending[tokenID] = r.pending[tokenID].merge(use)
	r.mu.Unlock()
}

// Flush writes every pending use: use_count grows by the number of uses,
// last_used_at becomes the latest use (never moving backwards) and
// last_used_ip the IP address of that use. Each token is written in its own
// statement. A token deleted meanwhile is dropped. When a write fails, the
// token's uses are put back, merged with any recorded meanwhile, for the
// next flush to retry; Flush then returns the joined errors.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = make(map[string]pending, len(batch))
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	// A system write: no viewer is attached to this background work, and the
	// privacy rules deny writes without one. This path only adds to the
	// usage counters of tokens that were already authenticated; it is one of
	// the few places allowed to bypass privacy.
	ctx = rule.System(ctx)
	var errs []error
	written, dropped := 0, 0
	for id, p := range batch {
		if err := ctx.Err(); err != nil {
			// Cancelled: keep the rest for the next flush instead of
			// collecting one identical error per token.
			r.putBack(id, p)
			continue
		}
		switch err := r.write(ctx, id, p); {
		case err == nil:
			written++
		case errors.Is(err, errTokenGone):
			dropped++
			r.logger.DebugContext(ctx, "token usage dropped: token deleted", "token", id, "uses", p.count)
		default:
			r.putBack(id, p)
			errs = append(errs, fmt.Errorf("token %s usage: %w", id, err))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, fmt.Errorf("token usage flush: %w", err))
	}
	r.logger.DebugContext(ctx, "token usage flushed", "tokens", len(batch), "written", written, "dropped", dropped, "failed", len(batch)-written-dropped)
	return errors.Join(errs...)
}

// addUses adds uses to a token in one statement: use_count grows,
// last_used_at and last_used_ip take the latest use and never move
// backwards (an older use flushed after a newer one, by another process or
// after a retried flush). It is SQL rather than ent's update builder, which
// would also move updated_at: that says when the token was changed, not
// when it was used. SET expressions read the row as it was, on both
// databases; both read $n parameters.
var addUses = fmt.Sprintf(`UPDATE %[1]s SET %[2]s = %[2]s + $1,
	%[3]s = CASE WHEN %[3]s IS NULL OR %[3]s < $2 THEN $2 ELSE %[3]s END,
	%[4]s = CASE WHEN %[3]s IS NULL OR %[3]s < $2 THEN $3 ELSE %[4]s END
	WHERE %[5]s = $4`,
	apitoken.Table, apitoken.FieldUseCount, apitoken.FieldLastUsedAt, apitoken.FieldLastUsedIP, apitoken.FieldID)

// errTokenGone reports a token deleted since its uses were recorded.
var errTokenGone = errors.New("token deleted")

// write adds the uses p to token id.
func (r *Recorder) write(ctx context.Context, id string, p pending) error {
	res, err := r.client.ExecContext(ctx, addUses, p.count, p.lastAt, p.lastIP, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errTokenGone
	}
	return nil
}

// putBack returns uses that could not be written to the pending map, merged
// with any recorded since the flush began.
func (r *Recorder) putBack(id string, p pending) {
	r.mu.Lock()
	r.pending[id] = r.pending[id].merge(p)
	r.mu.Unlock()
}

// Run flushes every interval until ctx is done, then flushes one last time
// with a fresh 10-second context, so that a shutdown keeps the last uses, and
// returns. Failed flushes are logged and retried at the next interval.
func (r *Recorder) Run(ctx context.Context, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
				r.logger.WarnContext(ctx, "token usage flush failed; will retry", "error", err)
			}
		case <-ctx.Done():
			// WithoutCancel keeps ctx's values (for logging) but not its
			// cancellation, which has already happened.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
			defer cancel()
			if err := r.Flush(final); err != nil {
				r.logger.ErrorContext(final, "token usage lost at shutdown", "error", err)
			}
			return
		}
	}
}
