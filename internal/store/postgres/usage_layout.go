// usage_layout.go is the usage store's tables.

package postgres

// usageLayout is the SQLite store's (see there): usage summed per
// organization and day, fine (by account, metric, zone, region and
// subscription) and coarse (by metric), which days were fetched and when,
// and the rate cards. Days are days since 1970-01-01.
const usageLayout = `
CREATE TABLE usage_fine (
	org_id text NOT NULL,
	day integer NOT NULL,
	account text NOT NULL, account_name text NOT NULL,
	metric text NOT NULL, metric_name text NOT NULL, family text NOT NULL,
	zone text NOT NULL, zone_name text NOT NULL,
	region text NOT NULL, region_name text NOT NULL,
	sub text NOT NULL, sub_name text NOT NULL,
	correction boolean NOT NULL,
	currency text NOT NULL, unit text NOT NULL,
	costs smallint NOT NULL,             -- which costs the records carry: 1 effective, 2 billed, 4 list, 8 contracted
	records bigint NOT NULL,
	qty double precision NOT NULL, effective double precision NOT NULL, billed double precision NOT NULL,
	list double precision NOT NULL, contracted double precision NOT NULL
);
CREATE INDEX usage_fine_org_day ON usage_fine(org_id, day);
CREATE TABLE usage_coarse (
	org_id text NOT NULL,
	day integer NOT NULL,
	metric text NOT NULL, metric_name text NOT NULL, family text NOT NULL,
	correction boolean NOT NULL,
	currency text NOT NULL, unit text NOT NULL,
	costs smallint NOT NULL,
	records bigint NOT NULL,
	qty double precision NOT NULL, effective double precision NOT NULL, billed double precision NOT NULL,
	list double precision NOT NULL, contracted double precision NOT NULL
);
CREATE INDEX usage_coarse_org_day ON usage_coarse(org_id, day);
CREATE TABLE usage_days (
	org_id text NOT NULL,
	day integer NOT NULL,
	fetched timestamptz NOT NULL,
	corrected boolean NOT NULL,
	PRIMARY KEY (org_id, day)
);
CREATE TABLE rate_cards (
	org_id text PRIMARY KEY,
	rates jsonb NOT NULL,
	updated timestamptz NOT NULL
);`
