// Package audit makes organization audit logs searchable: it syncs entries
// from the API into a local index (kept by internal/store: SQLite with FTS5,
// or PostgreSQL with tsvector) and answers a query language the API cannot:
// positive filters, free text, facets, history, export, saved searches.
package audit
