// rates_default.go is the rate card shipped with the console: Cloudflare's
// public list prices for the common metrics, each naming the page it comes
// from and the day it was read. Included allowances (the first ten million
// requests of a month, and the like) are not subtracted: an estimate is
// an upper bound of what usage costs at list price.

package usage

import "time"

// pricesRead is the day the default prices were read from their pages.
var pricesRead = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// since is the day the default prices apply from: every stored day.
var since = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	workersPricing = "https://developers.cloudflare.com/workers/platform/pricing/"
	kvPricing      = "https://developers.cloudflare.com/kv/platform/pricing/"
	r2Pricing      = "https://developers.cloudflare.com/r2/pricing/"
	d1Pricing      = "https://developers.cloudflare.com/d1/platform/pricing/"
	streamPricing  = "https://developers.cloudflare.com/stream/pricing/"
	imagesPricing  = "https://developers.cloudflare.com/images/pricing/"
	argoPricing    = "https://developers.cloudflare.com/argo-smart-routing/"
	zeroTrust      = "https://www.cloudflare.com/plans/zero-trust-services/"
)

// DefaultRates are the shipped prices. Metrics without a public per-unit
// price (CDN data transfer, which Cloudflare does not charge for by the
// gigabyte; WAF, Load Balancing and Spectrum, priced by plan or contract)
// have none, and the page lists them as unpriced.
func DefaultRates() []Rate {
	src := func(page string) string { return page + " (read " + pricesRead.Format(time.DateOnly) + ")" }
	return []Rate{
		{"workers_standard_requests", "Workers Standard Requests", 0.30, 1e6, "Million Requests", "USD", since, src(workersPricing)},
		{"workers_cpu_ms", "Workers CPU Time", 0.02, 1e6, "Million CPU ms", "USD", since, src(workersPricing)},
		{"workers_kv_reads", "Workers KV Reads", 0.50, 1e6, "Million Requests", "USD", since, src(kvPricing)},
		{"r2_storage", "R2 Storage", 0.015, 1, "GB-Month", "USD", since, src(r2Pricing)},
		{"r2_class_a_operations", "R2 Class A Operations", 4.50, 1e6, "Million Requests", "USD", since, src(r2Pricing)},
		{"r2_class_b_operations", "R2 Class B Operations", 0.36, 1e6, "Million Requests", "USD", since, src(r2Pricing)},
		{"d1_rows_read", "D1 Rows Read", 0.001, 1e6, "Million Rows", "USD", since, src(d1Pricing)},
		{"stream_minutes_delivered", "Stream Minutes Delivered", 1.00, 1000, "Thousand Minutes", "USD", since, src(streamPricing)},
		{"images_transformations", "Images Transformations", 0.50, 1000, "Thousand Transformations", "USD", since, src(imagesPricing)},
		{"argo_smart_routing", "Argo Smart Routing", 0.10, 1, "GB", "USD", since, src(argoPricing)},
		{"zero_trust_seats", "Zero Trust Seats", 7.00, 30, "Seat-Month (30 seat-days)", "USD", since, src(zeroTrust)},
	}
}

// DefaultCard is the shipped rate card.
func DefaultCard() *RateCard {
	c := NewRateCard(DefaultRates())
	c.Default = true
	return c
}
