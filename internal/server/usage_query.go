// usage_query.go reads and writes the usage page's state, all of it in the
// URL.

package server

import (
	"net/url"
	"strings"
	"time"

	"orgboard/internal/usage"
)

// usageQuery is the state of the usage page, all of it in the URL.
type usageQuery struct {
	preset   usage.Preset // "" for a custom range
	from, to time.Time
	tree     bool // the organization and its descendants
	group    usage.Dim
	step     usage.Step
	measure  usage.Measure
	denom    string
	report   string // the reporting currency every cost is converted into ("": each as billed)
	area     bool
	filters  []usage.Filter
}

// maxUsageDays bounds a range: 13 months of history and a margin.
const maxUsageDays = 400

const defaultPreset = usage.Last30Days

// parseUsageQuery reads and checks the page's parameters; the message
// says what is wrong in the user's words.
func parseUsageQuery(v url.Values, today time.Time) (usageQuery, string) {
	q := usageQuery{tree: v.Get("scope") != "org", group: usage.DimFamily, measure: usage.Effective, area: v.Get("style") == "area"}
	if msg := q.parseRange(v, today); msg != "" {
		q.from, q.to, _ = defaultPreset.Range(today)
		return q, msg
	}
	if sc := v.Get("scope"); sc != "" && sc != "tree" && sc != "org" {
		return q, "Organizations must be tree (with sub-organizations) or org (this one only)."
	}
	if g := v.Get("group"); g != "" {
		d, ok := usage.ParseDim(g)
		if !ok {
			return q, "Group by must be one of product_family, metric, account, zone, region or subscription."
		}
		q.group = d
	}
	if m := v.Get("measure"); m != "" {
		mm, ok := usage.ParseMeasure(m)
		if !ok {
			return q, "Measure must be effective, billed, list, contracted or quantity."
		}
		q.measure = mm
	}
	switch st := usage.Step(v.Get("step")); st {
	case usage.StepDay, usage.StepWeek, usage.StepMonth:
		q.step = st
	case "":
		q.step = defaultStep(usage.Days(q.from, q.to))
	default:
		return q, "Step must be day, week or month."
	}
	if s := v.Get("style"); s != "" && s != "bars" && s != "area" {
		return q, "Chart must be bars or area."
	}
	q.denom = v.Get("cur")
	if !cleanParam(q.denom, 40) {
		return q, "The currency or unit asked for is not valid."
	}
	if q.report = strings.ToUpper(strings.TrimSpace(v.Get("report_currency"))); q.report != "" && !usage.ValidCurrency(q.report) {
		q.report = ""
		return q, "The reporting currency must be a currency code, such as USD or EUR."
	}
	for _, d := range usage.Dims {
		for _, val := range v[d.Name] {
			if val == "" {
				continue
			}
			if !cleanParam(val, 200) {
				return q, "The " + strings.ToLower(d.Label) + " filter is not valid."
			}
			q.filters = append(q.filters, usage.Filter{Dim: d.Dim, Key: val})
		}
	}
	if len(q.filters) > 6 {
		return q, "At most six filters at once."
	}
	return q, ""
}

func (q *usageQuery) parseRange(v url.Values, today time.Time) string {
	p := usage.Preset(v.Get("preset"))
	fromS, toS := v.Get("from"), v.Get("to")
	if p != "" && p != "custom" {
		from, to, ok := p.Range(today)
		if !ok {
			return "The range preset asked for does not exist."
		}
		q.preset, q.from, q.to = p, from, to
		return ""
	}
	if fromS == "" && toS == "" {
		q.preset = defaultPreset
		q.from, q.to, _ = defaultPreset.Range(today)
		return ""
	}
	if fromS == "" || toS == "" {
		return "Give both dates of a custom range, from and to."
	}
	from, err1 := usage.Day(fromS)
	to, err2 := usage.Day(toS)
	switch {
	case err1 != nil || err2 != nil:
		return "Dates are written YYYY-MM-DD, for example 2026-11-01."
	case to.Before(from):
		return "The range ends before it starts: from must not be after to."
	case to.After(usage.Civil(today)):
		return "The range ends in the future: usage is reported up to yesterday."
	case usage.Days(from, to) > maxUsageDays:
		return "A range may span at most 400 days."
	}
	q.from, q.to = from, to
	return ""
}

func defaultStep(days int) usage.Step {
	switch {
	case days > 180:
		return usage.StepMonth
	case days > 62:
		return usage.StepWeek
	}
	return usage.StepDay
}

// values writes the query back as URL parameters.
func (q usageQuery) values() url.Values {
	v := url.Values{}
	if q.preset != "" {
		v.Set("preset", string(q.preset))
	} else {
		v.Set("preset", "custom")
		v.Set("from", q.from.Format(time.DateOnly))
		v.Set("to", q.to.Format(time.DateOnly))
	}
	if !q.tree {
		v.Set("scope", "org")
	}
	v.Set("group", q.group.String())
	v.Set("step", string(q.step))
	v.Set("measure", string(q.measure))
	if q.denom != "" {
		v.Set("cur", q.denom)
	}
	if q.report != "" {
		v.Set("report_currency", q.report)
	}
	if q.area {
		v.Set("style", "area")
	}
	for _, f := range q.filters {
		v.Add(f.Dim.String(), f.Key)
	}
	return v
}

// with returns a copy with a drill-down filter added (once).
func (q usageQuery) with(f usage.Filter) usageQuery {
	for _, g := range q.filters {
		if g == f {
			return q
		}
	}
	q.filters = append(append([]usage.Filter(nil), q.filters...), f)
	return q
}

func (q usageQuery) without(i int) usageQuery {
	q.filters = append(append([]usage.Filter(nil), q.filters[:i]...), q.filters[i+1:]...)
	return q
}
