package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/pacing"
	"orgboard/internal/store/pgtest"
)

var bg = context.Background()

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func open(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(bg, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// Two instances: one holds an organization's lease; the other cannot take
// it until it expires, then can; the first then cannot renew it, and its
// writes are refused while the second's are stored.
func TestLeaseMovesWhenItsHolderStops(t *testing.T) {
	url := pgtest.Database(t)
	a, b := NewLeases(open(t, url), 2*time.Second), NewLeases(open(t, url), 2*time.Second)
	if held, err := a.Take(bg, "org"); !held || err != nil {
		t.Fatalf("a: %v %v", held, err)
	}
	if held, err := a.Take(bg, "org"); !held || err != nil {
		t.Fatalf("a again: %v %v", held, err)
	}
	if held, _ := b.Take(bg, "org"); held {
		t.Fatal("b took a lease a holds")
	}
	if held, _ := b.Take(bg, "other"); !held {
		t.Fatal("b could not take another organization")
	}
	// a stops renewing (it died): b takes over after the TTL
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, err := b.Take(bg, "org")
		if err != nil {
			t.Fatal(err)
		}
		if held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never took the expired lease")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if held, _ := a.Renew(bg, "org"); held {
		t.Error("a renewed a lease b took over")
	}
	ia, ib := NewAuditIndex(a.db, a), NewAuditIndex(b.db, b)
	page := func(id string) *audit.Batch {
		e := api.AuditEntry{ID: id, Action: api.AuditAction{Time: time.Now()}}
		return &audit.Batch{Org: "org", Rows: []audit.Prepared{{Entry: &e, Body: []byte(`{}`), Doc: ia.Document(&e)}}}
	}
	stale, fresh := page("from-a"), page("from-b")
	if err := ia.Write(bg, []*audit.Batch{stale}, time.Now()); err != nil || !errors.Is(stale.Refused, audit.ErrLeaseLost) {
		t.Errorf("a's write after losing the lease: %v, refused %v", err, stale.Refused)
	}
	if err := ib.Write(bg, []*audit.Batch{fresh}, time.Now()); err != nil || fresh.Refused != nil || fresh.Added != 1 {
		t.Errorf("b's write: %v, refused %v, added %d", err, fresh.Refused, fresh.Added)
	}
	if err := b.Release(bg, "org"); err != nil {
		t.Fatal(err)
	}
	if held, _ := a.Take(bg, "org"); !held {
		t.Error("a released lease could not be taken at once")
	}
}

// Two instances spending one token's budget as fast as they can never make
// more calls than the budget allows, and background work leaves pages
// their reserve.
func TestUpstreamBudgetIsShared(t *testing.T) {
	url := pgtest.Database(t)
	const burst, rate = 40, 20.0 // 40 at once, then 20 a second
	a, b := NewUpstreamBudget(open(t, url), rate, burst, nil), NewUpstreamBudget(open(t, url), rate, burst, nil)
	var calls atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	ctx, cancel := context.WithTimeout(api.Patient(bg), 2*time.Second)
	defer cancel()
	for _, u := range []*UpstreamBudget{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := u.For("token-1")
			for l.Wait(ctx) == nil {
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	// background work stops at the reserve: burst - reserve + rate * elapsed at most
	limit := float64(burst) - pacing.Reserve(burst) + rate*elapsed
	if n := float64(calls.Load()); n > limit+1 || n < limit/2 {
		t.Errorf("%v calls in %.1f s from two instances; the budget allows %.0f", n, elapsed, limit)
	}
	// a page still gets its call at once, from either instance
	pctx, pcancel := context.WithTimeout(bg, time.Second)
	defer pcancel()
	if err := b.For("token-1").Wait(pctx); err != nil {
		t.Errorf("a page waited behind background work: %v", err)
	}
	// another token's budget is its own
	if err := a.For("token-2").Wait(pctx); err != nil {
		t.Error(err)
	}
}

// A page whose turn is further away than pacing.MaxInteractiveWait is
// refused with a 429 that says when to come back.
func TestUpstreamBudgetRefusesAPageThatWouldWaitLong(t *testing.T) {
	u := NewUpstreamBudget(open(t, pgtest.Database(t)), 0.01, 2, nil) // two calls, then one per 100 s
	l := u.For("token")
	for range 2 {
		if err := l.Wait(bg); err != nil {
			t.Fatal(err)
		}
	}
	err := l.Wait(bg)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || !errors.Is(err, pacing.ErrPacing) || ae.RetryAfter < 50*time.Second {
		t.Errorf("the third call: %v", err)
	}
}

// Migrations apply once whichever instance starts first, a database of a
// newer layout is refused, and each version migrates up to the last.
func TestMigrations(t *testing.T) {
	url := pgtest.Database(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(bg, url)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("instances starting together: %v", err)
		}
	}
	db := open(t, url)
	var v int
	if err := db.Pool.QueryRow(bg, `SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
		t.Fatalf("version %d (%v), want %d", v, err, len(migrations))
	}
	if _, err := db.Pool.Exec(bg, `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bg, url); err == nil {
		t.Error("a database of a newer layout was used")
	}
	for from := 0; from < len(migrations); from++ {
		t.Run(fmt.Sprint("from version ", from), func(t *testing.T) {
			pool, err := pgxpool.New(bg, pgtest.Database(t))
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			fresh := stdlib.OpenDBFromPool(pool)
			defer fresh.Close()
			if err := migrate(bg, fresh, migrations, from); err != nil {
				t.Fatal(err)
			}
			if from >= 1 { // what users keep survives every later migration
				if _, err := pool.Exec(bg, `INSERT INTO sessions VALUES ('h', '\x00', 't', 'e', now(), now());
					INSERT INTO saved_searches(owner, name, scope, query) VALUES ('u', 'mine', '', 'product:dns')`); err != nil {
					t.Fatal(err)
				}
			}
			if err := migrate(bg, fresh, migrations, len(migrations)); err != nil {
				t.Fatal(err)
			}
			var sessions, saved int
			if err := pool.QueryRow(bg, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM saved_searches)`).Scan(&sessions, &saved); err != nil {
				t.Fatal(err)
			}
			if want := min(from, 1); sessions != want || saved != want {
				t.Errorf("after migrating: %d sessions, %d saved searches; want %d of each", sessions, saved, want)
			}
		})
	}
}
