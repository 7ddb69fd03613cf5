// rollup.go keeps the coarse sums of a whole set of organizations (a
// tree's page, say) added up per day, so that a second view of 2,000
// organizations' month reads sixty rows instead of 120,000. A day's
// rollup is used while its stamp still matches the organizations' stored
// days (how many, and when each was fetched); a Put removes the rollups of
// its days, and the next read of the set writes them again.

package usage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"
)

// Rollup is one day of a set's coarse sums, added up.
type Rollup struct {
	Day   time.Time
	Stamp int64 // of the organizations' stored days it was added up from
	Sums  []Sum
}

// DecodeRollup is a stored rollup: its day, stamp and sums as
// EncodeSums wrote them (in interns their strings).
func DecodeRollup(in Strings, day, stamp int64, b []byte) (Rollup, error) {
	r := Rollup{Day: FromDayNumber(day), Stamp: stamp}
	err := in.Decode(b, r.Day, func(s *Sum) error { r.Sums = append(r.Sums, *s); return nil })
	return r, err
}

// rollupMin is the fewest organizations whose reads are rolled up (below
// it, reading their rows is as quick).
const rollupMin = 20

// SetName names a set of organizations, whatever their order.
func SetName(orgs []string) string {
	s := slices.Clone(orgs)
	slices.Sort(s)
	h := sha256.Sum256([]byte(strings.Join(s, ",")))
	return hex.EncodeToString(h[:16])
}

// Value is the stamp as a rollup keeps it.
func (s Stamp) Value() int64 {
	h := fnv.New64a()
	var b [16]byte
	for i := range 8 {
		b[i], b[8+i] = byte(s.Days>>(8*i)), byte(s.Fetched>>(8*i))
	}
	h.Write(b[:])
	return int64(h.Sum64() >> 1)
}

// roll adds sums up by day and key (coarse sums of many organizations
// into one set's).
type roll struct {
	mu  sync.Mutex
	at  map[rollKey]int
	out []Sum
}

type rollKey struct {
	day int64
	key Key
}

func newRoll() *roll { return &roll{at: map[rollKey]int{}} }

func (r *roll) add(s *Sum) {
	k := rollKey{DayNumber(s.Day), s.Key()}
	if i, ok := r.at[k]; ok {
		r.out[i].AddUp(s)
		return
	}
	r.at[k] = len(r.out)
	r.out = append(r.out, *s)
}

// merge adds o's sums into r.
func (r *roll) merge(o *roll) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range o.out {
		r.add(&o.out[i])
	}
}

// byDay is the roll's sums of each day.
func (r *roll) byDay() map[int64][]Sum {
	out := map[int64][]Sum{}
	for _, s := range r.out {
		d := DayNumber(s.Day)
		out[d] = append(out[d], s)
	}
	return out
}

// loadRolled folds the coarse sums of orgs over a's range into a: each
// day from its rollup where one still holds, the others from the
// organizations' rows (then, when keep, rolled up for the next read).
func (k *Keeper) loadRolled(ctx context.Context, orgs []string, a *Agg, keep bool) error {
	set := SetName(orgs)
	st, err := k.Store.Stamps(ctx, orgs, a.From, a.To)
	if err != nil {
		return err
	}
	rolled, err := k.Store.Rollups(ctx, set, a.From, a.To)
	if err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, r := range rolled {
		d := DayNumber(r.Day)
		if s, ok := st[d]; !ok || s.Value() != r.Stamp {
			continue
		}
		done[d] = true
		for i := range r.Sums {
			a.AddSum(&r.Sums[i])
		}
	}
	for _, run := range missing(a.From, a.To, done, st) {
		var sums *roll
		if keep {
			sums = newRoll()
		}
		if err := k.read(ctx, orgs, run.From, run.To, a, false, sums); err != nil {
			return err
		}
		if !keep {
			continue
		}
		for d, day := range sums.byDay() {
			if err := k.Store.PutRollup(ctx, set, Rollup{Day: FromDayNumber(d), Stamp: st[d].Value(), Sums: day}); err != nil {
				return err
			}
		}
	}
	return nil
}

// missing are the runs of stored days of [from, to] without a rollup.
func missing(from, to time.Time, done map[int64]bool, st map[int64]Stamp) []Window {
	var out []Window
	for d := DayNumber(from); d <= DayNumber(to); d++ {
		if _, stored := st[d]; !stored || done[d] {
			continue
		}
		if n := len(out); n > 0 && DayNumber(out[n-1].To) == d-1 {
			out[n-1].To = FromDayNumber(d)
			continue
		}
		out = append(out, Window{FromDayNumber(d), FromDayNumber(d)})
	}
	return out
}
