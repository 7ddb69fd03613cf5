// layout.go is the layout of the tables both databases hold alike, written
// once in placeholder types that each dialect writes in its own: a
// backend's migrations apply them (Dialect.Layout) beside what is its own.

package sqlstore

import "strings"

// types are each dialect's words for the layouts' placeholder types.
var types = map[string][2]string{ // SQLite, PostgreSQL
	"{text}":   {"TEXT", "text"},
	"{int}":    {"INTEGER", "integer"},
	"{bigint}": {"INTEGER", "bigint"},
	"{real}":   {"REAL", "double precision"},
	"{blob}":   {"BLOB", "bytea"},
	"{bool}":   {"INTEGER", "boolean"},
	"{false}":  {"0", "false"},
	"{time}":   {"INTEGER", "timestamptz"}, // Unix microseconds in SQLite
	"{json}":   {"TEXT", "jsonb"},
	"{serial}": {"INTEGER PRIMARY KEY", "bigserial PRIMARY KEY"},
	// a table whose primary key is its order (SQLite keeps no rowid beside it)
	"{without rowid}": {" WITHOUT ROWID", ""},
	// the alert rules' first layout, as each database had it: lists were
	// PostgreSQL arrays until its layout "the alert rules' lists as JSON
	// text"; a rule never sent had a NULL time there, 0 in SQLite
	"{list}":       {"TEXT", "text[]"},
	"{empty list}": {"'[]'", "'{}'"},
	"{sent}":       {"INTEGER NOT NULL", "timestamptz"},
}

// Layout is a layout in the dialect's types.
func (d *Dialect) Layout(layout string) string {
	i := 1
	if d.micros {
		i = 0
	}
	pairs := make([]string, 0, 2*len(types))
	for k, v := range types {
		pairs = append(pairs, k, v[i])
	}
	return strings.NewReplacer(pairs...).Replace(layout)
}

// SharedLayouts are the layouts both databases took in this order after
// their first (the second round's usage store and alert rules).
func SharedLayouts(d *Dialect) []Migration {
	return []Migration{
		{Name: "the usage store and rate cards", SQL: d.Layout(LayoutUsageDays + LayoutRateCards)},
		{Name: "alert rules and their deliveries", SQL: d.Layout(LayoutAlertRules)},
		{Name: "cost rules, digests and e-mail destinations", SQL: d.Layout(LayoutAlertKinds)},
		{Name: "usage rollups of sets of organizations", SQL: d.Layout(LayoutRollups)},
		{Name: "alert deliveries recorded before they are sent", SQL: d.Layout(LayoutAlertPending)},
	}
}

// LayoutFXTables keeps each organization's own table of exchange rates
// (a JSON array of usage.FXRate) and where its rates come from.
const LayoutFXTables = `
CREATE TABLE fx_tables (
	org_id {text} PRIMARY KEY,
	rates {json} NOT NULL,
	source {text} NOT NULL,
	updated {time} NOT NULL
);`

// LayoutSessions keeps the console's sessions and the organizations'
// budgets (IF NOT EXISTS: SQLite's first layout adopted a file made before
// layouts were counted).
const LayoutSessions = `
CREATE TABLE IF NOT EXISTS sessions (
	id_hash {text} PRIMARY KEY,      -- SHA-256 of the cookie's ID: a database leak yields no usable cookie
	sealed {blob} NOT NULL,          -- the token, AES-GCM with the session as additional data
	token_id {text} NOT NULL,
	email {text} NOT NULL,
	created {time} NOT NULL,
	last_seen {time} NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_budgets (
	org_id {text} PRIMARY KEY,
	amount {real} NOT NULL,
	currency {text} NOT NULL,
	updated {time} NOT NULL
);`

// LayoutAPIHistory keeps what the API's history endpoint answered for a
// resource, for its entries older than the synced window (SQLite named
// the table api_history until its audit.db's fifth layout).
func LayoutAPIHistory(table string) string {
	return `
CREATE TABLE IF NOT EXISTS ` + table + ` (
	org_id {text} NOT NULL,
	resource_id {text} NOT NULL,
	status {text} NOT NULL,          -- exact, approximate or unavailable
	before {time} NOT NULL,          -- the entries are those before this time
	body {text} NOT NULL,            -- the entries, a JSON array
	fetched {time} NOT NULL,
	PRIMARY KEY (org_id, resource_id)
);`
}

// LayoutUsageDays keeps one row per organization and day fetched: when, and
// whether the day held a correction, and its coarse sums (by metric alone:
// the totals, product families and metrics, a few sums a day); the fine
// sums (by account, metric, zone, region and subscription: what a grouping
// by account or zone needs) are in a table of their own, a row per
// organization and month keyed by the month's first day (a row per day
// until the layout "fine sums a row per organization and month": a month
// of a tree's fine sums is millions, and each day's row repeated their
// texts). Both are written by usage.EncodeSums. Days are days since
// 1970-01-01.
const LayoutUsageDays = `
CREATE TABLE usage_days (
	org_id {text} NOT NULL,
	day {int} NOT NULL,
	fetched {time} NOT NULL,
	corrected {bool} NOT NULL,
	coarse {blob} NOT NULL,
	PRIMARY KEY (org_id, day)
);
CREATE TABLE usage_fine (
	org_id {text} NOT NULL,
	day {int} NOT NULL,
	sums {blob} NOT NULL,
	PRIMARY KEY (org_id, day)
);`

// LayoutUsageFetched indexes when each organization's day was fetched, so
// that a plan and a rollup's stamp read the index alone, not the days'
// coarse sums beside them (a month of 2,000 organizations is 60,000
// rows of about 1.4 KB).
const LayoutUsageFetched = `
CREATE INDEX usage_days_fetched ON usage_days(org_id, day, fetched, corrected);`

// LayoutRateCards keeps each organization's own rate card.
const LayoutRateCards = `
CREATE TABLE rate_cards (
	org_id {text} PRIMARY KEY,
	rates {json} NOT NULL,           -- the card, a JSON array
	updated {time} NOT NULL
);`

// LayoutRollups keeps the coarse sums of a set of organizations (a tree's page)
// added up per day, with the stamp of the days they were added up from
// (usage.Rollup); a Put removes those of its days.
const LayoutRollups = `
CREATE TABLE usage_rollups (
	set_id {text} NOT NULL,          -- usage.SetName of the organizations
	day {int} NOT NULL,
	stamp {bigint} NOT NULL,
	sums {blob} NOT NULL,
	PRIMARY KEY (set_id, day)
);
CREATE INDEX usage_rollups_day ON usage_rollups(day);`

// LayoutAlertRules keeps the alert rules and their deliveries.
const LayoutAlertRules = `
CREATE TABLE alert_rules (
	id {serial},
	name {text} NOT NULL,
	owner {text} NOT NULL,
	org_id {text} NOT NULL,
	descendants {bool} NOT NULL,
	query {text} NOT NULL,
	webhook {text} NOT NULL,
	slack {bool} NOT NULL,
	quiet {bigint} NOT NULL,         -- seconds
	paused {bool} NOT NULL,
	token {blob} NOT NULL,           -- sealed with the console's key
	token_id {text} NOT NULL,
	secret {blob} NOT NULL,          -- the webhook's HMAC key, sealed
	status {text} NOT NULL,
	cursor_time {bigint} NOT NULL,   -- Unix microseconds
	cursor_seen {list} NOT NULL,     -- the entry IDs seen at cursor_time
	last_sent {sent},
	created {time} NOT NULL
);
CREATE TABLE alert_deliveries (
	id {serial},
	rule_id {bigint} NOT NULL,
	at {time} NOT NULL,
	destination {text} NOT NULL,
	status {text} NOT NULL,
	code {int} NOT NULL,
	error {text} NOT NULL,
	attempts {int} NOT NULL,
	entries {int} NOT NULL
);
CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, at);`

// LayoutAlertKinds adds cost rules and digests, and e-mail destinations.
const LayoutAlertKinds = `
ALTER TABLE alert_rules ADD COLUMN kind {text} NOT NULL DEFAULT 'audit';
ALTER TABLE alert_rules ADD COLUMN cond {text} NOT NULL DEFAULT '';
ALTER TABLE alert_rules ADD COLUMN threshold {real} NOT NULL DEFAULT 0;
ALTER TABLE alert_rules ADD COLUMN emails {list} NOT NULL DEFAULT {empty list};
ALTER TABLE alert_rules ADD COLUMN secret_pending {bool} NOT NULL DEFAULT {false}; -- the secret is yet to be shown, once`

// LayoutAlertReport is a cost rule's reporting currency.
const LayoutAlertReport = `
ALTER TABLE alert_rules ADD COLUMN report_currency {text} NOT NULL DEFAULT ''; -- '': each amount as billed`

// LayoutAlertPending records a delivery before it is sent.
const LayoutAlertPending = `
ALTER TABLE alert_rules ADD COLUMN pending {text} NOT NULL DEFAULT ''; -- JSON of alerts.Pending; '' when none`
