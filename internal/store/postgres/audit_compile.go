// audit_compile.go writes a selection's plan as PostgreSQL SQL: the same
// conditions as the SQLite store's, text as tsquery phrases over the
// entries' tsvector.

package postgres

import (
	"strconv"
	"strings"
	"time"

	"orgboard/internal/audit"
)

// query collects a statement's arguments as $1, $2, ...
type query struct{ args []any }

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where is the WHERE clause of a selection.
func (q *query) where(s audit.Selection) string {
	filters, text := q.parts(s.Plan())
	return strings.Join(append(filters, text...), " AND ")
}

// parts are the WHERE clause's conditions on the entries' fields, and
// those on their words (over the doc column).
func (q *query) parts(p audit.Plan) (filters, text []string) {
	w := []string{"org_id = ANY(" + q.arg(p.Orgs) + ")",
		"action_time >= " + q.arg(p.Since.UTC()) + " AND action_time < " + q.arg(p.Before.UTC())}
	for _, m := range p.None {
		w = append(w, "NOT "+q.match(m))
	}
	for _, m := range p.All {
		w = append(w, q.match(m))
	}
	for _, phrase := range p.NotPhrases {
		if tq, ok := tsquery([]string{phrase}); ok {
			text = append(text, "NOT doc @@ "+q.arg(tq)+"::tsquery")
		}
	}
	if len(p.Phrases) > 0 {
		if tq, ok := tsquery(p.Phrases); ok {
			text = append(text, "doc @@ "+q.arg(tq)+"::tsquery")
		} else {
			text = append(text, "FALSE") // a phrase without words matches nothing, as in FTS5
		}
	}
	return w, text
}

// match is one filter's alternatives.
func (q *query) match(m audit.Match) string {
	alts := make([]string, 0, len(m))
	for _, cv := range m {
		switch cv.Column {
		case "actor_email":
			alts = append(alts, "actor_email_key = "+q.arg(asciiLower(cv.Value)))
		case "status_code":
			n, err := strconv.ParseInt(cv.Value, 10, 32)
			if err != nil {
				alts = append(alts, "FALSE") // not a number: no entry has it
				continue
			}
			alts = append(alts, "status_code = "+q.arg(int32(n)))
		default:
			alts = append(alts, cv.Column+" = "+q.arg(cv.Value)) // audit.Fields' columns are this table's
		}
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// micros is a cursor's time as the column holds it.
func micros(t int64) time.Time { return time.UnixMicro(t).UTC() }
