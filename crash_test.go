package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/localapi"
)

// hook is a webhook receiver that records each request's delivery ID and
// entries, and can hold its answer (a slow receiver).
type hook struct {
	mu       sync.Mutex
	got      []received
	arrived  chan struct{} // a request came
	answered chan struct{} // an answer went out
	hold     time.Duration
}

type received struct {
	id      string
	entries []string
}

func newHook(t *testing.T, hold time.Duration) (*hook, *httptest.Server) {
	h := &hook{arrived: make(chan struct{}, 16), answered: make(chan struct{}, 16), hold: hold}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m alerts.Message
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &m)
		rec := received{id: r.Header.Get(alerts.DeliveryHeader)}
		for _, e := range m.Entries {
			rec.entries = append(rec.entries, e.ID)
		}
		h.mu.Lock()
		h.got = append(h.got, rec)
		hold := h.hold
		h.mu.Unlock()
		h.arrived <- struct{}{}
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusOK)
		h.answered <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hook) requests() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

func wait(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(60 * time.Second):
		t.Fatalf("no %s within a minute", what)
	}
}

// deliveredRows counts the rule's delivered lines in the console's log.
func deliveredRows(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "orgboard.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A console killed while a receiver holds a delivery, or just after the
// receiver answered, sends the same entries again after its restart under
// the same delivery ID (receivers drop the repeat by it), never as a
// delivery of its own, and logs one delivered line.
func TestCrashDuringADeliverySendsItAgainUnderItsID(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test: runs the console as processes of its own; skipped under -short")
	}
	for _, c := range []struct {
		name   string
		during bool // kill while the receiver holds; else just after it answered
	}{{"during", true}, {"after", false}} {
		t.Run(c.name, func(t *testing.T) {
			e, apiURL := apiFor(t)
			hold := time.Duration(0)
			if c.during {
				hold = 20 * time.Second
			}
			h, receiver := newHook(t, hold)
			dir := t.TempDir()
			args := []string{"--data-dir", dir, "--database-url", "", "--alert-interval", "1s", "--webhook-allow-private"}
			in := startInstance(t, "", apiURL, args...)
			client := signIn(t, in.URL)
			pp := e.Org("Payments Platform")
			if st, body := post(t, client, in.URL+"/alerts", in.URL+"/alerts", url.Values{"kind": {"audit"}, "name": {"Profile changes"}, "org": {pp.ID},
				"q": {"action:update"}, "destination": {receiver.URL + "/hook"}, "quiet": {"0"}, "token": {localapi.DemoAdminToken}}); st != http.StatusSeeOther {
				t.Fatalf("make the rule: %d %.300s", st, body)
			}
			time.Sleep(1500 * time.Millisecond) // the rule's cursor starts when it is made
			if err := e.Admin().UpdateProfile(context.Background(), pp.ID, api.Profile{BusinessName: "Payments Platform Ltd"}); err != nil {
				t.Fatal(err)
			}
			if c.during {
				wait(t, h.arrived, "delivery")
			} else {
				wait(t, h.answered, "answered delivery")
			}
			in.kill()
			h.mu.Lock()
			h.hold = 0
			h.mu.Unlock()

			again := startInstance(t, "", apiURL, args...)
			deadline := time.Now().Add(60 * time.Second)
			for c.during && len(h.requests()) < 2 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(3 * time.Second) // a few more runs: nothing more may come
			got := h.requests()
			if c.during && len(got) < 2 {
				t.Fatalf("the held delivery was not sent again after the restart: %+v\n%s", got, again.logs.String())
			}
			for _, r := range got {
				if r.id == "" || r.id != got[0].id || !slices.Equal(r.entries, got[0].entries) || len(r.entries) == 0 {
					t.Errorf("deliveries differ: %+v", got)
				}
			}
			if n := deliveredRows(t, dir); n != 1 {
				t.Errorf("%d delivered lines in the log, want 1 (requests %+v)", n, got)
			}
		})
	}
}
