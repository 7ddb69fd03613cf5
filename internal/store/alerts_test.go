package store_test

import (
	"slices"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/store/storetest"
)

// Alert rules and their logs keep what was put, on both backends: a
// cursor moves with its delivery's log, an update keeps the token unless
// given one, old deliveries are purged, a deleted rule takes its log.
func TestAlertRulesStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		s := b.Open(t).Alerts
		r := alerts.Rule{Name: "DNS deletions", Owner: "a@example.com", Org: "o1", Descendants: true, Query: "action:delete product:dns",
			Webhook: "https://hooks.example.com/x", Slack: true, Quiet: 10 * time.Minute, Token: []byte{1, 2, 3}, TokenID: "tok", Secret: []byte{9},
			Cursor: alerts.Cursor{Time: t0.UnixMicro()}, Created: t0}
		id, err := s.Create(bg, r)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Get(bg, id)
		r.ID = id
		if err != nil || !ok || got.Name != r.Name || got.Quiet != r.Quiet || !got.Slack || !got.Descendants || string(got.Token) != string(r.Token) ||
			got.Cursor.Time != r.Cursor.Time || len(got.Cursor.Seen) != 0 || !got.Created.Equal(t0) || !got.LastSent.IsZero() {
			t.Fatalf("got %+v %v %v", got, ok, err)
		}
		if sec, ok, err := s.TakeSecret(bg, id); err != nil || !ok || string(sec) != string(r.Secret) {
			t.Errorf("the new rule's secret: %v %v %v", sec, ok, err)
		}
		if _, ok, _ := s.TakeSecret(bg, id); ok {
			t.Error("the secret was given twice")
		}
		if got.KindOrAudit() != alerts.KindAudit || got.Emails != nil {
			t.Errorf("a rule made as an audit rule reads back as %q, %v", got.Kind, got.Emails)
		}
		got.Paused, got.Name, got.Token, got.Org, got.Emails = true, "renamed", nil, "o2", []string{"a@example.com", "b@example.com"}
		if err := s.Update(bg, got); err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, id); !g.Paused || g.Name != "renamed" || string(g.Token) != string(r.Token) || g.Org != "o2" || !slices.Equal(g.Emails, got.Emails) {
			t.Errorf("after an update without a token: %+v", g)
		}
		cost := alerts.Rule{Name: "Spend", Owner: "a@example.com", Kind: alerts.KindCost, Org: "o1", Condition: alerts.CondMove, Threshold: 25.5,
			Emails: []string{"fin@example.com"}, Token: []byte{1}, Secret: []byte{2}, Created: t0}
		cid, err := s.Create(bg, cost)
		if err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, cid); g.Kind != alerts.KindCost || g.Condition != alerts.CondMove || g.Threshold != 25.5 || !slices.Equal(g.Emails, cost.Emails) || g.Webhook != "" {
			t.Errorf("a cost rule reads back as %+v", g)
		}
		s.Delete(bg, cid)
		c := alerts.Cursor{Time: t0.Add(time.Hour).UnixMicro(), Seen: []string{"e1", "e2"}}
		// a delivery is recorded before it is sent, and read back whole (after a crash it is sent again as it was)
		p := alerts.Pending{ID: "d1", Message: []byte(`{"count":2}`), Cursor: c, Entries: 2}
		if err := s.Begin(bg, id, p); err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, id); g.Pending == nil || g.Pending.ID != "d1" || string(g.Pending.Message) != `{"count":2}` || g.Pending.Cursor.Time != c.Time || g.Pending.Entries != 2 {
			t.Errorf("the recorded delivery reads back as %+v", g.Pending)
		}
		if err := s.Advance(bg, id, c, t0.Add(time.Hour), []alerts.Delivery{{Rule: id, At: t0.Add(time.Hour), Destination: r.Webhook, Status: "delivered", Code: 200, Attempts: 1, Entries: 2}}); err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, id); g.Cursor.Time != c.Time || !slices.Equal(g.Cursor.Seen, c.Seen) || !g.LastSent.Equal(t0.Add(time.Hour)) || g.Pending != nil {
			t.Errorf("after advancing: %+v", g)
		}
		s.Log(bg, alerts.Delivery{Rule: id, At: t0.Add(-40 * 24 * time.Hour), Status: "failed", Error: "old"})
		if err := s.Purge(bg, t0.Add(-alerts.KeepLog)); err != nil {
			t.Fatal(err)
		}
		ds, err := s.Deliveries(bg, id, 10)
		if err != nil || len(ds) != 1 || ds[0].Status != "delivered" || ds[0].Entries != 2 || !ds[0].At.Equal(t0.Add(time.Hour)) {
			t.Fatalf("deliveries %+v %v", ds, err)
		}
		if list, _ := s.List(bg); len(list) != 1 {
			t.Errorf("%d rules listed", len(list))
		}
		if err := s.Delete(bg, id); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Get(bg, id); ok {
			t.Error("a deleted rule is still there")
		}
		if ds, _ := s.Deliveries(bg, id, 10); len(ds) != 0 {
			t.Error("a deleted rule's log is still there")
		}
	})
}
