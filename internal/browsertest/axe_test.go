package browsertest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/chromedp/chromedp"
)

// axe-core (npm, copied here by make assets; tests only) checks every page
// a journey opens: serious and critical violations fail the test.
//
//go:embed testdata/axe.min.js
var axeSource string

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct{ Target []any }
}

// ids in a path are replaced, so a page kind is checked once per test.
var idInPath = regexp.MustCompile(`/[0-9a-f]{32}`)

// accessible runs axe on the current page (once per kind of page).
func (b *browser) accessible() {
	b.t.Helper()
	u, _ := url.Parse(b.location())
	b.accessibleAs(idInPath.ReplaceAllString(u.Path, "/:id"))
}

// accessibleAs runs axe once for a named state of a page (after a swap).
func (b *browser) accessibleAs(kind string) {
	b.t.Helper()
	b.mu.Lock()
	if b.axed == nil {
		b.axed = map[string]bool{}
	}
	seen := b.axed[kind]
	b.axed[kind] = true
	b.mu.Unlock()
	if seen {
		return
	}
	b.do(settled)
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(window.axe ? Promise.resolve() : Promise.resolve((0, eval)(`+jsString(axeSource)+`)))
		.then(() => axe.run(document, {resultTypes: ["violations"]}))
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", kind, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for i, n := range v.Nodes {
				if i == 3 {
					break
				}
				where = append(where, fmt.Sprint(n.Target...))
			}
			b.t.Errorf("axe on %s: %s (%s): %s at %s", kind, v.ID, v.Impact, v.Help, strings.Join(where, "; "))
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
