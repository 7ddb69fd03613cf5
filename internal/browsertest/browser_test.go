// Package browsertest drives the console in real headless Chromium against
// the real local API: what a user does, with no CSP violation and no
// JavaScript error on any page.
package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

type browser struct {
	t       *testing.T
	ctx     context.Context
	env     *testenv.Env
	mu      sync.Mutex
	console []string
	axed    map[string]bool // kinds of page axe has checked
}

// chromium finds the browser; make test installs Debian's chromium.
func chromium(t *testing.T) string {
	if testing.Short() {
		t.Skip("browser test: skipped under -short (make test runs it)")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ORGBOARD_SKIP_BROWSER") != "" {
		t.Skip("no Chromium, and ORGBOARD_SKIP_BROWSER is set")
	}
	t.Fatal("no Chromium found: run `make test` (it installs Debian's chromium) or set ORGBOARD_SKIP_BROWSER=1")
	return ""
}

func newBrowser(t *testing.T, env *testenv.Env) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, env: env}
	b.watch(ctx)
	return b
}

// reportViolations makes every page say each CSP violation on the console,
// whether or not Chromium logs it itself (an inline style applied by a
// swapped fragment, say), so that watch sees it.
const reportViolations = `document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || "")));`

// tab opens another tab with its own cookies: a second user.
func (b *browser) tab() *browser {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	other := &browser{t: b.t, ctx: ctx, env: b.env}
	other.watch(ctx)
	return other
}

// watch collects console errors, exceptions and CSP violations. Network
// log lines for 4xx answers are expected: the console swaps those in.
func (b *browser) watch(ctx context.Context) {
	b.t.Cleanup(b.clean) // every journey: no console error, whether or not it says clean()
	if _, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: reportViolations})
		return chromedp.Void{}, err
	}); err != nil {
		b.t.Fatalf("start the browser: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Source == "network" {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") {
				b.mu.Lock()
				b.console = append(b.console, m.String())
				b.mu.Unlock()
			}
		}
	}()
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.doAny(actions...)
}

func (b *browser) doAny(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.doFor(20*time.Second, actions...)
}

// doFor is do with a deadline of its own (a fetch of the whole tree under
// the race detector on a busy machine); a Poll in it needs a polling
// timeout as long (chromedp's own is 30 s), as fetchEnded has.
func (b *browser) doFor(d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		b.t.Fatalf("at %s: %v\n%s", loc, err, truncate(html, 3000))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// open navigates to path and checks the page with axe (once per kind).
func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.env.Console.URL + path))
	b.accessible()
}

// fetchEnded waits, up to the deadline of doFor, until a usage fetch's
// progress is gone from the page.
var fetchEnded = chromedp.Poll[chromedp.Void](`!document.querySelector('[data-testid="usage-progress"]')`, chromedp.WithPollingTimeout(0))

// settled waits until htmx has no request, swap or settle under way, so
// that swapped-in content has its behaviour attached before a click.
var settled = chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && !!window.htmx &&
	document.querySelectorAll('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added').length === 0`)

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(settled, chromedp.WaitVisible(chromedp.CSS(sel)), settled, chromedp.Click(chromedp.CSS(sel)))
}

func (b *browser) fill(sel, value string) {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Evaluate[chromedp.Void](`document.querySelector(`+string(q)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.waitTextFor(sel, want, 15*time.Second)
}

// waitTextFor is waitText with a deadline of its own, for a sync of the
// whole tree under the race detector on a busy machine.
func (b *browser) waitTextFor(sel, want string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		last = s
		time.Sleep(50 * time.Millisecond)
	}
	html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	b.t.Fatalf("at %s: %s never contained %q; last %q\n%s", b.location(), sel, want, truncate(last, 500), truncate(html, 2000))
}

// waitLocation waits until the page's path and query contain want; it
// survives the navigation it waits for.
func (b *browser) waitLocation(want string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		loc, err := chromedp.Run(ctx, chromedp.Location())
		cancel()
		if last = strings.TrimPrefix(loc, b.env.Console.URL); err == nil && strings.Contains(last, want) {
			b.do(settled)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("the page never went to %q; it is at %q", want, last)
}

func (b *browser) location() string {
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.env.Console.URL)
}

// signIn clicks a demo token's button.
func (b *browser) signIn(role string) {
	b.t.Helper()
	b.open("/login")
	b.click(`[data-testid="demo-` + role + `"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="who"]`)))
}

// clean fails the test if any page logged an error or a CSP violation.
func (b *browser) clean() {
	b.t.Helper()
	time.Sleep(100 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		b.t.Errorf("browser console: %s", m)
	}
	b.console = nil // said once
}
