// audit.go lists an organization's audit log entries, page by page with
// cursors.

package api

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// AuditExclusions are the API's eighteen exclusion filters: entries whose
// field equals any listed value are left out.
type AuditExclusions struct {
	ID              []string
	ActionResult    []string // success, failure
	ActionType      []string // create, delete, view, update
	ActorContext    []string // api_key, api_token, dash, oauth, origin_ca_key
	ActorEmail      []string
	ActorID         []string
	ActorIPAddress  []string
	ActorTokenID    []string
	ActorTokenName  []string
	ActorType       []string // cloudflare_admin, system, user
	RawCFRayID      []string
	RawMethod       []string
	RawStatusCode   []string
	RawURI          []string
	ResourceID      []string
	ResourceProduct []string
	ResourceScope   []string
	ResourceType    []string
}

// Fields pairs each exclusion with its query key, in the API's order.
func (x *AuditExclusions) Fields() []struct {
	Key    string
	Values *[]string
} {
	type f = struct {
		Key    string
		Values *[]string
	}
	return []f{
		{"id", &x.ID}, {"action_result", &x.ActionResult}, {"action_type", &x.ActionType},
		{"actor_context", &x.ActorContext}, {"actor_email", &x.ActorEmail}, {"actor_id", &x.ActorID},
		{"actor_ip_address", &x.ActorIPAddress}, {"actor_token_id", &x.ActorTokenID},
		{"actor_token_name", &x.ActorTokenName}, {"actor_type", &x.ActorType},
		{"raw_cf_ray_id", &x.RawCFRayID}, {"raw_method", &x.RawMethod},
		{"raw_status_code", &x.RawStatusCode}, {"raw_uri", &x.RawURI},
		{"resource_id", &x.ResourceID}, {"resource_product", &x.ResourceProduct},
		{"resource_scope", &x.ResourceScope}, {"resource_type", &x.ResourceType},
	}
}

// AuditParams query GET /organizations/{id}/logs/audit. Since and Before
// are required: a date (2026-04-30, UTC) or an RFC 3339 time.
type AuditParams struct {
	Since     string
	Before    string
	Direction string // "desc" (newest first) or "asc"
	Limit     int    // entries per page
	Cursor    string // from the previous page
	Exclude   AuditExclusions
}

// Empty reports no exclusion at all.
func (x *AuditExclusions) Empty() bool {
	for _, f := range x.Fields() {
		if len(*f.Values) > 0 {
			return false
		}
	}
	return true
}

func (p AuditParams) query() url.Values {
	q := url.Values{}
	setIf(q, "since", p.Since)
	setIf(q, "before", p.Before)
	setIf(q, "direction", p.Direction)
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	setIf(q, "cursor", p.Cursor)
	for _, f := range p.Exclude.Fields() {
		for _, v := range *f.Values {
			q.Add(f.Key+".not", v)
		}
	}
	return q
}

// AuditPage is one page of audit entries.
type AuditPage struct {
	Entries []AuditEntry
	Cursor  string // empty at the end
	// HistoryStatus, on a page of a resource's history, says how the
	// resource was identified: HistoryExact, HistoryApproximate or
	// HistoryUnavailable.
	HistoryStatus string
}

// How a resource's history was identified (result_info.history_status).
const (
	HistoryExact       = "exact"       // by the resource's URI
	HistoryApproximate = "approximate" // without it
	HistoryUnavailable = "unavailable" // the source entry did not say enough (no entries)
)

// ListAuditEntries returns one page of an organization's audit log.
func (c *Client) ListAuditEntries(ctx context.Context, orgID string, p AuditParams) (AuditPage, error) {
	pth, err := path("organizations", orgID, "logs", "audit")
	if err != nil {
		return AuditPage{}, err
	}
	return c.auditPage(ctx, pth, p.query())
}

// AuditHistoryParams query a resource's history, found from one entry.
type AuditHistoryParams struct {
	ActionTime string // required: the source entry's action.time (RFC 3339)
	Since      string // required, as for the list
	Before     string // required, as for the list
	Direction  string
	Limit      int
	Cursor     string
}

func (p AuditHistoryParams) query() url.Values {
	q := AuditParams{Since: p.Since, Before: p.Before, Direction: p.Direction, Limit: p.Limit, Cursor: p.Cursor}.query()
	setIf(q, "action_time", p.ActionTime)
	return q
}

// ListAuditHistory returns one page of the history of the resource that
// entryID (an entry of orgID's log) acted on.
func (c *Client) ListAuditHistory(ctx context.Context, orgID, entryID string, p AuditHistoryParams) (AuditPage, error) {
	if !ValidID(entryID) {
		return AuditPage{}, fmt.Errorf("audit entry %q: %w", truncate(entryID, 70), ErrInvalidID)
	}
	pth, err := path("organizations", orgID, "logs", "audit", entryID, "history")
	if err != nil {
		return AuditPage{}, err
	}
	return c.auditPage(ctx, pth, p.query())
}

// AuditHistory iterates over a resource's history with the cursor.
func (c *Client) AuditHistory(ctx context.Context, orgID, entryID string, p AuditHistoryParams) iter.Seq2[AuditEntry, error] {
	return auditPages(func(cursor string) (AuditPage, error) {
		p.Cursor = cursor
		return c.ListAuditHistory(ctx, orgID, entryID, p)
	}, p.Cursor)
}

// auditPage reads one page of audit entries at pth.
func (c *Client) auditPage(ctx context.Context, pth string, query url.Values) (AuditPage, error) {
	var page AuditPage
	err := c.retry(ctx, call{method: http.MethodGet, path: pth, query: query}, func(resp *http.Response, e *Error) error {
		body, err := readBody(resp, e)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusOK && !strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "<") {
			var perr error
			if page, perr = parseAuditPage(body); perr == nil {
				return nil
			}
		}
		_, err = decodeEnvelope(e, resp.Header, body) // says why the page is not one, in the client's words
		if err == nil {
			e.Reason = "the audit page does not have the expected shape"
			err = e
		}
		return err
	}, nil)
	return page, err
}

// AuditEntries iterates over an organization's audit log with the cursor.
func (c *Client) AuditEntries(ctx context.Context, orgID string, p AuditParams) iter.Seq2[AuditEntry, error] {
	return auditPages(func(cursor string) (AuditPage, error) {
		p.Cursor = cursor
		return c.ListAuditEntries(ctx, orgID, p)
	}, p.Cursor)
}

// auditPages iterates over the entries of the pages list gives, from cursor on.
func auditPages(list func(cursor string) (AuditPage, error), cursor string) iter.Seq2[AuditEntry, error] {
	return func(yield func(AuditEntry, error) bool) {
		for {
			page, err := list(cursor)
			if err != nil {
				yield(AuditEntry{}, err)
				return
			}
			for _, e := range page.Entries {
				if !yield(e, nil) {
					return
				}
			}
			if page.Cursor == "" || len(page.Entries) == 0 {
				return
			}
			if page.Cursor == cursor {
				yield(AuditEntry{}, fmt.Errorf("api paging: the audit cursor repeats"))
				return
			}
			cursor = page.Cursor
		}
	}
}
