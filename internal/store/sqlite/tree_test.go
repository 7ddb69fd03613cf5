package sqlite

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"orgboard/internal/audit"
	"orgboard/internal/history"
	"orgboard/internal/sqlitedb"
)

var nov15 = time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)

// An index synced before the tree's history was kept gives its history at
// the upgrade: its entries' creates, deletes and account moves; and its
// entries' days, which summaries read.
func TestTheTreesHistoryIsLearntFromAnEarlierIndex(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "audit.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	before := slices.IndexFunc(auditMigrations, func(m migration) bool { return m.Name == "the tree's history" })
	if err := migrate(bg, db.W, auditMigrations, before); err != nil {
		t.Fatal(err)
	}
	created := `{"id":"e1","action":{"result":"success","time":"2026-11-02T10:00:00Z","type":"create"},"organization":{"id":"sub"},` +
		`"resource":{"id":"sub","product":"organizations","type":"organization","response":{"id":"sub","name":"Walk Test Org","create_time":"2026-11-02T10:00:00Z","parent":{"id":"corp"}}}}`
	moved := `{"id":"e2","action":{"result":"success","time":"2026-12-04T10:00:00Z","type":"update"},"organization":{"id":"dp"},` +
		`"resource":{"id":"acct","product":"organizations","type":"account","response":{"account_id":"acct","source_organization_id":"dp","destination_organization_id":"analytics"}}}`
	dns := `{"id":"e3","action":{"result":"success","time":"2026-12-04T10:00:00Z","type":"update"},"organization":{"id":"dp"},"resource":{"id":"r","product":"dns","type":"record"}}`
	for i, body := range []string{created, moved, dns} {
		product, typ := "organizations", "organization"
		if i == 1 {
			typ = "account"
		} else if i == 2 {
			product, typ = "dns", "record"
		}
		if _, err := db.W.Exec(`INSERT INTO audit_entries(id, org_id, action_time, actor_email, actor_id, actor_ip, actor_token_id, actor_token_name,
			actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
			VALUES (?, 'o', ?, '', '', '', '', '', '', '', 'success', '', ?, ?, '', 200, '', ?)`, i, nov15.AddDate(0, 0, -i-1).UnixMicro(), product, typ, body); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	opened, err := Open(bg, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	evs, err := opened.Tree().TreeEvents(bg)
	if err != nil {
		t.Fatal(err)
	}
	tr := history.NewTree(evs)
	if p, ok := tr.Place(history.Org, "sub", nov15); !ok || p != "corp" || tr.Name("sub") != "Walk Test Org" {
		t.Errorf("the created organization: %q %v %q", p, ok, tr.Name("sub"))
	}
	if p, ok := tr.Place(history.Account, "acct", nov15); !ok || p != "dp" {
		t.Errorf("the account before its move: %q %v", p, ok)
	}
	if len(evs) != 2 {
		t.Errorf("%d events, want 2 (a DNS record says nothing of the tree)", len(evs))
	}
	x := audit.NewIndex(NewAuditIndex(opened), nil)
	q, err := audit.Parse("since:2026-11-01 before:2026-11-15", nov15)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := x.Summarize(bg, q, audit.Scope{Orgs: []string{"o"}})
	if err != nil || sum.Total != 3 || len(sum.Facets["product"]) != 2 {
		t.Errorf("the days of the earlier index hold %d entries, %v (%v), want 3 of two products", sum.Total, sum.Facets["product"], err)
	}
}
