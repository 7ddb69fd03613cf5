// account_audit.go serves an account's audit log: the entries of its
// organizations' logs that are in the account (docs/api-accounts.md).

package localapi

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// accountRef is an account as its log and its usage need it.
type accountRef struct {
	id, name, org string
}

// readableAccount is the path's account, if p may read its organization.
func (s *Server) readableAccount(r *http.Request, p *principal) (accountRef, error) {
	a := accountRef{id: r.PathValue("account")}
	err := s.store.r.QueryRowContext(r.Context(), `SELECT org_id, COALESCE(name, '') FROM accounts WHERE id = ?`, a.id).Scan(&a.org, &a.name)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("account")
	}
	if err != nil {
		return a, err
	}
	if !p.may(s.store.tree(), a.org, RoleViewer) {
		return a, forbidden()
	}
	return a, nil
}

// log is the account's audit log.
func (a accountRef) log() auditLog {
	ref, _ := json.Marshal(struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}{a.id, a.name})
	return auditLog{col: "account_id", id: a.id, prefix: `"account":` + string(ref)}
}

func (s *Server) listAccountAudit(w http.ResponseWriter, r *http.Request, p *principal) error {
	a, err := s.readableAccount(r, p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l := a.log()
	// the account's own exclusions: its entries' IDs under a second name, its
	// name (every entry has it), and zones (the local API records none)
	if ids := q["audit_log_id.not"]; len(ids) > 0 {
		q["id.not"] = append(q["id.not"], ids...)
	}
	if slices.Contains(q["account_name.not"], a.name) {
		l.none = true // every entry of the account has its name
	}
	cats := append(q["product_category"], q["product_category[]"]...)
	if len(cats) > 0 {
		var products []string
		for _, c := range cats {
			cat, ok := categoryByValue(c)
			if !ok {
				return auditError("product_category " + c + " is not a product category: see /accounts/{account_id}/logs/audit/product_categories")
			}
			for _, p := range cat.Products {
				products = append(products, p.Value)
			}
		}
		// a positive filter is the exclusion of every other product
		for _, p := range auditProducts {
			if !slices.Contains(products, p.product) {
				q["resource_product.not"] = append(q["resource_product.not"], p.product)
			}
		}
	}
	r.URL.RawQuery = q.Encode()
	return s.auditList(w, r, l)
}

func (s *Server) accountAuditHistory(w http.ResponseWriter, r *http.Request, p *principal) error {
	a, err := s.readableAccount(r, p)
	if err != nil {
		return err
	}
	return s.auditHistoryIn(w, r, a.log())
}

// productCategory groups the audit log's resource products.
type productCategory struct {
	Value    string         `json:"value"`
	Label    string         `json:"label"`
	Products []productLabel `json:"products"`
}

type productLabel struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// productCategories cover every product of the seed's entries
// (auditProducts), each in one category.
var productCategories = []productCategory{
	{"dns", "DNS", []productLabel{{"dns", "DNS"}}},
	{"application_security", "Application Security", []productLabel{{"waf", "WAF"}, {"ssl", "SSL/TLS"}}},
	{"developer_platform", "Developer Platform", []productLabel{{"workers", "Workers"}, {"r2", "R2"}, {"pages", "Pages"}}},
	{"zero_trust", "Zero Trust", []productLabel{{"access", "Access"}, {"gateway", "Gateway"}}},
	{"performance", "Performance", []productLabel{{"cache", "Cache"}, {"load_balancing", "Load Balancing"}}},
	{"account_management", "Account Management", []productLabel{{"billing", "Billing"}, {"members", "Members"},
		{"api_tokens", "API Tokens"}, {"organizations", "Organizations"}}},
}

func categoryByValue(v string) (productCategory, bool) {
	for _, c := range productCategories {
		if strings.EqualFold(c.Value, v) {
			return c, true
		}
	}
	return productCategory{}, false
}

func (s *Server) listProductCategories(w http.ResponseWriter, r *http.Request, p *principal) error {
	if _, err := s.readableAccount(r, p); err != nil {
		return err
	}
	n := len(productCategories)
	writeResult(w, productCategories, map[string]int{"count": n, "page": 1, "per_page": n, "total_count": n})
	return nil
}
