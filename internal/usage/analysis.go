// analysis.go finds anomalies and forecasts the month.

package usage

import (
	"math"
	"sort"
	"time"
)

// Anomaly is a day whose value for a group is far outside that group's
// recent behaviour.
type Anomaly struct {
	Day      time.Time
	Key      string
	Label    string
	Value    float64
	Baseline float64 // what the recent days of the same kind suggest
}

// Jump is the anomaly's size against its baseline.
func (a Anomaly) Jump() float64 { return a.Value - a.Baseline }

// JumpPct is the jump as a share of the baseline (0 when it is zero).
func (a Anomaly) JumpPct() float64 {
	if a.Baseline == 0 {
		return 0
	}
	return a.Jump() / math.Abs(a.Baseline) * 100
}

// AnomalyMethod says on the page how anomalies are found.
const AnomalyMethod = "A day is marked when it differs from the median of the same kind of day (weekday or weekend) " +
	"in the 28 days before by more than four robust standard deviations (1.4826 × the median absolute deviation) and by at least 30%. " +
	"Days after the newest day holding usage are not reported yet, and never marked."

// anomalies finds the anomalous days of one daily series starting at from.
// Weekdays and weekends are compared with their own kind: many products
// run lower at weekends, and a Saturday is not an anomaly for that.
func anomalies(from time.Time, vals []float64) []int {
	var out []int
	var same []float64
	for i, x := range vals {
		day := from.AddDate(0, 0, i)
		same = same[:0]
		for j := max(0, i-28); j < i; j++ {
			if weekend(from.AddDate(0, 0, j)) == weekend(day) {
				same = append(same, vals[j])
			}
		}
		if len(same) < 5 {
			continue
		}
		base := median(same)
		for k, v := range same {
			same[k] = math.Abs(v - base)
		}
		sigma := math.Max(1.4826*median(same), 0.02*math.Abs(base))
		d := math.Abs(x - base)
		if d > 4*sigma && d >= 0.3*math.Abs(base) && d > 0.005 {
			out = append(out, i)
		}
	}
	return out
}

func weekend(d time.Time) bool { return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday }

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// baselineAt is the median of the same kind of day in the 28 days before i.
func baselineAt(from time.Time, vals []float64, i int) float64 {
	var same []float64
	day := from.AddDate(0, 0, i)
	for j := max(0, i-28); j < i; j++ {
		if weekend(from.AddDate(0, 0, j)) == weekend(day) {
			same = append(same, vals[j])
		}
	}
	return median(same)
}

// Forecast is a month-end projection of the current month.
type Forecast struct {
	Month       time.Time // first day of the month
	Elapsed     int       // complete days of the month counted so far (the 1st to yesterday, or to the day before while yesterday is Unreported; 0 on the 1st)
	DaysInMonth int
	ToDate      float64
	DailyRate   float64 // mean of the last (up to) 7 complete days, wherever they fall
	RateDays    int     // how many days the rate is the mean of
	Projected   float64
	Cumulative  []float64 // actual, per elapsed day
	Budget      float64   // 0: none
	Crossing    time.Time // when the actual or projected total reaches the budget; zero: it does not this month
	Crossed     bool      // the actual total has already reached it
	Unreported  bool      // yesterday reads as nothing after days that cost something: not reported yet, so forecast
}

// ForecastMethod says on the page how the forecast is made.
const ForecastMethod = "Month-end forecast = cost so far this month + the mean daily cost of the last 7 complete days × the days left in the month " +
	"(on the first of a month, the last 7 days of the month before). Yesterday, while Cloudflare has not reported it yet, counts as a day left."

// RateWeek is the days the forecast's daily rate is the mean of: the 7
// complete days before today.
func RateWeek(today time.Time) (from, to time.Time) {
	today = Civil(today)
	return today.AddDate(0, 0, -7), today.AddDate(0, 0, -1)
}

// forecastApplies reports whether a range of [from, to] shows today's
// month: it reaches yesterday and holds every complete day of the month
// (none on the 1st).
func forecastApplies(from, to, today time.Time) bool {
	today = Civil(today)
	yesterday := today.AddDate(0, 0, -1)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	return !to.Before(yesterday) && (!first.Before(from) || today.Equal(first))
}

// unreported reports whether yesterday, as day gives it, holds nothing
// after a week that cost something. Cloudflare reports a day some hours
// after it ends, and until then the day reads as no usage at all; only
// yesterday can be missing that way (older days that hold nothing did).
func unreported(day func(time.Time) (float64, bool), today time.Time) bool {
	today = Civil(today)
	yesterday := today.AddDate(0, 0, -1)
	if v, ok := day(yesterday); !ok || v != 0 {
		return false
	}
	rf, _ := RateWeek(today)
	for d := rf; d.Before(yesterday); d = d.AddDate(0, 0, 1) {
		if v, ok := day(d); ok && v != 0 {
			return true
		}
	}
	return false
}

// forecast projects today's month. day gives a day's total and whether the
// fetched sums hold that day: every complete day of the month must be
// there; the rate takes the days of the last week that are. Cloudflare
// reports a day some hours after it ends: a yesterday that holds nothing
// after a week that cost something is taken as not reported yet, left out
// of the rate and of the days so far, and forecast like the days to come.
func forecast(day func(time.Time) (float64, bool), today time.Time, budget float64) (Forecast, bool) {
	today = Civil(today)
	yesterday := today.AddDate(0, 0, -1)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	f := Forecast{Month: first, DaysInMonth: Days(first, first.AddDate(0, 1, -1)), Budget: budget}
	rf, rt := RateWeek(today)
	for d := rf; !d.After(rt); d = d.AddDate(0, 0, 1) {
		if v, ok := day(d); ok {
			f.DailyRate += v
			f.RateDays++
		}
	}
	if f.Unreported = unreported(day, today); f.Unreported {
		f.RateDays--
	}
	last := today // the first day not counted so far
	if f.Unreported && !yesterday.Before(first) {
		last = yesterday
	}
	for d := first; d.Before(last); d = d.AddDate(0, 0, 1) {
		v, ok := day(d)
		if !ok {
			return Forecast{}, false
		}
		f.ToDate += v
		f.Cumulative = append(f.Cumulative, f.ToDate)
		f.Elapsed++
	}
	if f.RateDays == 0 {
		return Forecast{}, false
	}
	f.DailyRate /= float64(f.RateDays)
	left := f.DaysInMonth - f.Elapsed
	f.Projected = f.ToDate + f.DailyRate*float64(left)
	if budget > 0 {
		for i, c := range f.Cumulative {
			if c >= budget {
				f.Crossing, f.Crossed = first.AddDate(0, 0, i), true
				return f, true
			}
		}
		if f.DailyRate > 0 {
			d := int(math.Ceil((budget - f.ToDate) / f.DailyRate))
			if d <= left {
				f.Crossing = last.AddDate(0, 0, d-1)
			}
		}
	}
	return f, true
}
