// jobs.go is the usage fetches that run in the background for the usage
// and showback pages: starting one from the store's plan, how long a page
// waits for it, and how its progress and gaps read.

package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"orgboard/internal/usage"
	"orgboard/web/templates"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// usageWait is how long a page waits for a fetch before it shows progress.
const usageWait = 1500 * time.Millisecond

// storedJob finds or starts the job bringing req into the usage store;
// unless confirmed, one of more than confirmAbove calls is not started
// (job is nil, calls says how many it needs).
func (s *Server) storedJob(c echo.Context, req usage.Request, confirmed bool) (job *usage.Job, calls int, err error) {
	key := s.usageKey(c, req)
	if j := s.usage.Jobs.Lookup(key); j != nil {
		return j, 0, nil
	}
	job, calls, err = s.usage.Jobs.Keeper().Planned(c.Request().Context(), req)
	if err != nil {
		return nil, 0, err
	}
	if !confirmed && calls > confirmAbove {
		return nil, calls, nil
	}
	job, _ = s.usage.Jobs.Start(key, job, s.client(c))
	return job, 0, nil
}

// budgetTime is how long calls take at a token's budget of 1,200 calls per
// five minutes, for people ("about 4 minutes").
func budgetTime(calls int) string { return aboutTime(calls * 300 / 1200) }

// timeLeft is how long a running fetch still takes: at the pace it has
// achieved once a few calls tell it, else at the token's budget.
func timeLeft(p usage.Progress) string {
	if d, ok := p.Left(); ok {
		return aboutTime(int(d.Seconds()))
	}
	return budgetTime(p.Total - p.Done)
}

// aboutTime is a number of seconds for people ("about 4 minutes").
func aboutTime(secs int) string {
	switch {
	case secs < 60:
		return "under a minute"
	case secs < 90:
		return "about a minute"
	}
	return "about " + strconv.Itoa((secs+30)/60) + " minutes"
}

func gapText(g usage.Gap) string {
	what := "of the range"
	if g.Prev {
		what = "of the period before (used for the change)"
	}
	orgs := ""
	if g.Orgs > 1 {
		orgs = " for " + templates.Count(g.Orgs, "organization", "organizations")
	}
	return fmt.Sprintf("%s to %s %s%s: %s.", g.From.Format(time.DateOnly), g.To.Format(time.DateOnly), what, orgs, g.Reason)
}

// confirmAbove is the most calls a page spends without asking first
// (about 25 seconds of a token's budget of 1,200 calls per five minutes).
const confirmAbove = 100

// usageKey names a job: the user, the organizations, the range, the
// measure, the filters, whether it reads fine sums, and the rate card
// (the step, and the grouping within fine or coarse, change nothing).
func (s *Server) usageKey(c echo.Context, r usage.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%v|%v|%s|", strings.Join(r.Orgs, ","), r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), r.Measure, r.Fine, r.NoPrev, r.Rates.Fingerprint())
	for _, f := range r.Filters {
		fmt.Fprintf(h, "%d=%q|", f.Dim, f.Key)
	}
	return s.user(c) + "|" + hex.EncodeToString(h.Sum(nil))
}
