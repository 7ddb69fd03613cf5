package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/history"
	"orgboard/internal/store/storetest"
)

// The tree's history is kept on both backends: each event once, as recorded.
func TestTreeEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t)
		evs := []history.Event{
			{Kind: history.Org, ID: "sub", At: t0.Add(time.Microsecond), Parent: "corp", Name: "Walk Test Org", Source: history.Audit},
			{Kind: history.Org, ID: "sub", At: t0.Add(time.Hour), Parent: "corp", Deleted: true, Source: history.Audit},
			{Kind: history.Account, ID: "acct", At: t0, Parent: "analytics", Before: "dp", Source: history.Seen},
		}
		if err := s.Tree.RecordTree(bg, evs); err != nil {
			t.Fatal(err)
		}
		again := evs[0]
		again.Name = "recorded twice"
		if err := s.Tree.RecordTree(bg, []history.Event{again}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Tree.TreeEvents(bg)
		if err != nil || len(got) != len(evs) {
			t.Fatalf("%d events (%v), want %d", len(got), err, len(evs))
		}
		for _, want := range evs {
			found := false
			for _, g := range got {
				found = found || g.Kind == want.Kind && g.ID == want.ID && g.At.Equal(want.At) && g.Parent == want.Parent &&
					g.Before == want.Before && g.Name == want.Name && g.Deleted == want.Deleted && g.Source == want.Source
			}
			if !found {
				t.Errorf("event %+v not kept as recorded: %+v", want, got)
			}
		}
	})
}

// --audit-retention prunes entries older than it on both backends: they
// are no longer found, by their fields or their words, and the entries
// written after them are.
func TestAuditRetentionPrunes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t)
		now := t0
		if s.Leases != nil { // PostgreSQL stores an organization's entries for the instance syncing it
			if ok, err := s.Leases.Take(bg, "org"); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		x := audit.NewIndex(s.Audit, clock.Func(func() time.Time { return now }))
		write := func(id string, at time.Time, words string) {
			t.Helper()
			e := &api.AuditEntry{ID: id, Action: api.AuditAction{Type: "update", Result: "success", Time: at, Description: words},
				Organization: api.OrganizationRef{ID: "org"}, Resource: api.AuditResource{ID: "r-" + id, Product: "dns", Type: "record"}}
			body, _ := json.Marshal(e) // as the API sent it
			batch := &audit.Batch{Org: "org", Rows: []audit.Prepared{{Entry: e, Body: body, Doc: s.Audit.Document(e)}}}
			if err := s.Audit.Write(bg, []*audit.Batch{batch}, now); err != nil || batch.Refused != nil {
				t.Fatal(err, batch.Refused)
			}
		}
		// the oldest stored last, as a backfill does: its row is the newest,
		// whose number SQLite gives the next row once it is gone
		write("kept", now.AddDate(-1, -7, 0), "needle past cloudflare's months")
		write("new", now.Add(-time.Hour), "needle of today")
		write("old", now.AddDate(-2, 0, 0), "needle from long ago")
		find := func(qs string) int {
			t.Helper()
			q, err := audit.Parse(qs, now)
			if err != nil {
				t.Fatal(err)
			}
			n, err := x.Count(bg, q, audit.Scope{Orgs: []string{"org"}})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := find("needle since:2024-01-01"); n != 3 {
			t.Fatalf("before the prune %d entries, want 3 (the index keeps what Cloudflare no longer does)", n)
		}
		n, err := x.Prune(bg, 21*30*24*time.Hour) // 21 months
		if err != nil || n != 1 {
			t.Fatalf("pruned %d (%v), want the one older than the retention", n, err)
		}
		write("later", now.Add(-time.Minute), "another needle")
		if n := find("needle since:2024-01-01"); n != 3 {
			t.Errorf("after the prune %d entries match the words, want 3 (kept, new, later)", n)
		}
		if n := find(`"long ago" since:2024-01-01`); n != 0 {
			t.Errorf("the pruned entry's words still find %d entries", n)
		}
		if n := find("resource:r-old since:2024-01-01"); n != 0 {
			t.Errorf("the pruned entry is still found by its resource")
		}
	})
}
