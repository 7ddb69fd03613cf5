// Package api is the Cloudflare Organizations API client: wire types, the
// response envelope, errors, paging iterators and retries. It is the only
// package that knows Cloudflare's wire format.
package api
