package store_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/store/postgres"
	"orgboard/internal/store/sqlite"
	"orgboard/internal/store/sqlstore"
	"orgboard/internal/store/storetest"
	"orgboard/internal/testenv"
)

// A summary read from the days' facts (audit_days) is the summary read
// from the entries, on both backends: after a sync, after the console's
// own entries, after a prune that cuts a day in two, and for an index made
// before the days were kept (the migration's backfill). Queries with free
// text or a field the days do not keep are left to the entries.
func TestSummariesFromDaysAreTheEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs three organizations into PostgreSQL too: make test runs it")
	}
	e := testenv.New(t)
	frozen := clocktest.Now()
	still := clock.Func(func() time.Time { return frozen })
	orgs := []string{e.Org("Northwind Holdings").ID, e.Org("Checkout").ID, e.Org("Payments Platform").ID}
	scope := audit.Scope{Orgs: orgs}
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t)
		x := audit.NewIndex(st.Audit, still)
		s := audit.NewSyncer(bg, x, nil)
		s.Leases, s.Limit = st.Leases, 300
		for _, org := range orgs {
			if err := s.SyncOrg(bg, e.Admin(), org); err != nil {
				t.Fatal(err)
			}
		}
		shared := sharedIndex(t, st.Audit)
		sum, err := x.Summarize(bg, audit.Query{}, scope)
		if err != nil || sum.Total < 1000 {
			t.Fatalf("%d entries synced (%v): too few to compare", sum.Total, err)
		}
		actor := sum.Facets["actor"][0].Value
		if actor == "" {
			actor = sum.Facets["actor"][1].Value
		}
		fromDays := []string{"", "since:7d", "since:2d", "since:30d before:7d", "since:90d", "product:dns", "product:dns product:waf",
			"-product:dns", "action:update -result:failure", "result:failure", "type:dns_record", "actor:" + actor,
			"actor:" + strings.ToUpper(actor), "-actor:" + actor + " action:create", "org:" + orgs[1], "-org:" + orgs[0] + " product:orgboard"}
		fromEntries := []string{`"updated"`, "status:502", "method:DELETE", "resource:x", `-"dns" product:dns`}
		compare := func(stage string) {
			t.Helper()
			for _, qs := range append(fromDays, fromEntries...) {
				q, err := audit.Parse(qs, frozen)
				if err != nil {
					t.Fatal(err)
				}
				days, err := x.Summarize(bg, q, scope)
				if err != nil {
					t.Fatalf("%s, %q: %v", stage, qs, err)
				}
				shared.ScanOnly(true)
				entries, err := x.Summarize(bg, q, scope)
				shared.ScanOnly(false)
				if err != nil {
					t.Fatalf("%s, %q: %v", stage, qs, err)
				}
				if !reflect.DeepEqual(days, entries) {
					t.Errorf("%s, %q: from the days %d entries, %+v; from the entries %d, %+v", stage, qs, days.Total, days.Facets, entries.Total, entries.Facets)
				}
				since, before := x.Window(q)
				answered, err := shared.CountFacts(bg, audit.Selection{Query: q, Orgs: orgs, Since: since, Before: before}, audit.NewCounts(time.Hour))
				if want := !strings.ContainsAny(qs, `"`) && !strings.Contains(qs, "status:") && !strings.Contains(qs, "method:") &&
					!strings.Contains(qs, "resource:"); answered != want || err != nil {
					t.Errorf("%s, %q: answered from the days %v (%v), want %v", stage, qs, answered, err, want)
				}
			}
		}
		compare("after the sync")

		if st.Leases != nil {
			if ok, err := st.Leases.Take(bg, orgs[1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		own := api.AuditEntry{ID: "orgboard-test-1", Action: api.AuditAction{Type: "approve", Result: "success", Time: frozen.Add(-time.Hour), Description: "Change approved"},
			Actor: api.AuditActor{Email: "cfo@northwind.example", ID: "cfo"}, Organization: api.OrganizationRef{ID: orgs[1]},
			Resource: api.AuditResource{ID: "change-1", Product: "orgboard", Type: "change"}}
		if err := x.Own(bg, orgs[1], own, own); err != nil { // twice: counted once
			t.Fatal(err)
		}
		compare("after the console's own entries")

		// the cut falls inside a day: that day keeps its later entries only
		if n, err := x.Prune(bg, 20*24*time.Hour+5*time.Hour); err != nil || n == 0 {
			t.Fatalf("pruned %d entries (%v)", n, err)
		}
		compare("after a prune")

		if _, err := shared.DB.Exec(bg, `DELETE FROM audit_days`); err != nil {
			t.Fatal(err)
		}
		tx, err := shared.DB.W.BeginTx(bg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.BackfillDays(shared.DB.D)(bg, tx); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		compare("after a backfill")
	})
}

// sharedIndex is the part of a backend's index both share.
func sharedIndex(t *testing.T, a audit.Store) *sqlstore.AuditIndex {
	switch x := a.(type) {
	case *sqlite.AuditIndex:
		return x.AuditIndex
	case *postgres.AuditIndex:
		return x.AuditIndex
	}
	t.Fatalf("an index of %T", a)
	return nil
}
