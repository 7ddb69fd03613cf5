package audit

import (
	"encoding/json"
	"testing"
	"time"

	"orgboard/internal/api"
)

func entry(typ, action, response string, at int) api.AuditEntry {
	return api.AuditEntry{Action: api.AuditAction{Type: action, Result: "success", Time: time.Unix(int64(at), 0)},
		Resource: api.AuditResource{ID: "o1", Type: typ, Response: json.RawMessage(response)}}
}

// A profile save sends every field (Cloudflare's PUT needs them all); the
// history shows the two that changed, with their values before, taken
// from the organization's create entry that held the profile; a rename
// in between changes no profile field.
func TestStepsShowWhatChanged(t *testing.T) {
	profile := `{"business_name":"Northwind","business_email":"a@x.example","business_phone":"1","business_address":"A St","external_metadata":"{}"}`
	steps := Steps([]api.AuditEntry{
		entry("organization", "create", `{"id":"o1","name":"Payments","profile":`+profile+`}`, 1),
		entry("organization", "update", `{"id":"o1","name":"Payments Platform","profile":`+profile+`}`, 2),
		entry("organization_profile", "update", `{"business_name":"Northwind","business_email":"b@x.example","business_phone":"2","business_address":"A St","external_metadata":"{}"}`, 3),
	})
	if len(steps[0].Changes) != 7 || steps[0].Unknown {
		t.Errorf("the create: %+v", steps[0])
	}
	if got := steps[1].Changes; len(got) != 1 || got[0] != (Change{"name", `"Payments"`, `"Payments Platform"`}) {
		t.Errorf("the rename: %+v", got)
	}
	want := []Change{{"business_email", `"a@x.example"`, `"b@x.example"`}, {"business_phone", `"1"`, `"2"`}}
	if got := steps[2].Changes; len(got) != 2 || got[0] != want[0] || got[1] != want[1] || steps[2].Unknown {
		t.Errorf("the profile save: %+v", steps[2])
	}
	// a history that starts with a save knows no state before it
	first := Steps([]api.AuditEntry{entry("organization_profile", "update", profile, 1)})
	if !first[0].Unknown || len(first[0].Changes) != 5 {
		t.Errorf("a history that starts with a save: %+v", first[0])
	}
}
