// usage_tables.go shapes the usage page's tables for reading: numbers with
// separators, the currency or unit in the head, a totals row (the CSV
// exports keep plain numbers).

package server

import (
	"strconv"

	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// readable formats a chart's table: every amount with separators, the
// denomination in the head of its columns, and (unless noTotals) a totals
// row summing each column of amounts.
func readable(head []string, rows []templates.UsageRow, denom string, noTotals bool) ([]string, []templates.UsageRow, []string) {
	n := len(head)
	amount := make([]bool, n)
	sums := make([]float64, n)
	for j := 1; j < n; j++ {
		amount[j] = len(rows) > 0
		for _, r := range rows {
			if j >= len(r.Cells) {
				amount[j] = false
				break
			}
			v, err := strconv.ParseFloat(r.Cells[j], 64)
			if err != nil {
				amount[j] = false
				break
			}
			sums[j] += v
		}
	}
	out := make([]templates.UsageRow, len(rows))
	for i, r := range rows {
		cells := append([]string(nil), r.Cells...)
		for j := 1; j < len(cells) && j < n; j++ {
			if amount[j] {
				v, _ := strconv.ParseFloat(cells[j], 64)
				cells[j] = usage.Display(v, denom)
			}
		}
		out[i] = templates.UsageRow{Cells: cells, Link: r.Link}
	}
	h := append([]string(nil), head...)
	var foot []string
	for j := 1; j < n; j++ {
		if amount[j] {
			h[j] += " (" + usage.DenomLabel(denom) + ")"
		}
	}
	if !noTotals && len(rows) > 1 {
		foot = make([]string, n)
		foot[0] = "Total"
		for j := 1; j < n; j++ {
			if amount[j] {
				foot[j] = usage.Display(sums[j], denom)
			}
		}
	}
	return h, out, foot
}
