package server

import (
	"testing"
	"time"

	"orgboard/internal/audit"
)

// The status line says what the sync does: a sync that has every
// organization's range and only looks for newer entries says so, instead
// of "40 of 40 organizations done".
func TestSyncTextSaysWhatIsHappening(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p    audit.Progress
		n    int
		want string
	}{
		{audit.Progress{Synced: 1200, OrgsDone: 3}, 40, "Syncing the audit log: 1,200 entries so far; 3 of 40 organizations done…"},
		{audit.Progress{Synced: 49809, OrgsDone: 40, Running: 2}, 40, "Checking for new entries… 49,809 entries of 40 organizations in the index."},
		{audit.Progress{Synced: 1, OrgsDone: 1, Done: true, Covered: from}, 1, "Index up to date: 1 entry of 1 organization, from"},
	} {
		text, when, iso := syncText(c.p, c.n)
		if text != c.want {
			t.Errorf("%+v: %q, want %q", c.p, text, c.want)
		}
		if c.p.Done && (when != "2 Sep 2026 09:00 UTC" || iso != "2026-09-02T09:00:00Z") {
			t.Errorf("up to date from %q (%q)", when, iso)
		}
	}
}
