// upgrade.go brings a database made by an earlier version up to the
// current layout: columns added since, and what they derive from the rows.

package localapi

import (
	"database/sql"
	"fmt"
)

// added are the columns added to tables after their first layout.
var added = []struct{ table, column, decl string }{
	{"users", "telephone", "TEXT"},
	{"users", "country", "TEXT"},
	{"users", "zipcode", "TEXT"},
	{"audit", "account_id", "TEXT NOT NULL DEFAULT ''"},
}

// upgrade adds the missing columns and fills them, then makes the indexes
// on them and the demo users' API keys; on a current database it changes
// nothing.
func upgrade(w *sql.DB) error {
	for _, a := range added {
		has, err := hasColumn(w, a.table, a.column)
		if err != nil {
			return err
		}
		if has {
			continue
		}
		if _, err := w.Exec(fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s %s`, a.table, a.column, a.decl)); err != nil {
			return err
		}
		if a.column == "account_id" {
			if _, err := w.Exec(backfillAccounts); err != nil {
				return err
			}
		}
	}
	if _, err := w.Exec(`CREATE INDEX IF NOT EXISTS audit_account_time ON audit(account_id, time, seq)`); err != nil {
		return err
	}
	return demoKeys(w)
}

// backfillAccounts gives the entries written before account_id existed the
// account auditArgs would give them now.
const backfillAccounts = `
UPDATE audit SET account_id = CASE
	WHEN resource_type = 'account' THEN resource_id
	ELSE coalesce((SELECT a.id FROM accounts a WHERE a.id = json_extract(audit.body, '$.resource.scope.id')), '')
	END
WHERE resource_type = 'account' OR scope IN ('accounts', 'zones')`

func hasColumn(db *sql.DB, table, column string) (bool, error) {
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, err
		}
		if name == column {
			return true, nil
		}
	}
	return false, rows.Err()
}
