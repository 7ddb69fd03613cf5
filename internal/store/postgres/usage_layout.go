// usage_layout.go is the usage store's tables.

package postgres

// usageLayout is the SQLite store's (see there): a row per organization
// and day fetched with its coarse sums, its fine sums in a table of their
// own, as usage.EncodeSums writes them, and the rate cards. Days are days since 1970-01-01.
const usageLayout = `
CREATE TABLE usage_days (
	org_id text NOT NULL,
	day integer NOT NULL,
	fetched timestamptz NOT NULL,
	corrected boolean NOT NULL,
	coarse bytea NOT NULL,
	PRIMARY KEY (org_id, day)
);
CREATE TABLE usage_fine (
	org_id text NOT NULL,
	day integer NOT NULL,
	sums bytea NOT NULL,
	PRIMARY KEY (org_id, day)
);
CREATE TABLE rate_cards (
	org_id text PRIMARY KEY,
	rates jsonb NOT NULL,
	updated timestamptz NOT NULL
);`

// rollupsLayout is the SQLite store's (see there): a set's coarse sums
// added up per day, with the stamp of the days they were added up from.
const rollupsLayout = `
CREATE TABLE usage_rollups (
	set_id text NOT NULL,
	day integer NOT NULL,
	stamp bigint NOT NULL,
	sums bytea NOT NULL,
	PRIMARY KEY (set_id, day)
);
CREATE INDEX usage_rollups_day ON usage_rollups(day);`
