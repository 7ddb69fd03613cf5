// audit.go is the audit index in PostgreSQL (audit.Store): the shared part
// (sqlstore.AuditIndex) over the entries' rows, and their words as a
// tsvector under a GIN index. The words are cut by audit.Words, as
// SQLite's FTS5 cuts them, so that both stores answer a query alike.

package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/store/sqlstore"
)

// AuditIndex is audit.Store in PostgreSQL.
type AuditIndex struct {
	*sqlstore.AuditIndex
	db     *DB
	leases *Leases // nil: every write is taken
}

// NewAuditIndex keeps the index in db; with leases, a sync's writes are
// taken only while its instance holds the organization's lease.
func NewAuditIndex(db *DB, leases *Leases) *AuditIndex {
	return &AuditIndex{AuditIndex: &sqlstore.AuditIndex{DB: db.SQL, Text: tsv{}}, db: db, leases: leases}
}

var _ audit.Store = (*AuditIndex)(nil)

// tsvector bounds: PostgreSQL keeps positions up to 16,383 and 256
// positions per word, and refuses a tsvector over 1 MB.
const (
	maxPosition  = 16383
	maxPositions = 255
	maxDocBytes  = 900_000
	maxLexeme    = 2046 // bytes; a longer word cannot be found (hex dumps, say)
)

// Document is the entry's words with their positions, as the tsvector
// COPY sends in PostgreSQL's binary form (no text for the server to parse).
func (x *AuditIndex) Document(e *api.AuditEntry) any {
	words := audit.Words(audit.Document(e))
	index := map[string]int{}
	var v pgtype.TSVector
	size := 0
	for i, w := range words {
		if i >= maxPosition || size > maxDocBytes {
			break
		}
		if len(w) > maxLexeme {
			continue
		}
		at, seen := index[w]
		if !seen {
			at = len(v.Lexemes)
			index[w] = at
			v.Lexemes = append(v.Lexemes, pgtype.TSVectorLexeme{Word: w})
			size += len(w) + 8
		}
		if p := &v.Lexemes[at].Positions; len(*p) < maxPositions {
			*p = append(*p, pgtype.TSVectorPosition{Position: uint16(i + 1)})
			size += 2
		}
	}
	v.Valid = true
	return v
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
