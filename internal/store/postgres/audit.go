// audit.go is the audit index in PostgreSQL (audit.Store): one row per entry
// with its filterable fields, the entry as the API sent it, and its words
// as a tsvector under a GIN index. The words are cut by audit.Words, as
// SQLite's FTS5 cuts them, so that both stores answer a query alike.

package postgres

import (
	"context"
	"strconv"
	"strings"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// AuditIndex is audit.Store in PostgreSQL.
type AuditIndex struct {
	db     *DB
	leases *Leases // nil: every write is taken
}

// NewAuditIndex keeps the index in db; with leases, a sync's writes are
// taken only while its instance holds the organization's lease.
func NewAuditIndex(db *DB, leases *Leases) *AuditIndex { return &AuditIndex{db: db, leases: leases} }

var _ audit.Store = (*AuditIndex)(nil)

// tsvector bounds: PostgreSQL keeps positions up to 16,383 and 256
// positions per word, and refuses a tsvector over 1 MB.
const (
	maxPosition  = 16383
	maxPositions = 255
	maxDocBytes  = 900_000
	maxLexeme    = 2046 // bytes; a longer word cannot be found (hex dumps, say)
)

// Document is the entry's words as a tsvector literal ('word':1,4 …),
// which the store casts when it writes the entry.
func (x *AuditIndex) Document(e *api.AuditEntry) string {
	words := audit.Words(audit.Document(e))
	positions := map[string][]int{}
	var order []string
	for i, w := range words {
		if i >= maxPosition {
			break
		}
		if len(w) > maxLexeme {
			continue
		}
		p, seen := positions[w]
		if !seen {
			order = append(order, w)
		}
		if len(p) < maxPositions {
			positions[w] = append(p, i+1)
		}
	}
	var b strings.Builder
	for _, w := range order {
		if b.Len() > maxDocBytes {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(lexeme(w))
		for j, p := range positions[w] {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// lexeme quotes a word for a tsvector or tsquery literal.
func lexeme(w string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w) + "'"
}

// tsquery is phrases (each a run of its words) all of which must occur;
// ok is false when a phrase has no words (it matches nothing, as in FTS5).
func tsquery(phrases []string) (string, bool) {
	parts := make([]string, 0, len(phrases))
	for _, p := range phrases {
		words := audit.Words(p)
		if len(words) == 0 {
			return "", false
		}
		for i := range words {
			if len(words[i]) > maxLexeme {
				return "", false
			}
			words[i] = lexeme(words[i])
		}
		parts = append(parts, "("+strings.Join(words, " <-> ")+")")
	}
	return strings.Join(parts, " & "), true
}

// asciiLower folds ASCII letters only, as SQLite's NOCASE does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// Size is the index's tables and indexes on disk (for benchmarks).
func (x *AuditIndex) Size(ctx context.Context) (int64, error) {
	var n int64
	err := x.db.Pool.QueryRow(ctx, `SELECT pg_total_relation_size('audit_entries') + pg_total_relation_size('audit_sync_state')`).Scan(&n)
	return n, err
}
