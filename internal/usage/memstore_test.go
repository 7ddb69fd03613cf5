// memstore_test.go is a Store in memory for this package's tests; the
// real ones (SQLite, PostgreSQL) are tested alike in internal/store.

package usage

import (
	"context"
	"errors"
	"maps"
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

func (m *memStore) Stored(ctx context.Context, orgs []string, from, to time.Time, settled int) ([]StoredDay, map[string]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []StoredDay
	counted := map[string]int{}
	for _, o := range orgs {
		for n, s := range m.days[o] {
			if n < DayNumber(from) || n > DayNumber(to) {
				continue
			}
			if settled > 0 && !s.Fetched.Before(s.Day.AddDate(0, 0, settled)) {
				counted[o]++
				continue
			}
			out = append(out, s)
		}
	}
	return out, counted, nil
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

// Read writes each day as the real stores do (EncodeSums) and reads it back.
func (m *memStore) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*Block) error) error {
	m.mu.Lock()
	if m.failReads > 0 {
		m.failReads--
		m.mu.Unlock()
		return errors.New("the store is away")
	}
	var stored [][]byte
	var days []time.Time
	for _, o := range orgs {
		for _, n := range slices.Sorted(maps.Keys(m.sums[o])) {
			if n >= DayNumber(from) && n <= DayNumber(to) {
				ss := m.sums[o][n]
				if !fine {
					ss = Coarsen(ss)
				}
				stored, days = append(stored, EncodeSums(ss)), append(days, FromDayNumber(n))
			}
		}
	}
	m.mu.Unlock()
	in := Strings{}
	var blk Block
	for i, b := range stored {
		if err := in.Block(b, days[i], &blk); err != nil {
			return err
		}
		if err := each(&blk); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) sumsOf(orgs []string, from, to time.Time, fine bool) []Sum {
	var out []Sum
	m.Read(context.Background(), orgs, from, to, fine, func(b *Block) error {
		for i := range b.Sums {
			var s Sum
			b.Sum(i, &s)
			out = append(out, s)
		}
		return nil
	})
	return out
}

func (m *memStore) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *Sum) error) error {
	for _, o := range orgs {
		for _, s := range m.sumsOf([]string{o}, from, to, byAccount) {
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
	days, _, _ := m.Stored(ctx, orgs, from, to, 0)
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
