package localapi

import (
	"database/sql"
	"fmt"
	"iter"
	"sync"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
)

// visitOnce walks seq and checks that every row of want is seen exactly once
// and nothing is seen twice, while insert keeps adding rows.
func visitOnce[T any](t *testing.T, seq iter.Seq2[T, error], id func(T) string, want map[string]bool, insert func(i int)) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				insert(i)
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	seen := map[string]int{}
	for item, err := range seq {
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatal(err)
		}
		seen[id(item)]++
	}
	close(stop)
	wg.Wait()
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%s seen %d times", k, n)
		}
	}
	missing := 0
	for k := range want {
		if seen[k] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d rows were never seen", missing, len(want))
	}
}

func bulk(t *testing.T, st *Store, n int, stmt string, args func(i int) []any) {
	t.Helper()
	err := st.writeTx(func(tx *sql.Tx) error {
		ps, err := tx.Prepare(stmt)
		if err != nil {
			return err
		}
		defer ps.Close()
		for i := 0; i < n; i++ {
			if _, err := ps.Exec(args(i)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPagingUnderConcurrentInserts(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	pp := e.org("Payments Platform")
	now := clocktest.Now().UTC().Format(time.RFC3339Nano)

	t.Run("organizations", func(t *testing.T) {
		want := map[string]bool{}
		bulk(t, e.store, 2500, `INSERT INTO organizations(id, name, parent_id, create_time) VALUES (?, ?, ?, ?)`, func(i int) []any {
			id := fmt.Sprintf("bulkorg%05d", i)
			want[id] = true
			return []any{id, fmt.Sprintf("Bulk team %05d", (i*7919)%2500), pp.ID, now}
		})
		// the seed's Payments Platform allows no sub-organizations: one whose flags are not reported does
		if _, err := e.store.w.Exec(`UPDATE organizations SET flags = NULL WHERE id = ?`, pp.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.store.loadTree(); err != nil {
			t.Fatal(err)
		}
		seq := admin.Organizations(bg, api.ListOrganizationsParams{ParentID: pp.ID, PageParams: api.PageParams{PageSize: 100}})
		visitOnce(t, seq, func(o api.Organization) string { return o.ID }, want, func(i int) {
			_, err := admin.CreateOrganization(bg, api.OrganizationInput{Name: fmt.Sprintf("Bulk team %05d-new", i*37%2500), Parent: &api.OrganizationRef{ID: pp.ID}})
			if err != nil {
				t.Error(err)
			}
		})
	})

	t.Run("accounts by name, descending", func(t *testing.T) {
		want := map[string]bool{}
		bulk(t, e.store, 3000, `INSERT INTO accounts(id, org_id, name, pubname, type, created_on, settings, region, usage_seed, currency, has_cost)
			VALUES (?, ?, ?, ?, 'standard', ?, '{}', 'wnam', 1, 'USD', 1)`, func(i int) []any {
			id := fmt.Sprintf("bulkacct%05d", i)
			want[id] = true
			return []any{id, pp.ID, fmt.Sprintf("acct-%05d", (i*7919)%3000), "p", now}
		})
		seq := admin.Accounts(bg, pp.ID, api.ListAccountsParams{OrderBy: "account_name", Direction: "desc", PageParams: api.PageParams{PageSize: 250}})
		visitOnce(t, seq, func(a api.Account) string { return a.ID }, want, func(i int) {
			_, err := e.store.w.Exec(`INSERT INTO accounts(id, org_id, name, pubname, type, created_on, settings, region, usage_seed, currency, has_cost)
				VALUES (?, ?, ?, 'p', 'standard', ?, '{}', 'wnam', 1, 'USD', 1)`, fmt.Sprintf("newacct%05d", i), pp.ID, fmt.Sprintf("acct-%05d-x", i*31%3000), now)
			if err != nil {
				t.Error(err)
			}
		})
	})

	t.Run("members", func(t *testing.T) {
		want := map[string]bool{}
		bulk(t, e.store, 2000, `INSERT INTO users(id, email, first_name, last_name, two_factor) VALUES (?, ?, 'B', 'U', 1)`, func(i int) []any {
			return []any{fmt.Sprintf("bulkuser%05d", i), fmt.Sprintf("bulk%05d@example.com", i)}
		})
		bulk(t, e.store, 2000, `INSERT INTO members(id, org_id, user_id, status, create_time, update_time) VALUES (?, ?, ?, 'active', ?, ?)`, func(i int) []any {
			id := fmt.Sprintf("bulkmember%05d", i)
			want[id] = true
			return []any{id, pp.ID, fmt.Sprintf("bulkuser%05d", i), now, now}
		})
		seq := admin.Members(bg, pp.ID, api.ListMembersParams{PageParams: api.PageParams{PageSize: 100}})
		visitOnce(t, seq, func(m api.Member) string { return m.ID }, want, func(i int) {
			if _, err := admin.AddMember(bg, pp.ID, api.MemberInput{Email: fmt.Sprintf("late%05d@example.com", i)}); err != nil {
				t.Error(err)
			}
		})
	})

	t.Run("audit cursor", func(t *testing.T) {
		root := e.org("Northwind Holdings")
		want := map[string]bool{}
		rows, err := e.store.r.Query(`SELECT id FROM audit WHERE org_id = ?`, root.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			want[id] = true
		}
		rows.Close()
		if len(want) < 1000 {
			t.Fatalf("only %d seeded entries for the root", len(want))
		}
		p := api.AuditParams{Since: "2020-01-01", Before: clocktest.Now().Add(time.Hour).UTC().Format(time.RFC3339), Limit: 700}
		visitOnce(t, admin.AuditEntries(bg, root.ID, p), func(a api.AuditEntry) string { return a.ID }, want, func(i int) {
			if err := admin.UpdateProfile(bg, root.ID, api.Profile{BusinessName: fmt.Sprint("Northwind ", i)}); err != nil {
				t.Error(err)
			}
		})
	})
}
