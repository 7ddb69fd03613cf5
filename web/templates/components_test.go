package templates

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// Component tests, as templ's own documentation shows them: render a
// component with a view, then read it back as a document and find its
// parts by data-testid.

func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// The members' count agrees with its noun, and the list swaps in beside
// another fragment only when asked to.
func TestMembersListCountsAndSwaps(t *testing.T) {
	one := render(t, MembersList(MemberRows{Total: 1, Members: []MemberRow{{ID: "m1", Email: "a@example.com", Status: "active"}}}, false))
	if got := byTestID(one, "members-count").Text(); got != "1 member" {
		t.Errorf("count %q", got)
	}
	if _, oob := one.Find("#members-list").Attr("hx-swap-oob"); oob {
		t.Error("an in-place list swaps out of band")
	}
	many := render(t, MembersList(MemberRows{Total: 12345}, true))
	if got := byTestID(many, "members-count").Text(); got != "12,345 members" {
		t.Errorf("count %q", got)
	}
	if v, _ := many.Find("#members-list").Attr("hx-swap-oob"); v != "true" {
		t.Error("the list beside the add form does not swap out of band")
	}
	if byTestID(many, "member-row").Length() != 0 || !strings.Contains(byTestID(many, "members").Text(), "No members match") {
		t.Error("an empty page of members does not say nothing matches")
	}
}

// A conflicting rename shows both names and offers both ways on, with the
// fingerprint of the current name for "anyway"; names are escaped.
func TestRenameConflictShowsBothNames(t *testing.T) {
	doc := render(t, RenameOrg(RenameForm{Action: "/orgs/o1", Name: `<b>Mine</b>`, Fingerprint: "old",
		Conflict: &OrgConflict{Mine: `<b>Mine</b>`, Current: "Theirs", Fingerprint: "new"}}))
	if got := byTestID(doc, "conflict-mine").Text(); got != "<b>Mine</b>" {
		t.Errorf("mine %q (escaped as text)", got)
	}
	if doc.Find("b").Length() != 0 {
		t.Error("a name was rendered as HTML")
	}
	if got := byTestID(doc, "conflict-current").Text(); got != "Theirs" {
		t.Errorf("current %q", got)
	}
	anyway := byTestID(doc, "rename-anyway")
	if fp, _ := anyway.Find(`input[name="fingerprint"]`).Attr("value"); fp != "new" {
		t.Errorf("rename anyway carries fingerprint %q, want the current one", fp)
	}
	if fp, _ := byTestID(doc, "rename-form").Find(`input[name="fingerprint"]`).Attr("value"); fp != "old" {
		t.Errorf("the form carries %q, want what it was shown with", fp)
	}
}

// While indexing, the audit results say so and ask again; once covered,
// the summary loads instead and nothing polls.
func TestAuditLiveAsksAgainOnlyWhileIndexing(t *testing.T) {
	indexing := render(t, auditLive(AuditView{Indexing: &AuditIndexing{Synced: "1,234 entries", OrgsDone: 1, Orgs: 4, URL: "/audit?q=x"},
		Rows: AuditRows{Empty: true, Indexing: true}}))
	live := indexing.Find("#audit-live")
	if trig, _ := live.Attr("hx-trigger"); trig != "every 3s" {
		t.Errorf("trigger %q", trig)
	}
	// one figure from one place: the counts are the status line's, never repeated here
	if txt := byTestID(indexing, "audit-indexing").Text(); !strings.Contains(txt, "Indexing…") || strings.Contains(txt, "1,234") {
		t.Errorf("indexing note %q", byTestID(indexing, "audit-indexing").Text())
	}
	if strings.Contains(byTestID(indexing, "audit-empty").Text(), "No entries match") || indexing.Find("#audit-summary").Length() != 0 {
		t.Error("while indexing the page says nothing matches, or counts")
	}
	done := render(t, auditLive(AuditView{SummaryURL: "/audit/summary?q=x", Rows: AuditRows{Empty: true}}))
	if _, polls := done.Find("#audit-live").Attr("hx-trigger"); polls {
		t.Error("a covered search still polls")
	}
	if done.Find("#audit-summary").Length() != 1 || !strings.Contains(byTestID(done, "audit-empty").Text(), "No entries match") {
		t.Error("a covered search lacks its summary or its empty message")
	}
}

// The first of a month: no usage yet, but the forecast and the budget form.
func TestUsagePanelOnTheFirstOfAMonth(t *testing.T) {
	doc := render(t, UsagePanel(UsageView{Empty: true, EmptyNote: "No usage has been reported for December yet.",
		KPIs:   []UsageKPI{{Label: "Forecast for December", Value: "3,100.00 USD", TestID: "kpi-forecast"}},
		Budget: UsageBudgetForm{Action: "/orgs/o1/usage/budget", Currencies: []string{"USD"}, Currency: "USD"}}))
	if !strings.Contains(byTestID(doc, "usage-empty").Text(), "December") || byTestID(doc, "kpi-forecast").Length() != 1 || byTestID(doc, "usage-budget").Length() != 1 {
		t.Error("the first of a month lacks its note, forecast or budget form")
	}
	if byTestID(doc, "usage-export-csv").Length() != 0 || byTestID(doc, "usage-anomalies").Length() != 0 {
		t.Error("an empty range offers exports or anomalies")
	}
}

// The tree's next page and a node's count come from the view's URLs.
func TestTreeChildrenLinksAndCount(t *testing.T) {
	doc := render(t, TreeChildren(TreeNodes{Parent: "p1", First: true, Total: 2, MoreURL: "/orgs/tree?level=2&page_token=a%2Bb&parent=p1", MoreID: "more-p1",
		Nodes: []TreeNode{{ID: "c1", Name: "Child", URL: "/orgs/c1", ChildrenURL: "/orgs/tree?level=3&parent=c1", Level: 2}}}))
	if u, _ := byTestID(doc, "tree-more").Attr("hx-get"); u != "/orgs/tree?level=2&page_token=a%2Bb&parent=p1" {
		t.Errorf("show more %q", u)
	}
	if c := byTestID(doc, "tree-count"); c.Last().Text() != "2 sub-organizations" {
		t.Errorf("count %q", c.Last().Text())
	}
}

// The audit summary says its counts with their nouns in one line, names the
// partial bars, and sends the top values out of band into the side column.
func TestAuditSummaryInOneLine(t *testing.T) {
	doc := render(t, AuditSummaryPart(AuditSummary{Total: "1", TotalNoun: "action", Actors: "1", ActorsNoun: "actor", Products: "2", ProductsNoun: "products",
		FailureRate: "0.0%", BucketLabel: "day", Partial: "Per day, UTC; faded bars are partial: 1 Dec.",
		Facets: []Facet{{Name: "actor", Label: "actors", Values: []FacetValue{{AuditValue: AuditValue{Text: "a@example.com"}, Count: "1"}}}, {Name: "type", Label: "resource types"}}}))
	if got := strings.Join(strings.Fields(doc.Find(".counts").Text()), " "); got != "1 action · 1 actor · 2 products · 0.0% failed" {
		t.Errorf("counts %q", got)
	}
	if !strings.Contains(byTestID(doc, "audit-partial").Text(), "1 Dec") {
		t.Error("the partial day is not named")
	}
	facets := doc.Find("#audit-facets")
	if v, _ := facets.Attr("hx-swap-oob"); v != "true" || facets.Find(".facet").Length() != 1 || !strings.Contains(facets.Text(), "Top actors") {
		t.Errorf("facets: oob %q, %d shown: %s", v, facets.Find(".facet").Length(), facets.Text())
	}
}

// The manage panel offers exactly what Can allows, and says why the rest is
// not offered.
func TestManageOffersWhatCanAllows(t *testing.T) {
	why := map[string]string{"organize": "Your token's permissions do not allow renaming.", "create": "Its sub_org_creation flag is disabled."}
	doc := render(t, Manage(OverviewView{Can: Can{Why: why}, Refusal: "Nothing was changed."}))
	if doc.Find("form").Length() != 0 || byTestID(doc, "readonly-note").Length() != 2 || byTestID(doc, "write-refused").Length() != 1 {
		t.Errorf("read-only manage panel: %d forms, %d notes", doc.Find("form").Length(), byTestID(doc, "readonly-note").Length())
	}
	some := render(t, Manage(OverviewView{Can: Can{Organize: true, Why: map[string]string{"create": why["create"]}}, Rename: RenameForm{Action: "/orgs/o1"}, Delete: DeleteForm{ConfirmURL: "/orgs/o1/delete"}}))
	if byTestID(some, "rename-form").Length() != 1 || byTestID(some, "create-form").Length() != 0 || byTestID(some, "readonly-note").Text() != why["create"] {
		t.Error("the manage panel without Create: rename missing, create shown, or no reason")
	}
	all := render(t, Manage(OverviewView{Can: Can{Organize: true, Create: true}, Rename: RenameForm{Action: "/orgs/o1"}, Delete: DeleteForm{ConfirmURL: "/orgs/o1/delete"}}))
	if byTestID(all, "create-form").Length() != 1 || byTestID(all, "readonly-note").Length() != 0 {
		t.Error("the manage panel of an administrator lacks its controls")
	}
}
