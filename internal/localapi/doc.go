// Package localapi serves the Cloudflare Organizations API contract from a
// local SQLite database: validation, token scopes, paging and audit entries
// as the real service does them. It depends on nothing of the project but
// the wire types in internal/api.
package localapi
