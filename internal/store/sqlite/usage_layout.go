// usage_layout.go is the usage store's tables (in usage.db) and the rate
// cards (in orgboard.db).

package sqlite

// usageLayout keeps one row per organization and day fetched: when, and
// whether the day held a correction, and its sums twice over, each
// written by usage.EncodeSums: coarse (by metric alone: the totals,
// product families and metrics, a few sums a day) beside it, and fine (by
// account, metric, zone, region and subscription: what a grouping by
// account or zone needs) in a table of its own, so that reading the
// coarse sums of a month of 2,000 organizations reads small rows only
// (with the fine sums in the same rows it took 2.1 s). Days are days
// since 1970-01-01.
const usageDaysLayout = `
CREATE TABLE usage_days (
	org_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	fetched INTEGER NOT NULL,        -- Unix seconds
	corrected INTEGER NOT NULL,
	coarse BLOB NOT NULL,
	PRIMARY KEY (org_id, day)
);
CREATE TABLE usage_fine (
	org_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	sums BLOB NOT NULL,
	PRIMARY KEY (org_id, day)
);`

// rateCardsLayout keeps each organization's own rate card.
const rateCardsLayout = `
CREATE TABLE rate_cards (
	org_id TEXT PRIMARY KEY,
	rates TEXT NOT NULL,             -- the card, a JSON array
	updated INTEGER NOT NULL
);`

// rollupsLayout keeps the coarse sums of a set of organizations (a tree's
// page) added up per day, with the stamp of the days they were added up
// from (usage.Rollup); a Put removes those of its days.
const rollupsLayout = `
CREATE TABLE usage_rollups (
	set_id TEXT NOT NULL,            -- usage.SetName of the organizations
	day INTEGER NOT NULL,
	stamp INTEGER NOT NULL,
	sums BLOB NOT NULL,
	PRIMARY KEY (set_id, day)
);
CREATE INDEX usage_rollups_day ON usage_rollups(day);`
