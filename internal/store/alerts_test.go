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
		got.Paused, got.Name, got.Token = true, "renamed", nil
		if err := s.Update(bg, got); err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, id); !g.Paused || g.Name != "renamed" || string(g.Token) != string(r.Token) {
			t.Errorf("after an update without a token: %+v", g)
		}
		c := alerts.Cursor{Time: t0.Add(time.Hour).UnixMicro(), Seen: []string{"e1", "e2"}}
		if err := s.Advance(bg, id, c, t0.Add(time.Hour), alerts.Delivery{Rule: id, At: t0.Add(time.Hour), Destination: r.Webhook, Status: "delivered", Code: 200, Attempts: 1, Entries: 2}); err != nil {
			t.Fatal(err)
		}
		if g, _, _ := s.Get(bg, id); g.Cursor.Time != c.Time || !slices.Equal(g.Cursor.Seen, c.Seen) || !g.LastSent.Equal(t0.Add(time.Hour)) {
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
