package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/changes"
	"orgboard/internal/clock"
	"orgboard/internal/store/storetest"
)

// Proposed changes on both backends: listed by organization and by
// proposer, newest first; a decision moves a change once (two approvers
// at once: one of them).
func TestChangesStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t).Changes
		profile := json.RawMessage(`{"business_name":"New"}`)
		first, err := st.Propose(bg, changes.Change{Org: "o1", OrgName: "One", Kind: changes.Profile, Payload: profile, Before: json.RawMessage(`{}`),
			Base: "mark", Proposer: "lead@example.com", Created: t0})
		if err != nil {
			t.Fatal(err)
		}
		second, err := st.Propose(bg, changes.Change{Org: "o2", OrgName: "Two", Kind: changes.MemberAdd, Payload: json.RawMessage(`{"email":"x@example.com"}`),
			Before: json.RawMessage(`null`), Proposer: "other@example.com", Created: t0.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Get(bg, first)
		if err != nil || got.State != changes.Pending || string(got.Payload) != string(profile) || got.Base != "mark" || !got.Created.Equal(t0) {
			t.Fatalf("get: %+v %v", got, err)
		}
		list, err := st.List(bg, []string{"o2"}, "lead@example.com", 10)
		if err != nil || len(list) != 2 || list[0].ID != second || list[1].ID != first {
			t.Fatalf("list: %+v %v", list, err)
		}
		if moved, err := st.Move(bg, first, changes.Pending, changes.Approved, "cfo@example.com", "", "", t0.Add(time.Hour)); !moved || err != nil {
			t.Fatalf("approve: %v %v", moved, err)
		}
		if moved, _ := st.Move(bg, first, changes.Pending, changes.Rejected, "someone@example.com", "no", "", t0.Add(time.Hour)); moved {
			t.Error("a decided change was decided again")
		}
		if moved, err := st.Move(bg, first, changes.Approved, changes.Applied, "", "", "ray-1", t0.Add(2*time.Hour)); !moved || err != nil {
			t.Fatalf("applied: %v %v", moved, err)
		}
		got, _ = st.Get(bg, first)
		if got.State != changes.Applied || got.Decider != "cfo@example.com" || got.Ray != "ray-1" || !got.Decided.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("after the decision: %+v", got)
		}
		if _, err := st.Get(bg, 999); err != changes.ErrNotFound {
			t.Errorf("a missing change: %v", err)
		}
	})
}

// The console's own entries go into the index beside Cloudflare's, on
// both backends, each once: found by their actor and product.
func TestTheConsolesOwnEntries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t)
		x := audit.NewIndex(s.Audit, clock.Func(func() time.Time { return t0 }))
		e := api.AuditEntry{ID: "orgboard-change-1-propose", Action: api.AuditAction{Type: "propose", Result: "success", Time: t0.Add(-time.Minute),
			Description: "Profile change proposed in the console"}, Actor: api.AuditActor{Email: "lead@example.com", Type: "user", Context: "orgboard"},
			Resource: api.AuditResource{ID: "change-1", Type: "change"}}
		for range 2 {
			if err := x.Own(bg, "org", e); err != nil {
				t.Fatal(err)
			}
		}
		q, err := audit.Parse("actor:lead@example.com product:orgboard", t0)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := x.Count(bg, q, audit.Scope{Orgs: []string{"org"}}); n != 1 || err != nil {
			t.Errorf("the console's own entry: %d (%v), want it once", n, err)
		}
	})
}
