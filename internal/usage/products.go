// products.go links billing's product families to the audit log's
// products, so that a change in cost can be set beside the changes that
// may explain it.

package usage

// familyProducts are the audit products whose changes move a family's
// cost. Subscription changes (billing) move every family's.
var familyProducts = map[string][]string{
	"Workers":              {"workers"},
	"Workers KV":           {"workers", "kv"},
	"R2":                   {"r2"},
	"CDN":                  {"cache", "dns", "ssl"},
	"Argo":                 {"argo", "cache", "dns"},
	"Load Balancing":       {"load_balancing", "dns"},
	"Application Security": {"waf"},
	"Zero Trust":           {"access", "gateway"},
	"Pages":                {"pages"},
	"Spectrum":             {"spectrum", "dns"},
	"Stream":               {"stream"},
	"Images":               {"images"},
	"D1":                   {"d1", "workers"},
}

// AuditProducts are the audit products that may explain a change in
// family's cost, the family's own first and then billing's; known is false
// for a family no product is known to move (nothing then explains it).
func AuditProducts(family string) (products []string, known bool) {
	ps, ok := familyProducts[family]
	if !ok {
		return nil, false
	}
	return append(append([]string(nil), ps...), "billing"), true
}
