// memstore_test.go is a Store in memory for this package's tests; the
// real ones (SQLite, PostgreSQL) are tested alike in internal/store.

package usage

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"orgboard/internal/clock"
)

type memStore struct {
	failReads int // the next reads that fail
	mu        sync.Mutex
	days      map[string]map[int64]StoredDay
	sums      map[string]map[int64][]Sum
	rollups   map[string]map[int64]Rollup
	puts      int
	rollReads int // reads of rollups that found one
}

func newMemStore() *memStore {
	return &memStore{days: map[string]map[int64]StoredDay{}, sums: map[string]map[int64][]Sum{}, rollups: map[string]map[int64]Rollup{}}
}

func (m *memStore) Stored(ctx context.Context, orgs []string, from, to time.Time) ([]StoredDay, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []StoredDay
	for _, o := range orgs {
		for n, s := range m.days[o] {
			if n >= DayNumber(from) && n <= DayNumber(to) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func (m *memStore) Put(ctx context.Context, org string, from, to, at time.Time, sums []Sum) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.puts++
	if m.days[org] == nil {
		m.days[org], m.sums[org] = map[int64]StoredDay{}, map[int64][]Sum{}
	}
	for d := DayNumber(from); d <= DayNumber(to); d++ {
		m.days[org][d] = StoredDay{Org: org, Day: FromDayNumber(d), Fetched: at}
		delete(m.sums[org], d)
		for _, r := range m.rollups {
			delete(r, d)
		}
	}
	for _, s := range sums {
		n := DayNumber(s.Day)
		m.sums[org][n] = append(m.sums[org][n], s)
		if s.Correction {
			st := m.days[org][n]
			st.Corrected = true
			m.days[org][n] = st
		}
	}
	return nil
}

func (m *memStore) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*Sum) error) error {
	m.mu.Lock()
	if m.failReads > 0 {
		m.failReads--
		m.mu.Unlock()
		return errors.New("the store is away")
	}
	var all []Sum
	for _, o := range orgs {
		for n, ss := range m.sums[o] {
			if n >= DayNumber(from) && n <= DayNumber(to) {
				all = append(all, ss...)
			}
		}
	}
	m.mu.Unlock()
	slices.SortFunc(all, func(a, b Sum) int { return a.Day.Compare(b.Day) })
	for _, s := range all {
		if !fine {
			s = s.Coarse()
		}
		if err := each(&s); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *Sum) error) error {
	for _, o := range orgs {
		var ss []Sum
		m.Read(ctx, []string{o}, from, to, byAccount, func(s *Sum) error { ss = append(ss, *s); return nil })
		for _, s := range ss {
			s.Day = from
			if err := each(o, &s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) Size(ctx context.Context) (int64, int64, error) { return 0, 0, nil }

func (m *memStore) Stamps(ctx context.Context, orgs []string, from, to time.Time) (map[int64]Stamp, error) {
	days, _ := m.Stored(ctx, orgs, from, to)
	out := map[int64]Stamp{}
	for _, d := range days {
		s := out[DayNumber(d.Day)]
		s.Days++
		s.Fetched += d.Fetched.Unix()
		out[DayNumber(d.Day)] = s
	}
	return out, nil
}

func (m *memStore) Rollups(ctx context.Context, set string, from, to time.Time) ([]Rollup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Rollup
	for d, r := range m.rollups[set] {
		if d >= DayNumber(from) && d <= DayNumber(to) {
			out = append(out, Rollup{Day: r.Day, Stamp: r.Stamp, Sums: slices.Clone(r.Sums)})
		}
	}
	m.rollReads += len(out)
	return out, nil
}

func (m *memStore) PutRollup(ctx context.Context, set string, r Rollup) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rollups[set] == nil {
		m.rollups[set] = map[int64]Rollup{}
	}
	m.rollups[set][DayNumber(r.Day)] = r
	return nil
}

// keeperAt is a keeper over a new memory store whose today is today.
func keeperAt(today time.Time) (*Keeper, *memStore) {
	st := newMemStore()
	return NewKeeper(st, 0, time.Minute, clock.StartingAt(today.Add(9*time.Hour))), st
}
