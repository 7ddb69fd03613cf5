// audit_compile.go writes a selection's plan as SQL over the index: the
// WHERE clause, the index a filter needs named, free text as FTS5 phrases.

package sqlite

import (
	"context"
	"encoding/json"
	"strings"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/store/sqlstore"
)

// textMode is how a compiled query checks its free text.
type textMode int

const (
	textAuto     textMode = iota // as the query's shape suggests (see compileText)
	textDeferred                 // a selective search over a short range leaves it to Search (see textCheck)
	textCounting                 // a count reads every match: the index's matches first (per row, 804 against 608 ms for an actor's week)
)

// fts is the full text of the shared index's reads (sqlstore.FullText).
type fts struct{}

// Select is a selection's FROM and WHERE clauses for reading all of it.
func (fts) Select(s audit.Selection, counting bool) (string, string, []any) {
	mode := textAuto
	if counting {
		mode = textCounting
	}
	where, args, _ := compileText(s, mode)
	return from(s), where, args
}

// compileText is compile; in textDeferred mode, a selective search over a
// recent range leaves its free text out of the SQL and returns it for
// Search to check row by row.
func compileText(s audit.Selection, mode textMode) (string, []any, *textCheck) {
	p := s.Plan()
	// actor_email's column compares without ASCII case (COLLATE NOCASE)
	w, args := sqlstore.Filters(sqlstore.SQLite, p, func(v string) (string, any) { return "actor_email = ?", v })
	// Free text is checked per row when the time order drives the scan (the
	// first page of a broad search stops early), and materialized when a
	// selective filter drives it (measured over 2,000,000 entries: a broad
	// search 4,185 ms materialized against 21 ms per row; an actor search
	// 179 ms materialized against 400 ms per row).
	// A selective filter over a short range (the usual "what did alice do
	// this week") leaves few rows: Search checks them one by one (see
	// textCheck) instead of materializing every match of common words.
	perRow := !p.Selective && mode != textCounting
	for _, t := range p.NotPhrases {
		w = append(w, "rowid NOT IN (SELECT rowid FROM audit_entries_fts WHERE audit_entries_fts MATCH ?)")
		args = append(args, ftsPhrase(t))
	}
	var must []string
	for _, t := range p.Phrases {
		must = append(must, ftsPhrase(t))
	}
	if len(must) > 0 && mode == textDeferred && p.Selective && s.Recent {
		return strings.Join(w, " AND "), args, newTextCheck(p, strings.Join(must, " AND "))
	}
	if len(must) > 0 {
		if perRow {
			w = append(w, "EXISTS (SELECT 1 FROM audit_entries_fts WHERE audit_entries_fts MATCH ? AND rowid = audit_entries.rowid)")
		} else {
			w = append(w, "rowid IN (SELECT rowid FROM audit_entries_fts WHERE audit_entries_fts MATCH ?)")
		}
		args = append(args, strings.Join(must, " AND "))
	}
	return strings.Join(w, " AND "), args, nil
}

// from is the FROM clause of a query over the entries: with two thousand
// organizations bound in a query, SQLite's planner preferred walking the
// time index through every organization's week to reading one actor's
// entries of each organization (323 ms against 20 ms for a busy actor;
// counting the same 3.7 s), so a query with an actor or a resource names
// its index.
func from(s audit.Selection) string {
	switch s.Plan().Index {
	case "actor":
		return "audit_entries INDEXED BY entries_org_actor"
	case "resource":
		return "audit_entries INDEXED BY entries_org_resource"
	}
	return "audit_entries"
}

// ftsPhrase quotes text as one FTS5 phrase (the tokenizer splits it).
func ftsPhrase(text string) string {
	return `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
}

// Forget removes an entry's words from the contentless FTS5 table, which
// is told the text it indexed: audit.Document of the entry, as stored.
func (fts) Forget(ctx context.Context, tx *sqlstore.Tx, rowid int64, body []byte) error {
	var e api.AuditEntry
	if err := json.Unmarshal(body, &e); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_entries_fts(audit_entries_fts, rowid, doc) VALUES ('delete', ?, ?)`, rowid, audit.Document(&e))
	return err
}
