// deliver.go sends a message to each of a rule's destinations (its
// webhook, signed; its e-mail addresses, as one message), retrying each,
// and is the delivery log's lines; Test sends a sample at once.

package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"orgboard/internal/api"
)

// errNoMailer is an e-mail destination on a console without SMTP settings.
var errNoMailer = errors.New("the console has no SMTP server to send e-mail with (--smtp-host)")

// deliver sends m to every destination of r; entries is what the log
// counts. A test ("test" in the status) is tried once.
func (e *Engine) deliver(ctx context.Context, r Rule, m Message, secret string, retries Retries, entries int) []Delivery {
	ok, bad := "delivered", "failed"
	if m.Test {
		ok, bad, retries = "test", "test failed", Retries{Attempts: 1}
	}
	var out []Delivery
	log := func(dest string, a Attempt, tries int) {
		d := Delivery{Rule: r.ID, At: e.now(), Destination: dest, Status: ok, Code: a.Code, Attempts: tries, Entries: entries}
		if a.Err != nil {
			d.Status, d.Error = bad, a.Err.Error()
		}
		out = append(out, d)
	}
	if r.Webhook != "" {
		b, err := body(r, m)
		if err == nil {
			err = e.Guard.Check(r.Webhook)
		}
		if err != nil {
			log(r.Webhook, Attempt{Err: err}, 0)
		} else {
			a, tries := retries.Deliver(ctx, e.http, r.Webhook, b, []byte(secret), Envelope{ID: m.DeliveryID, At: m.SentAt})
			log(r.Webhook, a, tries)
		}
	}
	if len(r.Emails) > 0 {
		dest := "mailto:" + strings.Join(r.Emails, ",")
		a, tries := e.mail(ctx, r, m, retries)
		log(dest, a, tries)
	}
	return out
}

// send records a delivery of m, then sends it and moves the rule's cursor
// to next, logging it: a crash in between leaves the recorded delivery,
// which the rule's next evaluation sends again as it was (finish).
func (e *Engine) send(ctx context.Context, r Rule, m Message, secret string, entries int, next Cursor) error {
	id := make([]byte, 16)
	rand.Read(id)
	m.DeliveryID = hex.EncodeToString(id)
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p := Pending{ID: m.DeliveryID, Message: raw, Cursor: next, Entries: entries}
	if err := e.Store.Begin(ctx, r.ID, p); err != nil {
		return err
	}
	return e.finish(ctx, r, p, secret)
}

// finish sends a recorded delivery (again, after a crash: the same message
// under the same ID) and moves the rule past it.
func (e *Engine) finish(ctx context.Context, r Rule, p Pending, secret string) error {
	var m Message
	if err := json.Unmarshal(p.Message, &m); err != nil {
		return err
	}
	ds := e.deliver(ctx, r, m, secret, e.Retries, p.Entries)
	return e.Store.Advance(ctx, r.ID, p.Cursor, e.now(), ds)
}

// mail sends m to the rule's addresses, retrying all but a refusal.
func (e *Engine) mail(ctx context.Context, r Rule, m Message, retries Retries) (Attempt, int) {
	if e.Mailer == nil {
		return Attempt{Err: errNoMailer}, 0
	}
	text, html, err := mailBody(m)
	if err != nil {
		return Attempt{Err: err}, 0
	}
	mail := Mail{To: r.Emails, Subject: m.Title(), Text: text, HTML: html, Date: e.now(), ID: m.DeliveryID}
	return retries.Do(ctx, func() (Attempt, bool) {
		err := e.Mailer.Send(ctx, mail)
		return Attempt{Err: err}, err == nil || permanent(err)
	})
}

// Test delivers a sample message of the rule's kind at once to each of
// its destinations, and logs it.
func (e *Engine) Test(ctx context.Context, r Rule) ([]Delivery, error) {
	token, secret, err := e.Open(r)
	if err != nil {
		return nil, err
	}
	var named []api.Organization // the same shape as a real delivery: the organization's name (one call with the rule's token)
	if o, err := e.Client(token).GetOrganization(ctx, r.Org); err == nil {
		named = append(named, o)
	}
	m := e.message(r, named)
	m.Test, m.Count = true, 1
	switch r.KindOrAudit() {
	case KindCost:
		m.Cost = []CostEvent{{Key: "test", Type: "test", Currency: "USD", Text: "Sample finding: a test of the rule."}}
	case KindDigest:
		from, to := LastWeek(e.now())
		m.Digest = &Digest{From: from, To: to, Audit: &DigestAudit{}}
	default:
		m.Query = r.Query
		m.Entries = []api.AuditEntry{{ID: "00000000000000000000000000000000", Action: api.AuditAction{Description: "Sample entry: a test of the rule",
			Result: "success", Time: e.now().UTC(), Type: "create"}, Actor: api.AuditActor{Email: r.Owner}, Organization: api.OrganizationRef{ID: r.Org},
			Resource: api.AuditResource{Product: "orgboard", Type: "test"}}}
	}
	ds := e.deliver(ctx, r, m, secret, Retries{Attempts: 1}, 1)
	for _, d := range ds {
		if err := e.Store.Log(ctx, d); err != nil {
			return ds, err
		}
	}
	return ds, nil
}
