package audit_test

import (
	"strings"
	"testing"
	"time"

	"orgboard/internal/clock"
	"orgboard/internal/clock/clocktest"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/store/storetest"
	"orgboard/internal/testenv"
)

func TestSearchAnswersWhatTheAPICannot(t *testing.T) {
	storetest.Run(t, testSearchAnswersWhatTheAPICannot)
}

func testSearchAnswersWhatTheAPICannot(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	root := e.Org("Northwind Holdings").ID
	// one fixed "now" for the index, the queries and the hand count: the
	// default window's edge is then the same instant for all three
	now := clocktest.Now()
	x, st := openIndexAt(t, b, clock.Func(func() time.Time { return now }))
	s := newSyncer(x, st)
	if err := s.SyncOrg(bg, e.Admin(), root); err != nil {
		t.Fatal(err)
	}
	var all []api.AuditEntry
	p := api.AuditParams{Since: now.Add(-audit.DefaultWindow).UTC().Format(time.RFC3339Nano), Before: now.Add(time.Minute).UTC().Format(time.RFC3339Nano), Limit: 1000}
	for en, err := range e.Admin().AuditEntries(bg, root, p) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, en)
	}
	actor := all[len(all)/2].Actor.Email
	scope := audit.Scope{Orgs: []string{root}}
	tests := []struct {
		query string
		want  func(api.AuditEntry) bool
	}{
		{"product:dns -result:failure", func(en api.AuditEntry) bool { return en.Resource.Product == "dns" && en.Action.Result != "failure" }},
		{"actor:" + actor + " action:update", func(en api.AuditEntry) bool {
			return strings.EqualFold(en.Actor.Email, actor) && en.Action.Type == "update"
		}},
		{"product:dns product:waf", func(en api.AuditEntry) bool { return en.Resource.Product == "dns" || en.Resource.Product == "waf" }},
		{`"Worker script" -context:dash`, func(en api.AuditEntry) bool {
			return strings.Contains(en.Action.Description, "Worker script") && en.Actor.Context != "dash"
		}},
		{"status:502", func(en api.AuditEntry) bool { return en.Raw.StatusCode == 502 }},
		{"since:7d", func(en api.AuditEntry) bool { return !en.Action.Time.Before(now.Add(-7 * 24 * time.Hour)) }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := audit.Parse(tt.query, now)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, en := range all {
				if tt.want(en) {
					want++
				}
			}
			n, err := x.Count(bg, q, scope)
			if err != nil {
				t.Fatal(err)
			}
			if n != want || want == 0 {
				t.Errorf("count %d, want %d (and more than none)", n, want)
			}
			checkSummary(t, x, q, scope, all, tt.want)
			page, err := x.Search(bg, q, scope, nil, false, 50)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range page.Rows {
				if !tt.want(r.Entry) {
					t.Fatalf("row %d does not match: %+v", i, r.Entry)
				}
				if i > 0 && r.Entry.Action.Time.After(page.Rows[i-1].Entry.Action.Time) {
					t.Fatal("not newest first")
				}
			}
		})
	}
	if n, _ := x.Count(bg, audit.Query{}, audit.Scope{Orgs: []string{"someone-else"}}); n != 0 {
		t.Errorf("a scope without the organization sees %d entries", n)
	}
}

// A selective search over a short range checks its text row by row; its
// pages must hold exactly what the full-text index says.
func TestSelectiveTextSearchPagesEqualTheIndex(t *testing.T) {
	storetest.Run(t, testSelectiveTextSearchPagesEqualTheIndex)
}

func testSelectiveTextSearchPagesEqualTheIndex(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	root := e.Org("Northwind Holdings").ID
	x, st := openIndex(t, b)
	if err := newSyncer(x, st).SyncOrg(bg, e.Admin(), root); err != nil {
		t.Fatal(err)
	}
	scope := audit.Scope{Orgs: []string{root}}
	recent, err := x.Search(bg, mustParse(t, "since:30d"), scope, nil, false, 200)
	if err != nil || len(recent.Rows) == 0 {
		t.Fatalf("no recent entries: %v", err)
	}
	counts := map[string]int{}
	for _, r := range recent.Rows {
		counts[r.Entry.Actor.Email]++
	}
	actor, most := "", 0
	for a, n := range counts {
		if n > most && a != "" {
			actor, most = a, n
		}
	}
	paged := false
	// phrases, words cut by punctuation, underscores and digits, a word in
	// a JSON key, and text that matches nothing
	for _, text := range []string{`"updated"`, `"DNS record"`, `zone`, `"no such words here"`, `"dns_records"`, `"client/v4"`,
		`"example.com"`, `"record DNS"`, `"Updated" "zone"`, `"ttl"`, `"1"`} {
		q := mustParse(t, "actor:"+actor+" "+text+" since:30d")
		var got []int64
		var after *audit.Cursor
		for {
			page, err := x.Search(bg, q, scope, after, false, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Rows {
				got = append(got, r.RowID)
			}
			if page.Next == nil {
				break
			}
			after = page.Next
		}
		n, err := x.Count(bg, q, scope)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Errorf("%s: pages hold %d entries, the index counts %d", text, len(got), n)
		}
		paged = paged || n > 7
		seen := map[int64]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%s: entry %d on two pages", text, id)
			}
			seen[id] = true
		}
	}
	if !paged {
		t.Error("no text matched more than one page: the test proves nothing")
	}
}

// checkSummary holds the numbers above the results to the matches counted
// here: total, failures, distinct actors and products, the top actor and
// the chart's buckets.
func checkSummary(t *testing.T, x *audit.Index, q audit.Query, scope audit.Scope, all []api.AuditEntry, want func(api.AuditEntry) bool) {
	t.Helper()
	sum, err := x.Summarize(bg, q, scope)
	if err != nil {
		t.Fatal(err)
	}
	total, failures := 0, 0
	actors, products := map[string]int{}, map[string]bool{}
	for _, en := range all {
		if !want(en) {
			continue
		}
		total++
		if en.Action.Result == "failure" {
			failures++
		}
		actors[strings.ToLower(en.Actor.Email)]++
		products[en.Resource.Product] = true
	}
	if sum.Total != total || sum.Failures != failures || sum.Actors != len(actors) || sum.Products != len(products) {
		t.Errorf("summary %d entries, %d failures, %d actors, %d products; want %d, %d, %d, %d",
			sum.Total, sum.Failures, sum.Actors, sum.Products, total, failures, len(actors), len(products))
	}
	top := 0
	for _, n := range actors {
		top = max(top, n)
	}
	if f := sum.Facets["actor"]; len(f) == 0 || f[0].N != top || len(f) > 6 {
		t.Errorf("actor facet %+v, want the top actor with %d entries first, at most 6", f, top)
	}
	inBuckets := 0
	for i, b := range sum.Buckets {
		inBuckets += b.N
		if i > 0 && !b.Start.Equal(sum.Buckets[i-1].Start.Add(sum.BucketSize)) {
			t.Errorf("bucket %d starts at %s, not a bucket after %s", i, b.Start, sum.Buckets[i-1].Start)
		}
	}
	if inBuckets != total {
		t.Errorf("the chart's buckets hold %d entries, want %d", inBuckets, total)
	}
}

func mustParse(t *testing.T, s string) audit.Query {
	t.Helper()
	q, err := audit.Parse(s, clocktest.Now())
	if err != nil {
		t.Fatal(err)
	}
	return q
}
