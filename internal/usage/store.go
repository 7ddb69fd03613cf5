// store.go is what the usage store keeps, and the interfaces its two
// backends (internal/store) implement.

package usage

import (
	"context"
	"time"
)

// Store keeps fetched usage: for each organization and day, the day's
// Sums twice over (fine: by account, metric, zone, region and
// subscription; coarse: by metric alone, as Coarsen makes them), and when
// the day was fetched.
type Store interface {
	// Stored lists the days of orgs within [from, to] that were fetched;
	// those fetched settled days or more after them (when settled > 0) it
	// counts by organization instead (nothing changes them any more).
	Stored(ctx context.Context, orgs []string, from, to time.Time, settled int) (listed []StoredDay, counted map[string]int, err error)
	// Put replaces org's sums of the days of [from, to], all fetched at at.
	Put(ctx context.Context, org string, from, to, at time.Time, sums []Sum) error
	// Read calls each with the stored days of orgs over [from, to], fine or
	// coarse, a Block each (sums of equal keys may come apart: the caller
	// adds them up). The Block is reused between calls.
	Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*Block) error) error
	// Totals calls each with the sums of orgs over [from, to] with their
	// organization (fine, with their accounts, when byAccount).
	Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(org string, s *Sum) error) error
	// Size is how many organization-days the store holds, and their sums' bytes.
	Size(ctx context.Context) (days, bytes int64, err error)
	// Stamps are, for each day of [from, to] that orgs hold, how many of
	// them hold it and the sum of when each was fetched (Unix seconds).
	Stamps(ctx context.Context, orgs []string, from, to time.Time) (map[int64]Stamp, error)
	// Rollups lists the stored rollups of a set of organizations (named by
	// SetName) over [from, to]; Put removes those of the days it replaces.
	Rollups(ctx context.Context, set string, from, to time.Time) ([]Rollup, error)
	// PutRollup stores (or replaces) one day's rollup of a set.
	PutRollup(ctx context.Context, set string, r Rollup) error
}

// Stamp is what a day's rollup was added up from: how many organizations'
// days, and the sum of their fetch times (Unix seconds).
type Stamp struct{ Days, Fetched int64 }

// StoredDay is one organization's day in the store.
type StoredDay struct {
	Org       string
	Day       time.Time
	Fetched   time.Time
	Corrected bool // the day holds a correction record
}

// RateStore keeps the organizations' rate cards.
type RateStore interface {
	// Rates returns org's own card; ok is false when it has none.
	Rates(ctx context.Context, org string) (rates []Rate, ok bool, err error)
	// SetRates replaces org's card, stamped at.
	SetRates(ctx context.Context, org string, rates []Rate, at time.Time) error
	// ClearRates removes org's card (it then uses its parent's, or the default).
	ClearRates(ctx context.Context, org string) error
}

// FXStore keeps each organization's own table of exchange rates (the
// console's own state, like its rate card).
type FXStore interface {
	// FXTable returns org's own table and its source; ok is false when it has none.
	FXTable(ctx context.Context, org string) (rates []FXRate, source string, ok bool, err error)
	// SetFXTable replaces org's table, stamped at.
	SetFXTable(ctx context.Context, org string, rates []FXRate, source string, at time.Time) error
	// ClearFXTable removes org's table (it then uses its parent's, or the shipped one).
	ClearFXTable(ctx context.Context, org string) error
}

// DayNumber is a day as the store writes it: days since 1970-01-01.
func DayNumber(t time.Time) int64 { return Civil(t).Unix() / 86400 }

// FromDayNumber is DayNumber's day.
func FromDayNumber(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }
