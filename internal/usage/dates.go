// dates.go is the calendar of usage: civil days in UTC, presets and the
// 31-day windows a range is fetched in.

package usage

import (
	"fmt"
	"time"
)

// Dates are civil days in UTC, the way the API's from/to and its records'
// charge periods are written: a day is never 23 or 25 hours long here,
// whatever the reader's zone does with daylight saving.

// Day parses YYYY-MM-DD.
func Day(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
	}
	return t, nil
}

// Civil is t's calendar day (in t's own zone) as midnight UTC.
func Civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MonthOf is the first day of t's calendar month (midnight UTC).
func MonthOf(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// Days counts the days of [from, to], both included.
func Days(from, to time.Time) int {
	if to.Before(from) {
		return 0
	}
	return int(Civil(to).Sub(Civil(from)).Hours()/24) + 1
}

// MaxWindowDays is the longest range one API call may ask for.
const MaxWindowDays = 31

// Window is one API call's range, both days included.
type Window struct{ From, To time.Time }

func (w Window) String() string {
	return w.From.Format(time.DateOnly) + ".." + w.To.Format(time.DateOnly)
}

// Windows splits [from, to] into consecutive windows of at most 31 days.
// Windows start on the first of a month where they can: a month is then
// one call, and a failed call means whole months missing, which reads
// better than arbitrary 31-day slices.
func Windows(from, to time.Time) []Window {
	from, to = Civil(from), Civil(to)
	var out []Window
	for start := from; !start.After(to); {
		end := time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1) // month end
		if Days(start, end) > MaxWindowDays {
			end = start.AddDate(0, 0, MaxWindowDays-1)
		}
		if end.After(to) {
			end = to
		}
		out = append(out, Window{start, end})
		start = end.AddDate(0, 0, 1)
	}
	return out
}

// Preset names a common range.
type Preset string

const (
	ThisMonth    Preset = "this_month"
	LastMonth    Preset = "last_month"
	Last30Days   Preset = "last_30_days"
	Last90Days   Preset = "last_90_days"
	Last12Months Preset = "last_12_months"
)

// Presets in the order the page offers them, with their labels.
var Presets = []struct {
	Preset Preset
	Label  string
}{
	{ThisMonth, "This month"}, {LastMonth, "Last month"}, {Last30Days, "Last 30 days"},
	{Last90Days, "Last 90 days"}, {Last12Months, "Last 12 months"},
}

// Range resolves a preset relative to today (a civil day). Usage is
// reported up to yesterday, so ranges end there at the latest; this month
// on its first day is that day alone (and empty); last month and the last
// twelve months are whole calendar months before this one.
func (p Preset) Range(today time.Time) (from, to time.Time, ok bool) {
	today = Civil(today)
	yesterday := today.AddDate(0, 0, -1)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch p {
	case ThisMonth:
		return first, later(yesterday, first), true
	case LastMonth:
		return first.AddDate(0, -1, 0), first.AddDate(0, 0, -1), true
	case Last30Days:
		return today.AddDate(0, 0, -30), yesterday, true
	case Last90Days:
		return today.AddDate(0, 0, -90), yesterday, true
	case Last12Months: // the twelve complete months before this one
		return first.AddDate(-1, 0, 0), first.AddDate(0, 0, -1), true
	}
	return time.Time{}, time.Time{}, false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Previous is the period a range is compared with: whole calendar months
// for whole months (November against October, a quarter against the one
// before); the same days of the month before for a month to date (1–15
// December against 1–15 November, shortened to the month's end); else the
// days of the same count just before.
func Previous(from, to time.Time) (time.Time, time.Time) {
	first := from.Day() == 1
	monthEnd := to.AddDate(0, 0, 1).Day() == 1
	months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
	switch {
	case first && monthEnd:
		pf := from.AddDate(0, -months, 0)
		return pf, from.AddDate(0, 0, -1)
	case first && months == 1:
		pf := from.AddDate(0, -1, 0)
		pt := pf.AddDate(0, 0, to.Day()-1)
		if end := from.AddDate(0, 0, -1); pt.After(end) {
			pt = end
		}
		return pf, pt
	}
	n := Days(from, to)
	return from.AddDate(0, 0, -n), from.AddDate(0, 0, -1)
}

// Step is the width of a chart's bars.
type Step string

const (
	StepDay   Step = "day"
	StepWeek  Step = "week"
	StepMonth Step = "month"
)

// Bucket is the first day of the step that holds day: the day itself, the
// Monday of its ISO week, or the first of its month.
func (s Step) Bucket(day time.Time) time.Time {
	switch s {
	case StepWeek:
		wd := (int(day.Weekday()) + 6) % 7 // Monday 0
		return day.AddDate(0, 0, -wd)
	case StepMonth:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// Label writes a bucket for an axis.
func (s Step) Label(bucket time.Time) string {
	switch s {
	case StepWeek:
		return "wk " + bucket.Format("2006-01-02")
	case StepMonth:
		return bucket.Format("2006-01")
	}
	return bucket.Format("2006-01-02")
}
