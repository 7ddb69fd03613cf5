package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/auth"
	"orgboard/internal/store/pgtest"
	"orgboard/internal/store/storetest"
	"orgboard/internal/usage"
)

var bg = context.Background()

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t).Sessions
		if _, ok, err := s.Load(bg, "nobody"); ok || err != nil {
			t.Fatalf("an unknown session loads: %v %v", ok, err)
		}
		rec := auth.SessionRecord{Sealed: []byte{0, 1, 2, 255}, TokenID: "tok", Email: "a@example.com", Created: t0, LastSeen: t0}
		if err := s.Save(bg, "h1", rec); err != nil {
			t.Fatal(err)
		}
		// saved again later: the created time stays, the rest follows
		again := rec
		again.Created, again.LastSeen, again.Email = t0.Add(time.Hour), t0.Add(time.Hour), "b@example.com"
		if err := s.Save(bg, "h1", again); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Load(bg, "h1")
		if err != nil || !ok || !bytes.Equal(got.Sealed, rec.Sealed) || got.Email != "b@example.com" || !got.Created.Equal(t0) || !got.LastSeen.Equal(t0.Add(time.Hour)) {
			t.Fatalf("loaded %+v %v %v", got, ok, err)
		}
		if err := s.Touch(bg, "h1", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ = s.Load(bg, "h1"); !got.LastSeen.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("touched: last seen %v", got.LastSeen)
		}
		for i, r := range []auth.SessionRecord{
			{Sealed: []byte{1}, Created: t0, LastSeen: t0.Add(-time.Hour)},                   // idle
			{Sealed: []byte{1}, Created: t0.Add(-13 * time.Hour), LastSeen: t0},              // too old
			{Sealed: []byte{1}, Created: t0.Add(-time.Hour), LastSeen: t0.Add(-time.Minute)}, // alive
		} {
			if err := s.Save(bg, fmt.Sprint("p", i), r); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.Purge(bg, t0.Add(-30*time.Minute), t0.Add(-12*time.Hour))
		if err != nil || n != 2 {
			t.Errorf("purged %d (%v), want the idle and the old one", n, err)
		}
		if _, ok, _ := s.Load(bg, "p2"); !ok {
			t.Error("a live session was purged")
		}
		if err := s.Delete(bg, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Load(bg, "h1"); ok {
			t.Error("a deleted session loads")
		}
	})
}

func TestSavedSearches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t).Saved
		for _, name := range []string{"b", "a", "B"} {
			if err := s.Save(bg, "alice", "org1", name, "product:"+name, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(bg, "alice", "org1", "a", "product:dns", t0); err != nil { // replaced by name
			t.Fatal(err)
		}
		got, err := s.List(bg, "alice", "org1")
		if err != nil || len(got) != 3 || got[0].Name != "B" || got[1].Name != "a" || got[1].Query != "product:dns" || got[2].Name != "b" {
			t.Fatalf("listed %+v (%v): want B, a (replaced), b in byte order", got, err)
		}
		if other, _ := s.List(bg, "bob", "org1"); len(other) != 0 {
			t.Error("another user sees alice's searches")
		}
		if all, _ := s.List(bg, "alice", ""); len(all) != 0 {
			t.Error("an organization's searches show for every organization")
		}
		if err := s.Delete(bg, "bob", got[0].ID); !audit.IsNotFound(err) {
			t.Errorf("bob deleted alice's search: %v", err)
		}
		if err := s.Delete(bg, "alice", got[0].ID); err != nil {
			t.Fatal(err)
		}
		for i := 2; i < audit.MaxSaved; i++ {
			if err := s.Save(bg, "alice", "", fmt.Sprint("s", i), "x", t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(bg, "alice", "", "one too many", "x", t0); !errors.Is(err, audit.ErrTooManySaved) {
			t.Errorf("the %dth search: %v", audit.MaxSaved+1, err)
		}
		if err := s.Save(bg, "alice", "", "s2", "y", t0); err != nil {
			t.Errorf("replacing a search at the limit: %v", err)
		}
	})
}

func TestBudgets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t).Budgets
		if _, ok, err := s.Get(bg, "org"); ok || err != nil {
			t.Fatalf("a budget nobody set: %v %v", ok, err)
		}
		if err := s.Set(bg, "org", usage.Budget{Amount: 1234.56, Currency: "EUR"}, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Set(bg, "org", usage.Budget{Amount: 99.5, Currency: "USD"}, t0); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := s.Get(bg, "org"); !ok || err != nil || v.Amount != 99.5 || v.Currency != "USD" {
			t.Errorf("got %+v %v %v", v, ok, err)
		}
		if err := s.Remove(bg, "org"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Get(bg, "org"); ok {
			t.Error("a removed budget is still there")
		}
	})
}

// A sync that began before the window was extended must not undo the
// extension when it saves its state.
func TestSyncStateKeepsAnExtension(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		stores := b.Open(t)
		s := stores.Audit
		if stores.Leases != nil { // this test is the organization's sync
			if held, err := stores.Leases.Take(bg, "org"); !held || err != nil {
				t.Fatal(held, err)
			}
		}
		old := t0.Add(-90 * 24 * time.Hour).UnixMicro()
		done := audit.State{WindowStart: old, Newest: t0.UnixMicro(), Synced: 0}
		if err := s.SaveState(bg, "org", done, t0); err != nil {
			t.Fatal(err)
		}
		extended := done
		extended.WindowStart, extended.Backfill = t0.Add(-180*24*time.Hour).UnixMicro(), old
		if err := s.SaveState(bg, "org", extended, t0); err != nil {
			t.Fatal(err)
		}
		// the running sync's newer pass stores a page with the state it loaded
		stale := done
		stale.Newest = t0.Add(time.Minute).UnixMicro()
		entry := api.AuditEntry{ID: "e1", Action: api.AuditAction{Time: t0.Add(time.Minute)}}
		batch := &audit.Batch{Org: "org", Rows: []audit.Prepared{{Entry: &entry, Body: []byte(`{"id":"e1"}`), Doc: s.Document(&entry)}}, State: stale}
		if err := s.Write(bg, []*audit.Batch{batch}, t0); err != nil || batch.Refused != nil {
			t.Fatal(err, batch.Refused)
		}
		st := states(t, s)["org"]
		if st.WindowStart != extended.WindowStart || st.Backfill != old || st.Newest != stale.Newest || st.Synced != 1 {
			t.Errorf("state %+v: want the extended window (%d) with its backfill (%d), the newest entry and one entry", st, extended.WindowStart, old)
		}
		// writing the same entry again stores nothing and counts nothing
		batch.Added = 0
		if err := s.Write(bg, []*audit.Batch{batch}, t0); err != nil {
			t.Fatal(err)
		}
		if st := states(t, s)["org"]; st.Synced != 1 || batch.Added != 0 {
			t.Errorf("a repeated entry counted: %+v, added %d", st, batch.Added)
		}
	})
}

func states(t *testing.T, s audit.Store) map[string]audit.State {
	t.Helper()
	m, err := s.States(bg, []string{"org", "other"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOlderHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t).Audit
		if _, ok, err := s.OlderHistory(bg, "org", "res"); ok || err != nil {
			t.Fatalf("nothing kept yet: %v %v", ok, err)
		}
		h := audit.OlderHistory{Status: api.HistoryApproximate, Before: t0, Entries: []api.AuditEntry{{ID: "a"}, {ID: "b"}}}
		if err := s.KeepOlderHistory(bg, "org", "res", h, t0); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.OlderHistory(bg, "org", "res")
		if err != nil || !ok || got.Status != api.HistoryApproximate || !got.Before.Equal(t0) || len(got.Entries) != 2 || got.Entries[1].ID != "b" {
			t.Errorf("kept %+v %v %v", got, ok, err)
		}
	})
}
