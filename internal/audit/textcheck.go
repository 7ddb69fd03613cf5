package audit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"

	"orgboard/internal/api"
)

// textCheck decides free text row by row for a selective search: a cheap
// test on the entry's own text first (every word of the query must occur
// in it), then the full-text index for the rows that pass, so the answer
// is exactly the index's. Measured over 2,000,000 entries, an actor's week
// of entries checked this way answers in a fraction of the time of asking
// the FTS index about each row (about 30 µs a row) or of materializing
// every match of common words.
type textCheck struct {
	fts   string   // the FTS5 query
	words []string // lower-case ASCII words of the query; nil: no cheap test
}

func newTextCheck(q Query, fts string) *textCheck {
	t := &textCheck{fts: fts}
	for _, term := range q.Terms {
		if term.Negate {
			continue
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(term.Text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if !isASCII(w) {
				return &textCheck{fts: fts} // folded diacritics and other scripts: the index decides alone
			}
			t.words = append(t.words, w)
		}
	}
	return t
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maybe is false only when the entry cannot match: a word of the query is
// not in its text. Text with non-ASCII letters may match through folding.
func (t *textCheck) maybe(e *api.AuditEntry) bool {
	doc := document(e)
	if !isASCII(doc) {
		return true
	}
	doc = strings.ToLower(doc)
	for _, w := range t.words {
		if !strings.Contains(doc, w) {
			return false
		}
	}
	return true
}

func (t *textCheck) matches(ctx context.Context, x *Index, rowid int64, e *api.AuditEntry) (bool, error) {
	if !t.maybe(e) {
		return false, nil
	}
	var one int
	err := x.db.R.QueryRowContext(ctx, `SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? AND rowid = ?`, t.fts, rowid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
