// accounts.go serves an organization's accounts.

package localapi

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"orgboard/internal/api"
)

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	size, err := pageSize(q, "page_size", 10)
	if err != nil {
		return err
	}
	orderBy, dir := q.Get("order_by"), strings.ToLower(q.Get("direction"))
	if orderBy != "" && orderBy != "account_name" {
		return badRequest("order_by must be account_name")
	}
	if dir != "" && dir != "asc" && dir != "desc" {
		return badRequest("direction must be asc or desc")
	}
	mode := "acct:id"
	if orderBy != "" {
		mode = "acct:name:" + map[string]string{"": "asc", "asc": "asc", "desc": "desc"}[dir]
	}
	after, err := decodeCursor(q.Get("page_token"), mode, "page_token")
	if err != nil {
		return err
	}
	where, args := "org_id = ?", []any{rec.ID}
	for _, f := range []struct{ col, prefix string }{{"name", "name"}, {"pubname", "account_pubname"}} {
		nf := readNameFilter(q, f.prefix)
		for _, pat := range []string{likeContains(nf.contains), likePrefix(nf.startsWith), likeSuffix(nf.endsWith)} {
			if pat != "" {
				where += " AND COALESCE(" + f.col + ", '') LIKE ? ESCAPE '\\'"
				args = append(args, pat)
			}
		}
	}
	var total int
	if err := s.store.r.QueryRowContext(r.Context(), "SELECT count(*) FROM accounts WHERE "+where, args...).Scan(&total); err != nil {
		return err
	}
	order, keyset := "id", "id > ?"
	keyArgs := func(c *cursor) []any { return []any{c.ID} }
	switch mode {
	case "acct:name:asc":
		order, keyset = "COALESCE(name, '') COLLATE NOCASE, id", "(COALESCE(name, '') COLLATE NOCASE, id) > (?, ?)"
		keyArgs = func(c *cursor) []any { return []any{c.Key, c.ID} }
	case "acct:name:desc":
		order, keyset = "COALESCE(name, '') COLLATE NOCASE DESC, id DESC", "(COALESCE(name, '') COLLATE NOCASE, id) < (?, ?)"
		keyArgs = func(c *cursor) []any { return []any{c.Key, c.ID} }
	}
	if after != nil {
		where += " AND " + keyset
		args = append(args, keyArgs(after)...)
	}
	rows, err := s.store.r.QueryContext(r.Context(), `SELECT id, name, type, created_on, settings FROM accounts WHERE `+
		where+" ORDER BY "+order+" LIMIT ?", append(args, size+1)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []api.Account{}
	for rows.Next() {
		var a api.Account
		var created, settings string
		if err := rows.Scan(&a.ID, &a.Name, &a.Type, &created, &settings); err != nil {
			return err
		}
		a.CreatedOn, _ = time.Parse(time.RFC3339Nano, created)
		if err := json.Unmarshal([]byte(settings), &a.Settings); err != nil {
			return err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	next := ""
	if len(out) > size {
		out = out[:size]
		last := out[size-1]
		c := cursor{Mode: mode, ID: last.ID}
		if last.Name != nil {
			c.Key = *last.Name
		}
		next = c.encode()
	}
	writeResult(w, out, pageInfo{NextPageToken: next, TotalSize: total})
	return nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func likeContains(s string) string {
	if s == "" {
		return ""
	}
	return "%" + likeEscaper.Replace(s) + "%"
}

func likePrefix(s string) string {
	if s == "" {
		return ""
	}
	return likeEscaper.Replace(s) + "%"
}

func likeSuffix(s string) string {
	if s == "" {
		return ""
	}
	return "%" + likeEscaper.Replace(s)
}

// accountMove is the body of POST /accounts/{account_id}/move.
type accountMove struct {
	Destination *string `json:"destination_organization_id"`
}

// moveAccount moves an account to another organization: the token must
// administer both, and the account's organization must allow account
// mobility. Both organizations' audit logs record the move.
func (s *Server) moveAccount(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body accountMove
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.Destination == nil || !api.ValidID(*body.Destination) {
		return badRequest("destination_organization_id is required: the organization to move the account to")
	}
	dest, account := *body.Destination, r.PathValue("account")
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var source, name string
	err := s.store.r.QueryRowContext(r.Context(), `SELECT org_id, COALESCE(name, '') FROM accounts WHERE id = ?`, account).Scan(&source, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("account")
	}
	if err != nil {
		return err
	}
	t := s.store.tree()
	if t.byID[dest] == nil {
		return notFound("organization")
	}
	if !p.may(t, source, RoleAdmin) || !p.may(t, dest, RoleAdmin) {
		return forbidden()
	}
	if dest == source {
		return badRequest("the account already belongs to organization " + dest)
	}
	if f := t.byID[source].Flags; f == nil || f.AccountMobility != "enabled" {
		return &apiError{http.StatusForbidden, 9109, "account mobility is not enabled for organization " + source + ": its accounts cannot be moved"}
	}
	res := api.AccountMove{AccountID: account, SourceOrganizationID: source, DestinationOrganizationID: dest}
	err = s.store.writeTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE accounts SET org_id = ? WHERE id = ?`, dest, account); err != nil {
			return err
		}
		for _, side := range []struct{ org, desc string }{{source, "Account moved out to organization " + dest}, {dest, "Account moved in from organization " + source}} {
			if err := s.audit(tx, r, p, auditFact{org: side.org, action: "update", product: "organizations", resType: "account",
				resID: account, desc: side.desc, request: body, response: res}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeResult(w, res, nil)
	return nil
}
