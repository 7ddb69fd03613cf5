// products.go links billing's product families to the audit log's
// products, so that a change in cost can be set beside the changes that
// may explain it.

package usage

// familyProducts are the audit products whose changes move a family's
// cost. Subscription changes (billing) move every family's.
var familyProducts = map[string][]string{
	"Workers":              {"workers"},
	"Workers KV":           {"workers"},
	"R2":                   {"r2"},
	"CDN":                  {"cache", "dns", "ssl"},
	"Load Balancing":       {"load_balancing", "dns"},
	"Application Security": {"waf"},
	"Zero Trust":           {"access", "gateway"},
	"Pages":                {"pages"},
}

// AuditProducts are the audit products that may explain a change in
// family's cost (every product when the family is unknown: nil).
func AuditProducts(family string) []string {
	ps, ok := familyProducts[family]
	if !ok {
		return nil
	}
	return append(append([]string(nil), ps...), "billing")
}
