// dialect.go is what differs between the two databases in the statements
// they share: placeholders, how a time is kept, a planner's index hint,
// byte-wise ordering, a lock within a transaction.

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dialect is one database's way of writing what the shared statements say.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// numbered: placeholders are $1, $2, … (PostgreSQL), not ?.
	numbered bool
	// micros: times are kept as Unix microseconds (SQLite), not timestamptz.
	micros bool
	// hints: INDEXED BY is written (SQLite's planner needs it in places).
	hints bool
	// locks: instances share the database, and take advisory locks.
	locks   bool
	rebound sync.Map // a statement as written → as the database reads it
}

// SQLite keeps times as Unix microseconds in INTEGER columns; one
// instance writes it, through one connection.
var SQLite = &Dialect{Name: "sqlite", micros: true, hints: true}

// Postgres keeps times as timestamptz, in UTC; instances share it.
var Postgres = &Dialect{Name: "postgres", numbered: true, locks: true}

// Q is the statement as the database reads it: each ? outside a string
// literal becomes $1, $2, … in PostgreSQL.
func (d *Dialect) Q(stmt string) string {
	if !d.numbered || !strings.Contains(stmt, "?") {
		return stmt
	}
	if q, ok := d.rebound.Load(stmt); ok {
		return q.(string)
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(stmt); i++ {
		c := stmt[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	if len(stmt) < 4096 { // statements built per query (long IN lists) are not kept
		d.rebound.Store(stmt, q)
	}
	return q
}

// Time is t as a time column holds it; the zero time is 0 in SQLite
// (TimeOf reads both back as the zero time).
func (d *Dialect) Time(t time.Time) any {
	switch {
	case d.micros && t.IsZero():
		return int64(0)
	case d.micros:
		return t.UnixMicro()
	}
	return t.UTC()
}

// Micros is a time given in Unix microseconds as a time column holds it.
func (d *Dialect) Micros(us int64) any {
	if d.micros {
		return us
	}
	return time.UnixMicro(us).UTC()
}

// Seconds is an expression of a time column in whole Unix seconds.
func (d *Dialect) Seconds(col string) string {
	if d.micros {
		return "(" + col + " / 1000000)"
	}
	return "CAST(floor(extract(epoch FROM " + col + ")) AS BIGINT)"
}

// From is a FROM clause over table, naming the index SQLite's planner
// is to use; PostgreSQL's planner is left to itself.
func (d *Dialect) From(table, index string) string {
	if d.hints && index != "" {
		return table + " INDEXED BY " + index
	}
	return table
}

// Bytewise orders a text column by its bytes, as both databases can.
func (d *Dialect) Bytewise(col string) string {
	if d.micros {
		return col // SQLite's default collation, BINARY
	}
	return col + ` COLLATE "C"`
}

// Lock takes a lock named key until tx ends, so that a read and the write
// it decides are one step on every instance: PostgreSQL's advisory lock;
// SQLite's one writer, in an immediate transaction, holds it already.
func (d *Dialect) Lock(ctx context.Context, tx *Tx, key string) error {
	if !d.locks {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, key)
	return err
}

// TimeOf scans a time column into t (UTC; the zero time for 0 or NULL).
func TimeOf(t *time.Time) sql.Scanner { return timeScan{t} }

type timeScan struct{ t *time.Time }

func (s timeScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.Time{}
		if x != 0 {
			*s.t = time.UnixMicro(x).UTC()
		}
	case time.Time:
		*s.t = x.UTC()
	default:
		return fmt.Errorf("a time column holds %T", v)
	}
	return nil
}

// MicrosOf scans a time column into Unix microseconds.
func MicrosOf(us *int64) sql.Scanner { return microsScan{us} }

type microsScan struct{ us *int64 }

func (s microsScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.us = 0
	case int64:
		*s.us = x
	case time.Time:
		*s.us = x.UnixMicro()
	default:
		return fmt.Errorf("a time column holds %T", v)
	}
	return nil
}
