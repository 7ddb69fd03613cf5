// export.go streams and counts every match of a query, for exports.

package audit

import (
	"context"
	"encoding/json"
	"iter"
)

// All streams every result of a query, newest first, for export: rows are
// read in pages so that nothing holds the whole result.
func (x *Index) All(ctx context.Context, q Query, s Scope) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		var after *Cursor
		for {
			where, args, err := x.compile(q, s, textAuto)
			if err != nil {
				yield(nil, err)
				return
			}
			if after != nil {
				where += " AND (time, rowid) < (?, ?)"
				args = append(args, after.Time, after.RowID)
			}
			rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, time, body FROM "+from(q)+" WHERE "+where+" ORDER BY time DESC, rowid DESC LIMIT 2000", args...)
			if err != nil {
				yield(nil, err)
				return
			}
			n := 0
			for rows.Next() {
				var body []byte
				var c Cursor
				if err := rows.Scan(&c.RowID, &c.Time, &body); err != nil {
					rows.Close()
					yield(nil, err)
					return
				}
				after, n = &c, n+1
				if !yield(body, nil) {
					rows.Close()
					return
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				yield(nil, err)
				return
			}
			if n < 2000 {
				return
			}
		}
	}
}

// Count is the size of a query's result.
func (x *Index) Count(ctx context.Context, q Query, s Scope) (int, error) {
	where, args, err := x.compile(q, s, textCounting)
	if err != nil {
		return 0, err
	}
	var n int
	err = x.db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+from(q)+" WHERE "+where, args...).Scan(&n)
	return n, err
}
