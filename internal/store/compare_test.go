package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/store"
	"orgboard/internal/store/pgtest"
	"orgboard/internal/store/storetest"
	"orgboard/internal/testenv"
)

// Both backends answer the query language alike: the same entries synced
// into each, a corpus of queries gives the same pages entry by entry (in
// both directions, across cursors), the same counts and the same summary.
func TestBothBackendsAnswerAlike(t *testing.T) {
	if underRace {
		// 17 s alone, over ten minutes under the race detector (SQLite is
		// pure Go): make test runs it again without the detector
		t.Skip("compares the backends' answers without the race detector: make test runs it so")
	}
	e := testenv.New(t)
	// the indexes' clock stands still: the default window would otherwise
	// move while the corpus runs (ten minutes under the race detector) and
	// drop the oldest entry between one backend's answer and the other's
	frozen := clocktest.Now()
	still := clock.Func(func() time.Time { return frozen })
	orgs := []string{e.Org("Northwind Holdings").ID, e.Org("Checkout").ID, e.Org("Payments Platform").ID}
	open := func(b storetest.Backend) (*audit.Index, *store.Stores) {
		st := b.Open(t)
		x := audit.NewIndex(st.Audit, still)
		s := audit.NewSyncer(bg, x, nil)
		s.Leases, s.Limit = st.Leases, 300
		for _, org := range orgs { // one at a time, in order: rows are numbered alike
			if err := s.SyncOrg(bg, e.Admin(), org); err != nil {
				t.Fatal(err)
			}
		}
		return x, st
	}
	lite, _ := open(storetest.Backend{Name: "sqlite", Place: t.TempDir()})
	pg, _ := open(storetest.Backend{Name: "postgres", Place: pgtest.Database(t)})

	// values that occur, to filter by
	var sample []api.AuditEntry
	for row, err := range lite.All(bg, audit.Query{}, audit.Scope{Orgs: orgs}) {
		if err != nil {
			t.Fatal(err)
		}
		var en api.AuditEntry
		if err := jsonUnmarshal(row, &en); err != nil {
			t.Fatal(err)
		}
		sample = append(sample, en)
	}
	if len(sample) < 1000 {
		t.Fatalf("only %d entries: too few to compare", len(sample))
	}
	pick := func(f func(api.AuditEntry) string) string {
		for _, en := range sample[len(sample)/3:] {
			if v := f(en); v != "" {
				return v
			}
		}
		t.Fatal("no value")
		return ""
	}
	actor := pick(func(en api.AuditEntry) string { return en.Actor.Email })
	resource := pick(func(en api.AuditEntry) string { return en.Resource.ID })
	ip := pick(func(en api.AuditEntry) string { return en.Actor.IPAddress })
	ray := pick(func(en api.AuditEntry) string { return en.Raw.CFRayID })
	token := pick(func(en api.AuditEntry) string { return en.Actor.TokenName })
	word := pick(func(en api.AuditEntry) string {
		if w := strings.Fields(en.Action.Description); len(w) > 2 {
			return w[1]
		}
		return ""
	})
	queries := []string{
		"", "since:7d", "since:30d before:7d", "product:dns", "product:dns product:waf", "-product:dns", "action:update -result:failure",
		"result:failure", "status:502", "status:404 status:500", "method:DELETE", "context:dash", "-context:dash -context:api",
		"actor:" + actor, "actor:" + strings.ToUpper(actor), "actor:" + actor + " action:update", "-actor:" + actor,
		"resource:" + resource, "ip:" + ip, "ray:" + ray, `token:"` + token + `"`, "org:" + orgs[1],
		`"updated"`, `updated`, `"DNS record"`, `"record DNS"`, `-"updated"`, `"` + word + `" -product:dns`, `"no such words here"`,
		`"example.com"`, `"dns_records"`, `"client/v4"`, `"ttl"`, `"1"`, `"Updated" "zone"`, `zone -"zone"`,
		"actor:" + actor + ` "updated" since:30d`, "actor:" + actor + ` "record" since:7d`, "resource:" + resource + ` "update"`,
		`"!!!"`, `-"!!!" product:dns`, `"Déjà"`,
	}
	scope := audit.Scope{Orgs: orgs}
	for _, qs := range queries {
		q, err := audit.Parse(qs, frozen)
		if err != nil {
			t.Fatalf("%q: %v", qs, err)
		}
		// every page, or the first five of a free-text search: SQLite checks
		// a broad search's text row by row, fast for the first pages only
		most := 1 << 20
		if len(q.Terms) > 0 {
			most = 5
		}
		for _, asc := range []bool{false, true} {
			a, b := pages(t, lite, q, scope, asc, most), pages(t, pg, q, scope, asc, most)
			if !slices.Equal(a, b) {
				t.Errorf("%q (ascending %v): SQLite %d entries, PostgreSQL %d; first difference at %d", qs, asc, len(a), len(b), firstDiff(a, b))
			}
		}
		na, err1 := lite.Count(bg, q, scope)
		nb, err2 := pg.Count(bg, q, scope)
		if na != nb || err1 != nil || err2 != nil {
			t.Errorf("%q: counts %d and %d (%v, %v)", qs, na, nb, err1, err2)
		}
		sa, err1 := lite.Summarize(bg, q, scope)
		sb, err2 := pg.Summarize(bg, q, scope)
		if err1 != nil || err2 != nil || sa.Total != sb.Total || sa.Actors != sb.Actors || sa.Failures != sb.Failures ||
			!slices.Equal(sa.Buckets, sb.Buckets) || !slices.Equal(sa.Facets["actor"], sb.Facets["actor"]) || !slices.Equal(sa.Facets["product"], sb.Facets["product"]) {
			t.Errorf("%q: summaries differ:\n%+v\n%+v", qs, sa, sb)
		}
	}
}

// pages reads up to most pages of a query, the first three 40 entries
// long, the rest 1,000, and returns the entries' IDs in order.
func pages(t *testing.T, x *audit.Index, q audit.Query, scope audit.Scope, asc bool, most int) []string {
	t.Helper()
	var ids []string
	var after *audit.Cursor
	for n := 0; ; n++ {
		size := 40
		if n >= 3 {
			size = 1000
		}
		p, err := x.Search(bg, q, scope, after, asc, size)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			ids = append(ids, r.Entry.ID)
		}
		if p.Next == nil || n+1 == most {
			return ids
		}
		after = p.Next
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
