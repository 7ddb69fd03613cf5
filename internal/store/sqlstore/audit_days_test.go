package sqlstore

import (
	"context"
	"slices"
	"testing"
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
