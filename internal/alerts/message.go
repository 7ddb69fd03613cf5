// message.go writes what a destination receives: the rule, the
// organization, and what it found (the matching audit entries, counted
// with the first of them; the cost events; or the week's digest), as
// JSON, in Slack's layout, or as an e-mail's text and HTML.

package alerts

import (
	"bytes"
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
)

// shown is how many entries a message carries; it counts them all.
const shown = 10

// Message is the JSON a webhook receives.
type Message struct {
	Rule             MessageRule      `json:"rule"`
	Kind             Kind             `json:"kind"`
	Organization     string           `json:"organization"`
	OrganizationName string           `json:"organization_name,omitempty"`
	Query            string           `json:"query,omitempty"`
	Count            int              `json:"count"`
	More             bool             `json:"more"` // more entries matched than counted (a thousand at a time)
	Entries          []api.AuditEntry `json:"entries,omitempty"`
	Cost             []CostEvent      `json:"cost,omitempty"`
	Digest           *Digest          `json:"digest,omitempty"`
	Test             bool             `json:"test,omitempty"`
	DeliveryID       string           `json:"delivery_id,omitempty"` // the same on every try, as the X-Orgboard-Delivery header
	SentAt           time.Time        `json:"sent_at"`
}

// MessageRule names the rule in a message.
type MessageRule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// body is the message as the rule's webhook wants it.
func body(r Rule, m Message) ([]byte, error) {
	if !r.Slack {
		return json.Marshal(m)
	}
	return json.Marshal(slack(m))
}

// Title is the message in one line.
func (m Message) Title() string {
	var t string
	switch m.Kind {
	case KindCost:
		t = "Cost alert “" + m.Rule.Name + "”: " + plural(m.Count, "1 new finding", strconv.Itoa(m.Count)+" new findings")
	case KindDigest:
		t = "Weekly digest “" + m.Rule.Name + "”"
		if m.Digest != nil {
			t += ": " + m.Digest.Week()
		}
	default:
		t = strconv.Itoa(m.Count) + " new audit " + plural(m.Count, "entry matches", "entries match") + " “" + m.Rule.Name + "”"
		if m.More {
			t = "More than " + t
		}
	}
	if m.Test {
		t = "Test of “" + m.Rule.Name + "”: " + t
	}
	return t
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Section is a heading and its lines, for the text, HTML and Slack layouts.
type Section struct {
	Heading string
	Lines   []string
}

// Sections are the message's body: the entries shown, the cost events, or
// the digest's parts; a last line counts what is not shown.
func (m Message) Sections() []Section {
	org := m.OrganizationName
	if org == "" {
		org = m.Organization
	}
	switch {
	case m.Digest != nil:
		return m.Digest.Sections(org)
	case m.Kind == KindCost:
		s := Section{Heading: org}
		for _, e := range m.Cost {
			s.Lines = append(s.Lines, e.Text)
		}
		return []Section{s}
	}
	s := Section{Heading: org + " · " + m.Query}
	for _, e := range m.Entries {
		s.Lines = append(s.Lines, entryLine(e))
	}
	if extra := m.Count - len(m.Entries); extra > 0 {
		s.Lines = append(s.Lines, "and "+strconv.Itoa(extra)+" more")
	}
	return []Section{s}
}

func entryLine(e api.AuditEntry) string {
	return e.Action.Time.UTC().Format("2 Jan 15:04 UTC") + " · " + e.Action.Description + " · " + e.Actor.Email + " · " + e.Resource.Product + " · " + e.Action.Result
}

// slack is the message in Slack's incoming-webhook layout: a text, and a
// block per section.
func slack(m Message) map[string]any {
	title := m.Title()
	blocks := []map[string]any{{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": "*" + esc(title) + "*"}}}
	for _, s := range m.Sections() {
		lines := make([]string, len(s.Lines))
		for i, l := range s.Lines {
			lines[i] = esc(l)
		}
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn",
			"text": "*" + esc(s.Heading) + "*\n" + strings.Join(lines, "\n")}})
	}
	return map[string]any{"text": title, "blocks": blocks}
}

// esc escapes Slack's control characters.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mailBody is the message as an e-mail's plain text and HTML.
func mailBody(m Message) (text, html string, err error) {
	var t strings.Builder
	t.WriteString(m.Title() + "\n")
	for _, s := range m.Sections() {
		t.WriteString("\n" + s.Heading + "\n")
		for _, l := range s.Lines {
			t.WriteString("  " + l + "\n")
		}
	}
	t.WriteString("\nSent by Orgboard at " + m.SentAt.UTC().Format("2 Jan 2006 15:04 UTC") + ".\n")
	var h bytes.Buffer
	err = mailHTML.Execute(&h, struct {
		Title    string
		Sections []Section
		Sent     string
	}{m.Title(), m.Sections(), m.SentAt.UTC().Format("2 Jan 2006 15:04 UTC")})
	return t.String(), h.String(), err
}

// mailHTML is the e-mail's HTML part; html/template escapes every value.
var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body>
<h1>{{.Title}}</h1>
{{range .Sections}}<h2>{{.Heading}}</h2>
<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
{{end}}<p><small>Sent by Orgboard at {{.Sent}}.</small></p>
</body></html>`))
