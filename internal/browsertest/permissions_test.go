package browsertest

import (
	"cmp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

// writeControlSelector finds every control that changes what others see.
const writeControlSelector = `[data-testid="rename-form"], [data-testid="create-form"], [data-testid="move-form"], [data-testid="delete-start"],
	[data-testid="add-member-form"], [data-testid="member-remove"], [data-testid="profile-edit"], [data-testid="rates-form"],
	[data-testid="rates-import-form"], [data-testid="rates-reset-form"], [data-testid="account-move"], [data-testid="budget-save"]`

// The read-only auditor, on its first visit, is offered no control that
// changes anything on any tab, and each tab says why.
func TestViewerIsOfferedNoWriteControl(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.do(chromedp.EmulateViewport(1366, 900))
	b.signIn("viewer")
	pp := env.Org("Payments Platform")
	for _, tab := range []struct{ path, wait, note, shot string }{
		{"", `[data-testid="manage"]`, `[data-testid="readonly-note"]`, "viewer-overview"},
		{"/members", `[data-testid="members"]`, `[data-testid="readonly-note"]`, "viewer-members"},
		{"/profile", `[data-testid="profile"]`, `[data-testid="profile-readonly"]`, "viewer-profile"},
		{"/accounts", `[data-testid="accounts"]`, "", "viewer-accounts"},
		{"/rates", `[data-testid="rates-table"]`, `[data-testid="rates-readonly"]`, "viewer-rates"},
	} {
		b.open("/orgs/" + pp.ID + tab.path)
		b.do(chromedp.WaitVisible(chromedp.CSS(tab.wait)), settled)
		if n := b.number(`document.querySelectorAll('` + strings.Join(strings.Fields(writeControlSelector), " ") + `').length`); n != 0 {
			t.Errorf("%s: the viewer is offered %d write controls", cmp.Or(tab.path, "overview"), n)
		}
		if tab.note != "" && !strings.Contains(b.text(tab.note), "do not allow") {
			t.Errorf("%s: the note reads %q", cmp.Or(tab.path, "overview"), b.text(tab.note))
		}
		b.shot(tab.shot)
	}
	b.clean()
}

// The editor of Payments Platform is offered its profile and its members,
// and nothing of the organization's structure; it adds a member.
func TestEditorIsOfferedItsOwnControls(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.do(chromedp.EmulateViewport(1366, 900))
	b.signIn("editor")
	pp := env.Org("Payments Platform")
	b.open("/orgs/" + pp.ID)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="manage"]`)), settled)
	if n := b.number(`document.querySelectorAll('[data-testid="rename-form"], [data-testid="create-form"], [data-testid="move-form"], [data-testid="delete-start"]').length`); n != 0 {
		t.Errorf("the editor is offered %d structure controls", n)
	}
	b.shot("editor-overview")
	b.open("/orgs/" + pp.ID + "/members")
	b.fill(`#add-email`, "new.teammate@northwind.example")
	b.click(`[data-testid="add-member-form"] button[type=submit]`)
	b.waitText(`[data-testid="member-added"]`, "new.teammate@northwind.example was added")
	b.shot("editor-members")
	b.open("/orgs/" + pp.ID + "/profile")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile-edit"]`)), settled)
	b.shot("editor-profile")
	b.clean()
}

// The alert form shows the fields of the kind chosen, and a form with
// mistakes opens on a summary that holds the focus and links to each field.
func TestAlertFormShowsItsKindAndSumsUpMistakes(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.do(chromedp.EmulateViewport(1366, 900))
	b.signIn("admin")
	b.open("/alerts")
	visible := func(sel string) bool {
		return b.eval(`String(!!document.querySelector('`+sel+`') && document.querySelector('`+sel+`').offsetParent !== null)`) == "true"
	}
	b.click(`input[name="kind"][value="cost"]`)
	if visible("#a-q") || !visible("#a-pct") {
		t.Error("a cost rule's form shows the audit query, or hides the cost condition")
	}
	b.click(`input[name="kind"][value="audit"]`)
	if !visible("#a-q") || visible("#a-pct") {
		t.Error("an audit rule's form hides its query, or shows the cost condition")
	}
	b.click(`[data-testid="alert-form"] button[type=submit]`)
	b.waitText(`[data-testid="alert-error-summary"]`, "need a change")
	if got := b.eval(`document.activeElement.getAttribute("data-testid") || ""`); got != "alert-error-summary" {
		t.Errorf("after a refused form the focus is on %q, not the summary", got)
	}
	b.shot("alert-form-mistakes")
}
