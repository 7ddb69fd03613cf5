package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"orgboard/internal/audit"
)

// memDays is audit_days in memory, read and written as a backend does.
type memDays map[DayKey]map[int64][]byte

func (m memDays) io() DayIO {
	return DayIO{
		Read: func(_ context.Context, whole, last []DayKey) ([]DayRow, error) {
			var out []DayRow
			for _, k := range whole {
				for p, b := range m[k] {
					out = append(out, DayRow{k, p, b})
				}
			}
			for _, k := range last {
				if len(m[k]) > 0 {
					p := slices.Max(slices.Collect(func(yield func(int64) bool) {
						for p := range m[k] {
							yield(p)
						}
					}))
					out = append(out, DayRow{k, p, m[k][p]})
				}
			}
			return out, nil
		},
		Write: func(_ context.Context, put, gone []DayRow) error {
			for _, r := range put {
				if m[r.DayKey] == nil {
					m[r.DayKey] = map[int64][]byte{}
				}
				m[r.DayKey][r.Part] = r.Facts
			}
			for _, r := range gone {
				delete(m[r.DayKey], r.Part)
			}
			return nil
		},
	}
}

func (m memDays) facts(t *testing.T, k DayKey) (total int, sizes map[int64]int) {
	sizes = map[int64]int{}
	for p, b := range m[k] {
		f, err := decodeDay(b)
		if err != nil {
			t.Fatal(err)
		}
		sizes[p], total = len(f), total+len(f)
	}
	return total, sizes
}

// A busy day is kept in parts of at most dayPart entries: a write adds to
// the last, a removal finds its entry in any part, an emptied part goes.
func TestADaysPartsHoldItsEntries(t *testing.T) {
	m := memDays{}
	ctx := context.Background()
	day := int64(20_000)
	at := func(i int) int64 { return day*dayMicros + int64(i)*1000 }
	f := fields{"a@example.com", "a", "update", "success", "dns", "record"}
	var c DayChanges
	for i := range 2500 {
		c.put(&c.add, "org", at(i), f)
	}
	if err := c.Apply(ctx, m.io()); err != nil {
		t.Fatal(err)
	}
	k := DayKey{"org", day}
	if n, sizes := m.facts(t, k); n != 2500 || sizes[0] != dayPart || sizes[1] != dayPart || sizes[2] != 2500-2*dayPart {
		t.Fatalf("2,500 entries in parts %v", sizes)
	}
	// one more fills the last part further; then the first part's entries go
	c = DayChanges{}
	c.put(&c.add, "org", at(2500), f)
	if err := c.Apply(ctx, m.io()); err != nil {
		t.Fatal(err)
	}
	c = DayChanges{}
	for i := range dayPart {
		c.Remove("org", at(i), f)
	}
	c.Remove("org", at(2400), f)
	c.Remove("org", at(99_999), f) // held by no part: nothing goes
	if err := c.Apply(ctx, m.io()); err != nil {
		t.Fatal(err)
	}
	if n, sizes := m.facts(t, k); n != 2501-dayPart-1 || len(sizes) != 2 || sizes[2] != 2500-2*dayPart {
		t.Fatalf("after the removals %d entries in parts %v", n, sizes)
	}
}

// A damaged day is an error, never a panic or a wrong count: every
// truncation and every changed byte of a day's facts.
func TestADamagedDayIsAnError(t *testing.T) {
	var facts []dayFact
	for i := range 40 {
		facts = append(facts, dayFact{int64(i) * 3_600_000_000 / 2, fields{"a@example.com", "a", "update", []string{"success", "failure"}[i%2], "dns", "record"}})
	}
	good := encodeDay(facts)
	if got, err := decodeDay(good); err != nil || !slices.Equal(got, facts) {
		t.Fatalf("the day read back: %d facts, %v", len(got), err)
	}
	plan := dayPlan{}
	count := func(b []byte) error {
		dc := dayCounter{c: audit.NewCounts(time.Hour), plan: &plan, since: 0, before: 1 << 62, step: 3_600_000_000}
		return dc.day(20_000, b)
	}
	for n := range len(good) {
		if _, err := decodeDay(good[:n]); err == nil {
			t.Errorf("cut to %d bytes: read without an error", n)
		}
		if count(good[:n]) == nil {
			t.Errorf("cut to %d bytes: counted without an error", n)
		}
	}
	for i := range good {
		for _, v := range []byte{0, 0x7f, 0x80, 0xff} {
			bad := slices.Clone(good)
			bad[i] = v
			decodeDay(bad) // an error or other facts, never a panic
			count(bad)
		}
	}
}
