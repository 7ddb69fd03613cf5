// usage_layout.go is the usage store's tables in orgboard.db.

package sqlite

// usageLayout keeps, for each organization and day, its usage summed
// twice over: usage_fine by account, metric, zone, region and
// subscription (what a grouping by account or zone needs), usage_coarse by
// metric alone (what the totals, product families and metrics need, a few
// rows a day); usage_days says which days were fetched, when, and whether
// they held a correction. Days are days since 1970-01-01; amounts are
// sums of the records' own numbers.
const usageLayout = `
CREATE TABLE usage_fine (
	org_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	account TEXT NOT NULL, account_name TEXT NOT NULL,
	metric TEXT NOT NULL, metric_name TEXT NOT NULL, family TEXT NOT NULL,
	zone TEXT NOT NULL, zone_name TEXT NOT NULL,
	region TEXT NOT NULL, region_name TEXT NOT NULL,
	sub TEXT NOT NULL, sub_name TEXT NOT NULL,
	correction INTEGER NOT NULL,
	currency TEXT NOT NULL, unit TEXT NOT NULL,
	costs INTEGER NOT NULL,          -- which costs the records carry: 1 effective, 2 billed, 4 list, 8 contracted
	records INTEGER NOT NULL,
	qty REAL NOT NULL, effective REAL NOT NULL, billed REAL NOT NULL, list REAL NOT NULL, contracted REAL NOT NULL
);
CREATE INDEX usage_fine_org_day ON usage_fine(org_id, day);
CREATE TABLE usage_coarse (
	org_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	metric TEXT NOT NULL, metric_name TEXT NOT NULL, family TEXT NOT NULL,
	correction INTEGER NOT NULL,
	currency TEXT NOT NULL, unit TEXT NOT NULL,
	costs INTEGER NOT NULL,
	records INTEGER NOT NULL,
	qty REAL NOT NULL, effective REAL NOT NULL, billed REAL NOT NULL, list REAL NOT NULL, contracted REAL NOT NULL
);
CREATE INDEX usage_coarse_org_day ON usage_coarse(org_id, day);
CREATE TABLE usage_days (
	org_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	fetched INTEGER NOT NULL,        -- Unix seconds
	corrected INTEGER NOT NULL,
	PRIMARY KEY (org_id, day)
) WITHOUT ROWID;
CREATE TABLE rate_cards (
	org_id TEXT PRIMARY KEY,
	rates TEXT NOT NULL,             -- the card, a JSON array
	updated INTEGER NOT NULL
);`
