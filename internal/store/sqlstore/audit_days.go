// audit_days.go keeps what a summary counts of every entry packed by
// organization and day (audit_days), changed in the transaction that
// stores or removes the entries: a summary whose filters are all fields
// it keeps reads a row per organization and day instead of every entry
// (audit_days_read.go).

package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"

	"orgboard/internal/api"
)

// LayoutAuditDays keeps, per organization and day (days since
// 1970-01-01, UTC), each entry's time within the day and its fields below
// (dayColumns), packed by encodeDay, in parts of at most dayPart entries.
const LayoutAuditDays = `
CREATE TABLE audit_days (
	org_id {text} NOT NULL,
	day {int} NOT NULL,
	part {int} NOT NULL,             -- a busy day's facts are in parts of at most dayPart
	facts {blob} NOT NULL,
	PRIMARY KEY (org_id, day, part)
){without rowid};`

// dayColumns are the index's columns a day keeps of each entry.
var dayColumns = [...]string{"actor_email", "actor_id", "action_type", "action_result", "resource_product", "resource_type"}

// dayColumnList is dayColumns for a SELECT.
var dayColumnList = strings.Join(dayColumns[:], ", ")

// fields are an entry's values of dayColumns.
type fields [len(dayColumns)]string

// dayFact is what a day keeps of an entry.
type dayFact struct {
	micros int64 // since the day began
	f      fields
}

// DayKey is an organization's day.
type DayKey struct {
	Org string
	Day int64
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// split is the day of a time in Unix microseconds and the time within it.
func split(us int64) (day, within int64) {
	day = us / dayMicros
	if us%dayMicros < 0 {
		day--
	}
	return day, us - day*dayMicros
}

// DayChanges are the entries a transaction adds to audit_days or removes.
type DayChanges struct {
	add, remove map[DayKey][]dayFact
}

// Add counts a new entry of org.
func (c *DayChanges) Add(org string, e *api.AuditEntry) {
	c.put(&c.add, org, e.Action.Time.UnixMicro(), fields{e.Actor.Email, e.Actor.ID, e.Action.Type, e.Action.Result, e.Resource.Product, e.Resource.Type})
}

// Remove takes back an entry of org, given as stored.
func (c *DayChanges) Remove(org string, us int64, f fields) { c.put(&c.remove, org, us, f) }

func (c *DayChanges) put(m *map[DayKey][]dayFact, org string, us int64, f fields) {
	if *m == nil {
		*m = map[DayKey][]dayFact{}
	}
	day, within := split(us)
	k := DayKey{org, day}
	(*m)[k] = append((*m)[k], dayFact{within, f})
}

// keys are the days changed, by organization and day.
func (c *DayChanges) keys() []DayKey {
	var keys []DayKey
	for k := range c.add {
		keys = append(keys, k)
	}
	for k := range c.remove {
		if _, ok := c.add[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b DayKey) int { return cmp.Or(cmp.Compare(a.Org, b.Org), cmp.Compare(a.Day, b.Day)) })
	return keys
}

// dayPart is the most facts a row holds: a busy day is kept in parts, and
// a write rewrites its day's last part only.
const dayPart = 1024

// DayRow is a row of audit_days: a part of a day.
type DayRow struct {
	DayKey
	Part  int64
	Facts []byte
}

// DayIO reads and writes audit_days rows in a backend's transaction.
type DayIO struct {
	// Read holds the days of the keys' organizations until the transaction
	// ends (another instance's changes of them wait), then reads every part
	// of the days of whole and the last part of those of last.
	Read func(ctx context.Context, whole, last []DayKey) ([]DayRow, error)
	// Write stores rows and removes the parts gone.
	Write func(ctx context.Context, put, gone []DayRow) error
}

// Apply makes the changes through io.
func (c *DayChanges) Apply(ctx context.Context, io DayIO) error {
	keys := c.keys()
	if len(keys) == 0 {
		return nil
	}
	var whole, last []DayKey
	for _, k := range keys {
		if len(c.remove[k]) > 0 {
			whole = append(whole, k)
		} else {
			last = append(last, k)
		}
	}
	stored, err := io.Read(ctx, whole, last)
	if err != nil {
		return err
	}
	parts := map[DayKey][]DayRow{}
	for _, r := range stored {
		parts[r.DayKey] = append(parts[r.DayKey], r)
	}
	var put, gone []DayRow
	for _, k := range keys {
		p, g, err := c.apply(k, parts[k])
		if err != nil {
			return err
		}
		put, gone = append(put, p...), append(gone, g...)
	}
	if len(put) == 0 && len(gone) == 0 {
		return nil
	}
	return io.Write(ctx, put, gone)
}

// apply makes k's changes to its stored parts (all of them when entries
// go, else the last): the parts to store and those left empty.
func (c *DayChanges) apply(k DayKey, stored []DayRow) (put, gone []DayRow, err error) {
	slices.SortFunc(stored, func(a, b DayRow) int { return cmp.Compare(a.Part, b.Part) })
	facts := make([][]dayFact, len(stored))
	changed := make([]bool, len(stored))
	for i, r := range stored {
		if facts[i], err = decodeDay(r.Facts); err != nil {
			return nil, nil, err
		}
	}
	for _, r := range c.remove[k] {
		for i := range facts {
			if j := slices.Index(facts[i], r); j >= 0 {
				facts[i], changed[i] = slices.Delete(facts[i], j, j+1), true
				break
			}
		}
	}
	add := c.add[k]
	if len(add) > 0 && len(stored) == 0 {
		stored, facts, changed = append(stored, DayRow{DayKey: k}), append(facts, nil), append(changed, false)
	}
	for len(add) > 0 {
		i := len(stored) - 1
		if len(facts[i]) >= dayPart {
			stored = append(stored, DayRow{DayKey: k, Part: stored[i].Part + 1})
			facts, changed, i = append(facts, nil), append(changed, false), i+1
		}
		n := min(len(add), dayPart-len(facts[i]))
		facts[i], changed[i], add = append(facts[i], add[:n]...), true, add[n:]
	}
	for i, r := range stored {
		switch {
		case !changed[i]:
		case len(facts[i]) == 0:
			gone = append(gone, r)
		default:
			r.Facts = encodeDay(facts[i])
			put = append(put, r)
		}
	}
	return put, gone, nil
}

// dayChunk is how many rows one statement reads or writes.
const dayChunk = 200

// TxDays reads and writes audit_days with a transaction of the shared layer.
func TxDays(tx *Tx) DayIO {
	return DayIO{
		Read: func(ctx context.Context, whole, last []DayKey) ([]DayRow, error) {
			var out []DayRow
			for i, keys := range [][]DayKey{whole, last} {
				cond := ""
				if i == 1 {
					cond = ` AND part = (SELECT max(part) FROM audit_days m WHERE m.org_id = audit_days.org_id AND m.day = audit_days.day)`
				}
				for org, days := range byOrg(keys) {
					if err := tx.d.Lock(ctx, tx, "audit_days "+org); err != nil {
						return nil, err
					}
					for c := range slices.Chunk(days, dayChunk) {
						rows, err := tx.Query(ctx, `SELECT day, part, facts FROM audit_days WHERE org_id = ? AND day IN (`+Placeholders(len(c))+`)`+cond,
							append([]any{org}, Args(c)...)...)
						err = Rows(rows, err, func(rows *sql.Rows) error {
							r := DayRow{DayKey: DayKey{Org: org}}
							err := rows.Scan(&r.Day, &r.Part, &r.Facts)
							out = append(out, r)
							return err
						})
						if err != nil {
							return nil, err
						}
					}
				}
			}
			return out, nil
		},
		Write: func(ctx context.Context, put, gone []DayRow) error {
			for c := range slices.Chunk(put, dayChunk) {
				args := make([]any, 0, 4*len(c))
				for _, r := range c {
					args = append(args, r.Org, r.Day, r.Part, r.Facts)
				}
				values := "(?,?,?,?)" + strings.Repeat(",(?,?,?,?)", len(c)-1)
				if _, err := tx.Exec(ctx, `INSERT INTO audit_days(org_id, day, part, facts) VALUES `+values+
					` ON CONFLICT (org_id, day, part) DO UPDATE SET facts = excluded.facts`, args...); err != nil {
					return err
				}
			}
			for _, r := range gone {
				if _, err := tx.Exec(ctx, `DELETE FROM audit_days WHERE org_id = ? AND day = ? AND part = ?`, r.Org, r.Day, r.Part); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// byOrg is keys' days by organization, in order (keys are sorted).
func byOrg(keys []DayKey) iter.Seq2[string, []int64] {
	return func(yield func(string, []int64) bool) {
		for i := 0; i < len(keys); {
			j := i
			var days []int64
			for ; j < len(keys) && keys[j].Org == keys[i].Org; j++ {
				days = append(days, keys[j].Day)
			}
			if !yield(keys[i].Org, days) {
				return
			}
			i = j
		}
	}
}

// dayVersion is the first byte of a day's facts.
const dayVersion = 1

// encodeDay packs facts: a version byte; the distinct strings (count, then
// each as length and bytes); the facts (count, then each as its time within
// the day and the index of each of its fields' strings), all uvarints.
func encodeDay(facts []dayFact) []byte {
	index := map[string]uint64{}
	var strs []string
	for i := range facts {
		for _, s := range facts[i].f {
			if _, ok := index[s]; !ok {
				index[s] = uint64(len(strs))
				strs = append(strs, s)
			}
		}
	}
	b := []byte{dayVersion}
	b = binary.AppendUvarint(b, uint64(len(strs)))
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(facts)))
	for i := range facts {
		b = binary.AppendUvarint(b, uint64(facts[i].micros))
		for _, s := range facts[i].f {
			b = binary.AppendUvarint(b, index[s])
		}
	}
	return b
}

// decodeDay unpacks a day's facts (none for nil).
func decodeDay(b []byte) ([]dayFact, error) {
	if b == nil {
		return nil, nil
	}
	var r dayReader
	if err := r.open(b); err != nil {
		return nil, err
	}
	out := make([]dayFact, 0, r.n)
	var idx [len(dayColumns)]uint64
	for within, ok := r.next(&idx); ok; within, ok = r.next(&idx) {
		f := dayFact{micros: within}
		for i, k := range idx {
			f.f[i] = string(r.strs[k])
		}
		out = append(out, f)
	}
	return out, r.close()
}

var errDay = errors.New("audit_days: a day's facts are damaged")

// dayReader reads a day's facts as encodeDay wrote them: open reads its
// strings (slices of the day's bytes), next each fact in turn.
type dayReader struct {
	b    []byte
	err  error
	strs [][]byte
	n    uint64 // facts left
}

func (r *dayReader) open(b []byte) error {
	if len(b) == 0 || b[0] != dayVersion {
		return errDay
	}
	r.b, r.err, r.strs = b[1:], nil, r.strs[:0]
	ns := r.uvarint()
	if ns > uint64(len(r.b)) { // each string takes a byte at least
		return errDay
	}
	for range ns {
		n := r.uvarint()
		if r.err != nil || n > uint64(len(r.b)) {
			return errDay
		}
		r.strs, r.b = append(r.strs, r.b[:n]), r.b[n:]
	}
	r.n = r.uvarint()
	return r.err
}

// next reads a fact: its time within the day and its fields' strings'
// indexes; false after the last, or at damage (which close reports).
func (r *dayReader) next(idx *[len(dayColumns)]uint64) (int64, bool) {
	if r.n == 0 || r.err != nil {
		return 0, false
	}
	r.n--
	within := r.uvarint()
	if within >= uint64(dayMicros) {
		r.err = errDay
	}
	for i := range idx {
		if idx[i] = r.uvarint(); idx[i] >= uint64(len(r.strs)) {
			r.err = errDay
		}
	}
	return int64(within), r.err == nil
}

// close says whether the day was read whole and sound.
func (r *dayReader) close() error {
	if r.err != nil || r.n != 0 || len(r.b) != 0 {
		return errDay
	}
	return nil
}

func (r *dayReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errDay, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// BackfillDays packs the days of the entries an index holds already, an
// organization at a time.
func BackfillDays(d *Dialect) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, raw *sql.Tx) error {
		tx := &Tx{tx: raw, d: d}
		var orgs []string
		rows, err := tx.Query(ctx, `SELECT DISTINCT org_id FROM audit_entries`)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var org string
			err := rows.Scan(&org)
			orgs = append(orgs, org)
			return err
		})
		if err != nil {
			return err
		}
		for _, org := range orgs {
			var days DayChanges
			rows, err := tx.Query(ctx, `SELECT action_time, `+dayColumnList+` FROM audit_entries WHERE org_id = ?`, org)
			err = Rows(rows, err, func(rows *sql.Rows) error {
				var us int64
				var f fields
				err := rows.Scan(MicrosOf(&us), &f[0], &f[1], &f[2], &f[3], &f[4], &f[5])
				days.put(&days.add, org, us, f)
				return err
			})
			if err == nil {
				err = days.Apply(ctx, TxDays(tx))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}
