// Package access decides what a person may do on an organization, once per
// request and organization: from the token's policies or the person's
// membership, the organization's tenant flags, the console's own owner rule
// for its settings, and the refusals met this session. Handlers read the
// answer to refuse and templates to offer; it knows nothing of HTTP.
package access
