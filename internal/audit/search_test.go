package audit_test

import (
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/testenv"
)

func TestSearchAnswersWhatTheAPICannot(t *testing.T) {
	e := testenv.New(t)
	root := e.Org("Northwind Holdings").ID
	x, db := openIndex(t, t.TempDir())
	defer db.Close()
	s := audit.NewSyncer(bg, x, nil)
	if err := s.SyncOrg(bg, e.Admin(), root); err != nil {
		t.Fatal(err)
	}
	var all []api.AuditEntry
	p := api.AuditParams{Since: time.Now().Add(-audit.DefaultWindow + time.Hour).UTC().Format(time.RFC3339), Before: time.Now().Add(time.Hour).UTC().Format(time.RFC3339), Limit: 1000}
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
		{"since:7d", func(en api.AuditEntry) bool { return en.Action.Time.After(time.Now().Add(-7 * 24 * time.Hour)) }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := audit.Parse(tt.query, time.Now())
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
