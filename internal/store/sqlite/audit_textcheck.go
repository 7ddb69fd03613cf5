// audit_textcheck.go checks free text row by row for selective searches.

package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"unicode"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// textCheck decides free text row by row for a selective search: a cheap
// test on the entry's own text first (every word of the query must occur
// in it); then, for text that is all ASCII, the phrases are looked for in
// the document's tokens exactly as the index's tokenizer cuts them (runs of
// letters and digits, folded to lower case); other text asks the full-text
// index about the row (about 300 µs a row over 2,000,000 entries, while its
// segments are not yet merged). The answer is the index's either way
// (TestSelectiveTextSearchPagesEqualTheIndex).
type textCheck struct {
	fts     string     // the FTS5 query
	words   []string   // lower-case ASCII words of the query; nil: no cheap test
	phrases [][]string // each term's tokens; nil: only the index can tell
}

func newTextCheck(p audit.Plan, fts string) *textCheck {
	t := &textCheck{fts: fts}
	for _, text := range p.Phrases {
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if !isASCII(w) {
				return &textCheck{fts: fts} // folded diacritics and other scripts: the index decides alone
			}
			t.words = append(t.words, w)
		}
		toks := tokens(text)
		if len(toks) == 0 || !isASCII(text) {
			return &textCheck{fts: fts, words: t.words}
		}
		t.phrases = append(t.phrases, toks)
	}
	return t
}

// tokens cuts ASCII text as FTS5's unicode61 tokenizer does: letters and
// digits make tokens, everything else separates them.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// exact decides an ASCII document: every phrase is a run of its tokens.
func (t *textCheck) exact(doc string) bool {
	toks := tokens(doc)
	for _, p := range t.phrases {
		if !containsRun(toks, p) {
			return false
		}
	}
	return true
}

// containsRun reports whether run occurs in toks as consecutive tokens.
func containsRun(toks, run []string) bool {
	for i := 0; i+len(run) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasWords reports that every word of the query is in lower, lower-case
// ASCII text: without them it cannot match.
func (t *textCheck) hasWords(lower []byte) bool {
	for _, w := range t.words {
		if !bytes.Contains(lower, []byte(w)) {
			return false
		}
	}
	return true
}

// maybeRaw is false only when an entry's stored JSON, before it is
// decoded, cannot match: the document's text is all in it. JSON with \u
// escapes or non-ASCII text may match in ways a byte search cannot tell.
func (t *textCheck) maybeRaw(body []byte) bool {
	if len(t.words) == 0 || bytes.Contains(body, []byte(`\u`)) || !isASCII(string(body)) {
		return true
	}
	return t.hasWords(bytes.ToLower(body))
}

// matches decides an entry: from its ASCII document where it can, else by
// asking the index about the row (non-ASCII text may match through folding).
func (t *textCheck) matches(ctx context.Context, x *AuditIndex, rowid int64, e *api.AuditEntry) (bool, error) {
	if doc := audit.Document(e); isASCII(doc) {
		if t.phrases != nil {
			return t.exact(doc), nil
		}
		if !t.hasWords([]byte(strings.ToLower(doc))) {
			return false, nil
		}
	}
	var one int
	err := x.db.R.QueryRowContext(ctx, `SELECT 1 FROM audit_entries_fts WHERE audit_entries_fts MATCH ? AND rowid = ?`, t.fts, rowid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
