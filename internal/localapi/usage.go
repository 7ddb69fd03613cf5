// usage.go computes and serves billable usage records from each account's
// parameters.

package localapi

import (
	"bufio"
	"context"
	"hash/fnv"
	"math"
	"net/http"
	"time"

	"orgboard/internal/api"
)

// Usage records are read-only in the API, and 13 months of daily records
// for 20,000 accounts would be hundreds of millions of rows. So each account
// stores its usage parameters (seed, currency, whether costs are populated,
// region) and records are computed from them, the same every time.

type metricDef struct {
	id, name, family, unit, pricingUnit string
	price, perUnit, base                float64 // price per pricing unit; consumed units per pricing unit; typical daily quantity
	zoneScoped, regional, weekdayHeavy  bool
}

var metricCatalog = []metricDef{
	{"workers_standard_requests", "Workers Standard Requests", "Workers", "Requests", "Million Requests", 0.30, 1e6, 5e6, false, false, true},
	{"workers_cpu_ms", "Workers CPU Time", "Workers", "CPU Milliseconds", "Million CPU ms", 0.02, 1e6, 2e8, false, false, true},
	{"workers_kv_reads", "Workers KV Reads", "Workers KV", "Requests", "Million Requests", 0.50, 1e6, 1e7, false, false, true},
	{"r2_storage", "R2 Storage", "R2", "GB-Month", "GB-Month", 0.015, 1, 1500, false, true, false},
	{"r2_class_a_operations", "R2 Class A Operations", "R2", "Requests", "Million Requests", 4.50, 1e6, 2e5, false, true, true},
	{"r2_class_b_operations", "R2 Class B Operations", "R2", "Requests", "Million Requests", 0.36, 1e6, 1e6, false, true, true},
	{"cdn_data_transfer", "CDN Data Transfer", "CDN", "GB", "GB", 0.045, 1, 600, true, true, true},
	{"argo_smart_routing", "Argo Smart Routing", "Argo", "GB", "GB", 0.10, 1, 200, true, false, true},
	{"load_balancing_queries", "Load Balancing DNS Queries", "Load Balancing", "Requests", "Million Requests", 0.50, 1e6, 3e6, true, false, true},
	{"waf_requests", "WAF Inspected Requests", "Application Security", "Requests", "Million Requests", 0.60, 1e6, 2e7, true, false, true},
	{"stream_minutes_delivered", "Stream Minutes Delivered", "Stream", "Minutes", "Thousand Minutes", 1.00, 1000, 2e4, false, false, false},
	{"images_transformations", "Images Transformations", "Images", "Transformations", "Thousand Transformations", 0.50, 1000, 5000, false, false, true},
	{"zero_trust_seats", "Zero Trust Seats", "Zero Trust", "Seats", "Seat-Days", 7.0 / 30, 1, 120, false, false, false},
	{"d1_rows_read", "D1 Rows Read", "D1", "Rows", "Million Rows", 0.001, 1e6, 5e8, false, false, true},
	{"spectrum_data_transfer", "Spectrum Data Transfer", "Spectrum", "GB", "GB", 1.00, 1, 40, true, true, true},
}

var regionNames = map[string]string{"wnam": "Western North America", "enam": "Eastern North America", "weur": "Western Europe", "apac": "Asia-Pacific"}

// usageAccount is what the generator needs of one account.
type usageAccount struct {
	id, name, typ, currency, region string
	seed                            uint64
	hasCost                         bool
	created                         time.Time
	ms                              []accountMetric
	spike                           time.Time // the day of the seed's spike, when it is this account's
}

// subscription is the account's subscription: an enterprise agreement or
// pay-as-you-go (FOCUS's sub-account).
func (a *usageAccount) subscription() (id, name string) {
	if a.typ == "enterprise" {
		return "sub-" + a.id[:8], "Enterprise Agreement " + a.id[:4]
	}
	return "payg-" + a.id[:8], "Pay-as-you-go"
}

// usageHistory is how far back usage goes before the seeding day.
const usageHistory = 396 * 24 * time.Hour

func (s *Server) getUsage(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	from, to, err := usageRange(q.Get("from"), q.Get("to"), s.now())
	if err != nil {
		return err
	}
	t := s.store.tree()
	org := r.PathValue("org")
	if t.byID[org] == nil {
		writeResult(w, []api.UsageRecord{}, nil) // the service answers an unknown organization with an empty success
		return nil
	}
	if !p.may(t, org, RoleViewer) {
		return forbidden()
	}
	accounts, anchor, err := s.store.usageAccounts(r.Context(), "org_id", org)
	if err != nil {
		return err
	}
	return s.streamUsage(w, r, accounts, anchor, from, to)
}

// streamUsage writes the records of accounts in [from, to] (FOCUS, as the
// organization's endpoint answers them), filtered by r's metric.
func (s *Server) streamUsage(w http.ResponseWriter, r *http.Request, accounts []usageAccount, anchor, from, to time.Time) error {
	gen := usageGen{anchor: anchor, today: s.now().UTC().Truncate(24 * time.Hour), metric: r.URL.Query().Get("metric")}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"success":true,"errors":[],"messages":[],"result":[`)
	buf := make([]byte, 0, 2048)
	n := 0
	gen.each(accounts, from, to, func(rec *api.UsageRecord) bool {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		buf = appendRecord(buf[:0], rec)
		_, err := bw.Write(buf)
		return err == nil && r.Context().Err() == nil
	})
	bw.WriteString(`]}`)
	return bw.Flush()
}

// usageRange validates from/to: both or neither, at most 31 days.
func usageRange(fromS, toS string, now time.Time) (time.Time, time.Time, error) {
	if (fromS == "") != (toS == "") {
		return time.Time{}, time.Time{}, badRequest("from and to go together: give both or neither")
	}
	if fromS == "" {
		today := now.UTC().Truncate(24 * time.Hour)
		return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), today, nil
	}
	from, err1 := time.Parse(time.DateOnly, fromS)
	to, err2 := time.Parse(time.DateOnly, toS)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, badRequest("from and to must be dates written YYYY-MM-DD")
	}
	if to.Before(from) {
		return time.Time{}, time.Time{}, badRequest("from must not be after to")
	}
	if to.Sub(from) > 30*24*time.Hour {
		return time.Time{}, time.Time{}, badRequest("the range from..to is at most 31 days")
	}
	return from, to, nil
}

type usageGen struct {
	anchor, today time.Time
	metric        string
}

// each emits the records of [from, to] day by day; fn returns false to stop.
func (g usageGen) each(accounts []usageAccount, from, to time.Time, fn func(*api.UsageRecord) bool) {
	start := g.anchor.Add(-usageHistory)
	var rec api.UsageRecord
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		if !day.Before(g.today) || day.Before(start) {
			continue // usage is reported up to yesterday, from the start of the history
		}
		for i := range accounts {
			a := &accounts[i]
			if day.Before(a.created.Truncate(24 * time.Hour)) {
				continue
			}
			for _, m := range a.ms {
				if g.metric != "" && m.def.id != g.metric {
					continue
				}
				g.fill(&rec, a, m, day, false)
				if !fn(&rec) {
					return
				}
			}
			if g.correctionDue(a, day) {
				m := a.ms[0]
				g.fill(&rec, a, m, day, true)
				if (g.metric == "" || m.def.id == g.metric) && !fn(&rec) {
					return
				}
			}
		}
	}
}

type accountMetric struct {
	def           *metricDef
	zoneID, zone  string
	scale, growth float64
	key           uint64
}

// metrics chooses an account's metrics (and zones) from its seed.
func (a *usageAccount) metrics() []accountMetric {
	h := a.seed
	n := 3 + int(h%5)
	zones := 1 + int(h>>8%2)
	out := make([]accountMetric, 0, n+zones)
	for i := 0; i < n; i++ {
		def := &metricCatalog[(h>>uint(4*i)+uint64(i*7))%uint64(len(metricCatalog))]
		dup := false
		for _, m := range out {
			dup = dup || m.def == def
		}
		if dup {
			continue
		}
		k := mix(h, uint64(i+1))
		scale := 0.2 + float64(k%1000)/250 // 0.2 .. 4.2
		growth := float64(k>>12%60) / 1000 // up to 6% a month
		if !def.zoneScoped {
			out = append(out, accountMetric{def: def, scale: scale, growth: growth, key: k})
			continue
		}
		for z := 0; z < zones; z++ {
			zk := mix(k, uint64(z+11))
			out = append(out, accountMetric{def: def, scale: scale / float64(zones), growth: growth, key: zk,
				zoneID: hex32(zk), zone: zoneName(a.name, z)})
		}
	}
	return out
}

func zoneName(account string, i int) string {
	base := account
	if base == "" {
		base = "site"
	}
	return []string{"www", "api", "shop", "cdn"}[i%4] + "." + slug(base) + ".example"
}

func (g usageGen) correctionDue(a *usageAccount, day time.Time) bool {
	last := day.AddDate(0, 0, 1).Day() == 1
	issued := !g.today.Before(day.AddDate(0, 0, 4))
	return last && issued && mix(a.seed, uint64(day.Unix()))%7 == 0
}

// fill computes one record.
func (g usageGen) fill(rec *api.UsageRecord, a *usageAccount, m accountMetric, day time.Time, correction bool) {
	months := day.Sub(g.anchor.Add(-usageHistory)).Hours() / 24 / 30
	k := mix(m.key, uint64(day.Unix()))
	noise := 0.85 + float64(k%300)/1000
	weekly := 1.0
	if m.def.weekdayHeavy && (day.Weekday() == time.Saturday || day.Weekday() == time.Sunday) {
		weekly = 0.68
	}
	spike := 1.0
	if k>>20%1000 < 4 {
		spike = 3 + float64(k>>30%5)
	}
	if m.def.id == spikeMetric && day.Equal(a.spike) {
		spike = spikeFactor
	}
	qty := m.def.base * m.scale * math.Pow(1+m.growth, months) * weekly * noise * spike
	if correction {
		qty = -qty * 0.03
	}
	qty = math.Round(qty*1000) / 1000
	bpStart := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	bpEnd := bpStart.AddDate(0, 1, 0)
	*rec = api.UsageRecord{
		BillingAccountID: a.id, BillingAccountName: a.name, ChargeCategory: "Usage",
		ChargeDescription: m.def.name + " for " + a.name, ChargeFrequency: "Usage-Based",
		ChargePeriodStart: day, ChargePeriodEnd: day.AddDate(0, 0, 1),
		ConsumedQuantity: qty, ConsumedUnit: m.def.unit,
		HostProviderName: "Cloudflare", InvoiceIssuerName: "Cloudflare, Inc.", ServiceProviderName: "Cloudflare",
		BillableMetricName: m.def.name, BillableMetricID: m.def.id, ProductFamilyName: m.def.family,
		BillingPeriodStart: &bpStart, BillingPeriodEnd: &bpEnd, ZoneID: m.zoneID, ZoneName: m.zone,
	}
	if correction {
		rec.ChargeClass = api.ChargeClassCorrection
		rec.ChargeDescription = "Correction: " + rec.ChargeDescription
	}
	if m.def.regional {
		rec.RegionID, rec.RegionName = a.region, regionNames[a.region]
	}
	rec.SubAccountID, rec.SubAccountName = a.subscription()
	if !a.hasCost {
		return
	}
	pq := qty / m.def.perUnit
	list := round2(pq * m.def.price)
	discount := 0.0
	if a.typ == "enterprise" {
		discount = 0.1 + float64(a.seed>>40%20)/100
	}
	contractedPrice := m.def.price * (1 - discount)
	contracted := round2(pq * contractedPrice)
	rec.PricingQuantity, rec.PricingUnit, rec.BillingCurrency = &pq, m.def.pricingUnit, a.currency
	rec.ListUnitPrice, rec.ContractedUnitPrice = ptr(m.def.price), ptr(contractedPrice)
	rec.ListCost, rec.ContractedCost, rec.BilledCost, rec.EffectiveCost = ptr(list), ptr(contracted), ptr(contracted), ptr(contracted)
}

func ptr(v float64) *float64   { return &v }
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// mix is a 64-bit hash of two numbers (splitmix64 finaliser).
func mix(a, b uint64) uint64 {
	z := a ^ (b + 0x9e3779b97f4a7c15 + (a << 6) + (a >> 2))
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func seedOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func hex32(k uint64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 32)
	for i := range b {
		k = mix(k, uint64(i))
		b[i] = digits[k%16]
	}
	return string(b)
}

func slug(s string) string {
	out := make([]byte, 0, len(s))
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c >= 'A' && c <= 'Z':
			out = append(out, c+32)
		case len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	for len(out) > 0 && out[len(out)-1] == '-' {
		out = out[:len(out)-1]
	}
	return string(out)
}

// usageAccounts loads the accounts whose column col (org_id: an
// organization's own accounts; id: one account) is value, with their
// metrics, and the seeding day the usage history is anchored to.
func (st *Store) usageAccounts(ctx context.Context, col, value string) ([]usageAccount, time.Time, error) {
	anchorS, err := st.meta("anchor")
	if err != nil {
		return nil, time.Time{}, err
	}
	anchor, _ := time.Parse(time.RFC3339, anchorS)
	spiked, spikeDay, err := st.Spike()
	if err != nil {
		return nil, anchor, err
	}
	rows, err := st.r.QueryContext(ctx, `SELECT id, COALESCE(name, ''), type, currency, region, usage_seed, has_cost, created_on
		FROM accounts WHERE `+col+` = ? ORDER BY id`, value)
	if err != nil {
		return nil, anchor, err
	}
	defer rows.Close()
	var out []usageAccount
	for rows.Next() {
		var a usageAccount
		var seed int64
		var created string
		if err := rows.Scan(&a.id, &a.name, &a.typ, &a.currency, &a.region, &seed, &a.hasCost, &created); err != nil {
			return nil, anchor, err
		}
		a.seed = uint64(seed)
		a.created, _ = time.Parse(time.RFC3339Nano, created)
		a.ms = a.metrics()
		if a.id == spiked {
			a.spike = spikeDay
		}
		out = append(out, a)
	}
	return out, anchor, rows.Err()
}
