// Package alerts tells people where they work: rules (an audit query on an
// organization, a cost condition, or a weekly digest) run in the background
// with the rule's own token, and deliver every new match once to webhooks
// (signed) and e-mail addresses, within the rule's quiet period as one
// message.
package alerts
