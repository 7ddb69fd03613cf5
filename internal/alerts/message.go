// message.go writes what a webhook receives: the rule, the organization,
// how many entries matched and the first of them, as JSON, or in Slack's
// layout.

package alerts

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
)

// shown is how many entries a message carries; it counts them all.
const shown = 10

// Message is the JSON a webhook receives.
type Message struct {
	Rule         MessageRule      `json:"rule"`
	Organization string           `json:"organization"`
	Query        string           `json:"query"`
	Count        int              `json:"count"`
	More         bool             `json:"more"` // more entries matched than counted (a thousand at a time)
	Entries      []api.AuditEntry `json:"entries"`
	Test         bool             `json:"test,omitempty"`
	SentAt       time.Time        `json:"sent_at"`
}

// MessageRule names the rule in a message.
type MessageRule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// body is the message as the rule's destination wants it.
func body(r Rule, m Message) ([]byte, error) {
	if !r.Slack {
		return json.Marshal(m)
	}
	return json.Marshal(slack(m))
}

// slack is the message in Slack's incoming-webhook layout: a text, and a
// block per entry shown.
func slack(m Message) map[string]any {
	noun := "entries match"
	if m.Count == 1 {
		noun = "entry matches"
	}
	title := strconv.Itoa(m.Count) + " new audit " + noun + " “" + m.Rule.Name + "”"
	if m.More {
		title = "More than " + title
	}
	if m.Test {
		title = "Test of “" + m.Rule.Name + "”: " + title
	}
	blocks := []map[string]any{{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": "*" + esc(title) + "*\n`" + esc(m.Query) + "`"}}}
	for _, e := range m.Entries {
		line := e.Action.Time.UTC().Format("2 Jan 15:04 UTC") + " · " + e.Action.Description + " · " + e.Actor.Email + " · " + e.Resource.Product + " · " + e.Action.Result
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": esc(line)}})
	}
	if extra := m.Count - len(m.Entries); extra > 0 {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []map[string]string{{"type": "mrkdwn", "text": "and " + strconv.Itoa(extra) + " more"}}})
	}
	return map[string]any{"text": title, "blocks": blocks}
}

// esc escapes Slack's control characters.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
