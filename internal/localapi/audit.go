// audit.go writes the audit entry of every write and serves the audit log.

package localapi

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
)

// auditFact is what a successful write records about itself.
type auditFact struct {
	org, action, product, resType, resID, desc string
	request, response                          any
}

// auditColumns are the stored columns, in insert order (auditArgs).
const auditColumns = `id, org_id, time, description, result, action_type, actor_id, actor_context, actor_email, actor_ip,
	actor_token_id, actor_token_name, actor_type, ray, method, status_code, uri, user_agent, resource_id, product,
	resource_type, scope, request, response, body, account_id`

// auditArity is the number of auditColumns.
const auditArity = 26

// auditValues is one row's placeholders.
var auditValues = "(" + strings.TrimSuffix(strings.Repeat("?,", auditArity), ",") + ")"

var auditInsert = `INSERT INTO audit(` + auditColumns + `) VALUES ` + auditValues

// audit appends the entry for a write, inside the write's transaction.
func (s *Server) audit(tx *sql.Tx, r *http.Request, p *principal, f auditFact) error {
	e := api.AuditEntry{
		ID:           newID(),
		Action:       api.AuditAction{Description: f.desc, Result: "success", Time: s.now().UTC(), Type: f.action},
		Actor:        p.actor(clientIP(r)),
		Organization: api.OrganizationRef{ID: f.org},
		Raw:          api.AuditRaw{CFRayID: rayOf(r), Method: r.Method, StatusCode: http.StatusOK, URI: r.URL.RequestURI(), UserAgent: r.UserAgent()},
		Resource:     api.AuditResource{ID: f.resID, Product: f.product, Type: f.resType, Scope: scopeJSON(f.org)},
	}
	if f.request != nil {
		e.Resource.Request, _ = json.Marshal(f.request)
	}
	if f.response != nil {
		e.Resource.Response, _ = json.Marshal(f.response)
	}
	_, err := tx.Exec(auditInsert, auditArgs(&e)...)
	return err
}

// rayOf reads the ray ID the server set on the response for this request.
func rayOf(r *http.Request) string {
	if w, ok := r.Context().Value(rayKey{}).(string); ok {
		return w
	}
	return ""
}

type rayKey struct{}

func scopeJSON(org string) json.RawMessage {
	return json.RawMessage(`{"id":"` + org + `","type":"organizations"}`)
}

func auditArgs(e *api.AuditEntry) []any {
	sc := struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}{Type: "organizations"}
	json.Unmarshal(e.Resource.Scope, &sc)
	return scopedArgs(e, sc.Type, sc.ID)
}

// scopedArgs are auditArgs of an entry whose scope the caller knows (the
// seed: reading it back from its JSON cost a fifth of the seed's time).
func scopedArgs(e *api.AuditEntry, scopeType, scopeID string) []any {
	sc := struct{ ID, Type string }{scopeID, scopeType}
	body, _ := json.Marshal(e)
	return []any{e.ID, e.Organization.ID, e.Action.Time.UnixMicro(), e.Action.Description, e.Action.Result, e.Action.Type,
		e.Actor.ID, e.Actor.Context, e.Actor.Email, e.Actor.IPAddress, e.Actor.TokenID, e.Actor.TokenName, e.Actor.Type,
		e.Raw.CFRayID, e.Raw.Method, e.Raw.StatusCode, e.Raw.URI, e.Raw.UserAgent, e.Resource.ID, e.Resource.Product,
		e.Resource.Type, sc.Type, rawOrNil(e.Resource.Request), rawOrNil(e.Resource.Response), string(body), entryAccount(e, sc.Type, sc.ID)}
}

// entryAccount is the account whose log holds e: the account a move
// moved, or the account (or an account's zone) its scope names; "" for
// an entry of the organization alone.
func entryAccount(e *api.AuditEntry, scopeType, scopeID string) string {
	switch {
	case e.Resource.Type == "account":
		return e.Resource.ID
	case (scopeType == "accounts" || scopeType == "zones") && scopeID != e.Organization.ID:
		return scopeID
	}
	return ""
}

func rawOrNil(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// auditNotColumns maps each API exclusion filter to its column.
var auditNotColumns = map[string]string{
	"id": "id", "action_result": "result", "action_type": "action_type", "actor_context": "actor_context",
	"actor_email": "actor_email", "actor_id": "actor_id", "actor_ip_address": "actor_ip",
	"actor_token_id": "actor_token_id", "actor_token_name": "actor_token_name", "actor_type": "actor_type",
	"raw_cf_ray_id": "ray", "raw_method": "method", "raw_status_code": "status_code", "raw_uri": "uri",
	"resource_id": "resource_id", "resource_product": "product", "resource_scope": "scope", "resource_type": "resource_type",
}

// auditError answers as the audit service does: a message without a code.
func auditError(msg string) error { return &apiError{http.StatusBadRequest, 0, msg} }

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	return s.auditList(w, r, auditLog{col: "org_id", id: rec.ID})
}

// auditLog is one log of the audit table: an organization's (org_id) or
// an account's (account_id), whose entries carry prefix (JSON members
// written first into each entry); none: a filter excludes all of it.
type auditLog struct {
	col, id, prefix string
	none            bool
}

// auditList answers one page of the log's entries in r's window and
// filters.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request, l auditLog) error {
	q := r.URL.Query()
	where, args, err := auditWindow(q, l)
	if err != nil {
		return err
	}
	for key, col := range auditNotColumns {
		vals := q[key+".not"]
		if len(vals) == 0 {
			continue
		}
		where += " AND " + col + " NOT IN (" + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + ")"
		for _, v := range vals {
			args = append(args, v)
		}
	}
	return s.auditPage(w, r, l, where, args, "")
}

// auditWindow is the condition of the log's entries within since and
// before (required, since first).
func auditWindow(q url.Values, l auditLog) (string, []any, error) {
	since, err := auditTime(q.Get("since"), "since")
	if err != nil {
		return "", nil, err
	}
	before, err := auditTime(q.Get("before"), "before")
	if err != nil {
		return "", nil, err
	}
	if !since.Before(before) {
		return "", nil, auditError("since must be earlier than before")
	}
	where := l.col + " = ? AND time >= ? AND time < ?"
	if l.none {
		where += " AND 0"
	}
	return where, []any{l.id, since.UnixMicro(), before.UnixMicro()}, nil
}

// auditPage writes one page of the entries matching where, in the
// direction, limit and cursor of r's query; status, when set, is the
// history_status of a resource's history.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, l auditLog, where string, args []any, status string) error {
	q := r.URL.Query()
	dir := strings.ToLower(q.Get("direction"))
	if dir == "" {
		dir = "desc"
	}
	if dir != "desc" && dir != "asc" {
		return auditError("direction must be desc or asc")
	}
	limit, err := pageSize(q, "limit", 100)
	if err != nil {
		return auditError(err.Error())
	}
	after, err := decodeCursor(q.Get("cursor"), "audit:"+dir, "cursor")
	if err != nil {
		return auditError("invalid cursor")
	}
	order := "time DESC, seq DESC"
	if after != nil {
		seq, _ := strconv.ParseInt(after.ID, 10, 64)
		if dir == "desc" {
			where += " AND (time, seq) < (?, ?)"
		} else {
			where += " AND (time, seq) > (?, ?)"
		}
		args = append(args, after.N, seq)
	}
	if dir == "asc" {
		order = "time ASC, seq ASC"
	}
	rows, err := s.store.r.QueryContext(r.Context(), "SELECT seq, time, body FROM audit WHERE "+where+
		" ORDER BY "+order+" LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := bytes.NewBuffer(make([]byte, 0, 64<<10))
	out.WriteString(`{"success":true,"errors":[],"messages":[],"result":[`)
	n := 0
	var lastSeq, lastTime int64
	next := ""
	for rows.Next() {
		var seq, micros int64
		var body sql.RawBytes
		if err := rows.Scan(&seq, &micros, &body); err != nil {
			return err
		}
		if n == limit {
			next = cursor{Mode: "audit:" + dir, N: lastTime, ID: strconv.FormatInt(lastSeq, 10)}.encode()
			break
		}
		if n > 0 {
			out.WriteByte(',')
		}
		if l.prefix != "" && len(body) > 2 && body[0] == '{' {
			out.WriteByte('{')
			out.WriteString(l.prefix)
			out.WriteByte(',')
			body = body[1:]
		}
		out.Write(body)
		n++
		lastSeq, lastTime = seq, micros
	}
	if err := rows.Err(); err != nil {
		return err
	}
	info := struct {
		Count         int               `json:"count"`
		Cursors       map[string]string `json:"cursors"`
		HistoryStatus string            `json:"history_status,omitempty"`
	}{n, map[string]string{}, status}
	if next != "" {
		info.Cursors["after"] = next
	}
	ib, _ := json.Marshal(info)
	out.WriteString(`],"result_info":`)
	out.Write(ib)
	out.WriteString(`}`)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out.Bytes())
	return nil
}

// auditTime reads a date (UTC midnight) or an RFC 3339 time.
func auditTime(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, auditError(name + " is required: a date (2026-04-30) or an RFC 3339 time")
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Time{}, auditError(name + " must be a date (2026-04-30) or an RFC 3339 time")
}

// History statuses: how the resource of a history was identified.
const (
	HistoryExact       = "exact"       // by its URI
	HistoryApproximate = "approximate" // by its ID and type, without a URI
	HistoryUnavailable = "unavailable" // the source entry does not say which resource
)

// auditHistory answers every entry for the resource the source entry acted
// on, within since and before. The source is found by its ID near its
// action_time (a day either way).
func (s *Server) auditHistory(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	return s.auditHistoryIn(w, r, auditLog{col: "org_id", id: rec.ID})
}

// auditHistoryIn answers the history of the resource the path's entry of
// log l acted on.
func (s *Server) auditHistoryIn(w http.ResponseWriter, r *http.Request, l auditLog) error {
	q := r.URL.Query()
	at, err := time.Parse(time.RFC3339Nano, q.Get("action_time"))
	if err != nil {
		return auditError("action_time is required: the RFC 3339 action.time of the audit log entry")
	}
	where, args, err := auditWindow(q, l)
	if err != nil {
		return err
	}
	id := r.PathValue("entry")
	var resID, resType, uri string
	err = s.store.r.QueryRowContext(r.Context(), `SELECT resource_id, resource_type, uri FROM audit WHERE `+l.col+` = ? AND id = ? AND time BETWEEN ? AND ?`,
		l.id, id, at.Add(-24*time.Hour).UnixMicro(), at.Add(24*time.Hour).UnixMicro()).Scan(&resID, &resType, &uri)
	if errors.Is(err, sql.ErrNoRows) {
		return &apiError{http.StatusNotFound, 0, "audit log entry " + id + " was not found near " + at.Format(time.RFC3339)}
	}
	if err != nil {
		return err
	}
	status := HistoryExact
	switch {
	case resID == "":
		status = HistoryUnavailable
		where += " AND 0"
	case uri == "":
		status = HistoryApproximate
		where += " AND resource_id = ?"
		args = append(args, resID)
	default:
		where += " AND resource_id = ? AND resource_type = ?"
		args = append(args, resID, resType)
	}
	return s.auditPage(w, r, l, where, args, status)
}

// AddAuditEntry stores an entry as a change the API did not make itself
// would: a test's way to arrange an entry of any product (the seed's
// products are mostly ones the local API has no endpoint to change).
func (s *Store) AddAuditEntry(e api.AuditEntry) error {
	if e.ID == "" {
		e.ID = newID()
	}
	_, err := s.w.Exec(auditInsert, auditArgs(&e)...)
	return err
}
