package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

const auditPageSample = `{"success":true,"errors":[],"messages":[],"result":[` +
	`{"id":"a1","action":{"description":"Update DNS record","result":"success","time":"2026-11-20T10:00:00.123456Z","type":"update"},` +
	`"actor":{"id":"u1","context":"api_token","email":"alice@example.com","ip_address":"198.51.100.7","token_id":"t1","token_name":"ci","type":"user"},` +
	`"organization":{"id":"o1","name":"Acme \u00e9"},"raw":{"cf_ray_id":"r1","method":"PATCH","status_code":200,"uri":"/zones/z/dns_records/d","user_agent":"curl/8"},` +
	`"resource":{"id":"d","product":"dns","type":"dns_record","scope":{"id":"z"},"request":{"ttl":300,"proxied":true,"tags":[],"n":-1.5e3},"response":null}},` +
	`{"id":"a2","action":{"time":"2026-11-20T09:00:00Z","type":"view"},"actor":null,"raw":{"status_code":404},"resource":{"id":"x\"y\\z \ud83d\ude00"}}` +
	`],"result_info":{"count":2,"cursors":{"after":"c2"},"cursor":"old"}}`

// generalPage decodes a page the general way, as ListAuditEntries did
// before it had a parser of its own.
func generalPage(body []byte) (AuditPage, error) {
	e := &Error{Method: "GET", Path: "/x", StatusCode: 200}
	env, err := decodeEnvelope(e, http.Header{"Content-Type": {"application/json"}}, body)
	if err != nil {
		return AuditPage{}, err
	}
	page := AuditPage{Cursor: env.ResultInfo.cursor()}
	return page, decodeResult(env, "GET", "/x", &page.Entries)
}

func TestAuditPageParserMatchesEncodingJSON(t *testing.T) {
	got, ok := parseAuditPage([]byte(auditPageSample))
	if !ok {
		t.Fatal("the parser gave up on an ordinary page")
	}
	if len(got.Entries) != 2 || got.Cursor != "c2" || got.Entries[1].Resource.ID != "x\"y\\z \U0001F600" ||
		got.Entries[0].Raw.StatusCode != 200 || got.Entries[0].Organization.Name != "Acme é" {
		t.Fatalf("parsed %+v", got)
	}
	comparePages(t, []byte(auditPageSample), got)
	var back AuditEntry
	if err := json.Unmarshal(got.Entries[0].Wire(), &back); err != nil || back.ID != "a1" || back.Actor.Email != "alice@example.com" {
		t.Fatalf("an entry's own JSON reads back as %+v (%v)", back, err)
	}
}

// Pages the parser leaves to the general decoder, which then answers.
func TestAuditPageParserGivesUpOnTheUnexpected(t *testing.T) {
	for name, body := range map[string]string{
		"failure":            `{"success":false,"errors":[{"code":1000,"message":"bad"}],"result":null}`,
		"errors on success":  `{"success":true,"errors":[{"code":1,"message":"m"}],"result":[]}`,
		"no success":         `{"result":[]}`,
		"no result":          `{"success":true}`,
		"null result":        `{"success":true,"result":null}`,
		"cased key":          `{"success":true,"result":[{"ID":"a"}]}`,
		"cased envelope":     `{"Success":true,"result":[]}`,
		"number as string":   `{"success":true,"result":[{"raw":{"status_code":"200"}}]}`,
		"fraction":           `{"success":true,"result":[{"raw":{"status_code":200.5}}]}`,
		"bad time":           `{"success":true,"result":[{"action":{"time":"yesterday"}}]}`,
		"null entry":         `{"success":true,"result":[null]}`,
		"newline":            "{\"success\":true,\n\"result\":[]}",
		"invalid UTF-8":      "{\"success\":true,\"result\":[{\"id\":\"\xff\"}]}",
		"leading plus":       `{"success":true,"result":[{"resource":{"request":+1}}]}`,
		"leading zero":       `{"success":true,"result":[{"resource":{"request":01}}]}`,
		"trailing text":      `{"success":true,"result":[]} x`,
		"duplicate result":   `{"success":true,"result":[],"result":[]}`,
		"odd cursor":         `{"success":true,"result":[],"result_info":{"cursor":5}}`,
		"truncated":          `{"success":true,"result":[{"id":"a"`,
		"object for a value": `{"success":true,"result":[{"id":{}}]}`,
	} {
		if _, ok := parseAuditPage([]byte(body)); ok {
			t.Errorf("%s: parsed, want the general decoder to answer", name)
		}
	}
}

// FuzzAuditPage: whatever the parser accepts, encoding/json reads to the
// same entries and cursor, and each entry's own JSON reads back to it.
func FuzzAuditPage(f *testing.F) {
	f.Add([]byte(auditPageSample))
	f.Add([]byte(`{"success":true,"errors":null,"result":[],"result_info":null}`))
	f.Add([]byte(`{"result":[{"id":"\u0041\ud800\u0041"}],"success":true,"messages":[{"m":[1,2.5e-3,true,false,null]}]}`))
	f.Add([]byte(`{"success":true,"result":[{"action":{"time":"2026-11-20T10:00:00+01:00"},"raw":{"status_code":-0}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := parseAuditPage(body)
		if !ok {
			return
		}
		comparePages(t, body, got)
	})
}

func comparePages(t *testing.T, body []byte, got AuditPage) {
	t.Helper()
	want, err := generalPage(body)
	if err != nil {
		t.Fatalf("parsed, but encoding/json fails: %v\n%s", err, body)
	}
	if got.Cursor != want.Cursor || len(got.Entries) != len(want.Entries) {
		t.Fatalf("cursor %q and %d entries, encoding/json %q and %d\n%s", got.Cursor, len(got.Entries), want.Cursor, len(want.Entries), body)
	}
	for i := range got.Entries {
		g := got.Entries[i]
		var back AuditEntry
		if err := json.Unmarshal(g.Wire(), &back); err != nil {
			t.Fatalf("entry %d: its own JSON does not read: %v", i, err)
		}
		g.wire = nil
		if !reflect.DeepEqual(g, want.Entries[i]) || !reflect.DeepEqual(back, want.Entries[i]) {
			t.Fatalf("entry %d:\n parsed %+v\n encoding/json %+v\n read back %+v\n%s", i, g, want.Entries[i], back, body)
		}
	}
}
