// Package usage turns FOCUS cost-and-usage records into what a cost
// reviewer reads: any date range fetched as 31-day windows, records folded
// into per-day sums as they stream in and kept in the usage store, grouped,
// compared with the period before, forecast to the month's end, checked for
// anomalies, priced by rate cards, and shown back by organization.
package usage
