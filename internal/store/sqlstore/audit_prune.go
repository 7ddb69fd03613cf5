// audit_prune.go removes the entries older than the index keeps
// (--audit-retention); by default it keeps every entry it synced.

package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// prunePage is how many entries one transaction removes: a prune never
// holds the writer long.
const prunePage = 2000

// Prune removes the entries from before "before", a page at a time, and
// reports how many.
func (x *AuditIndex) Prune(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n := 0
		err := x.DB.InTx(ctx, func(tx *Tx) error {
			type row struct {
				id   int64
				body []byte
			}
			var page []row
			var days DayChanges
			rows, err := tx.Query(ctx, `SELECT rowid, body, org_id, action_time, `+dayColumnList+` FROM audit_entries
				WHERE action_time < ? ORDER BY action_time LIMIT ?`, x.DB.D.Time(before), prunePage)
			err = Rows(rows, err, func(rows *sql.Rows) error {
				var r row
				var org string
				var us int64
				var f fields
				if err := rows.Scan(&r.id, &r.body, &org, MicrosOf(&us), &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]); err != nil {
					return err
				}
				page = append(page, r)
				days.Remove(org, us, f)
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range page {
				if err := x.Text.Forget(ctx, tx, r.id, r.body); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `DELETE FROM audit_entries WHERE rowid = ?`, r.id); err != nil {
					return err
				}
			}
			n = len(page)
			return days.Apply(ctx, TxDays(tx))
		})
		total += int64(n)
		if err != nil || n < prunePage {
			return total, err
		}
	}
}
