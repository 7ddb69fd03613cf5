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
	if env.ResultInfo != nil {
		page.HistoryStatus = env.ResultInfo.HistoryStatus
	}
	return page, decodeResult(env, "GET", "/x", &page.Entries)
}

func TestAuditPageParserMatchesEncodingJSON(t *testing.T) {
	got, err := parseAuditPage([]byte(auditPageSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 2 || got.Cursor != "c2" || got.Entries[1].Resource.ID != "x\"y\\z \U0001F600" ||
		got.Entries[0].Raw.StatusCode != 200 || got.Entries[0].Organization.Name != "Acme é" {
		t.Fatalf("parsed %+v", got)
	}
	comparePages(t, []byte(auditPageSample))
	var back AuditEntry
	if err := json.Unmarshal(got.Entries[0].Wire(), &back); err != nil || back.ID != "a1" || back.Actor.Email != "alice@example.com" {
		t.Fatalf("an entry's own JSON reads back as %+v (%v)", back, err)
	}
}

// Pages of every odd shape: the parser answers as the general decoder
// (encoding/json) does, whatever the layout or the mistake.
func TestAuditPageParserAnswersAsEncodingJSON(t *testing.T) {
	for name, body := range map[string]string{
		"failure":            `{"success":false,"errors":[{"code":1000,"message":"bad"}],"result":null}`,
		"errors on success":  `{"success":true,"errors":[{"code":1,"message":"m"}],"result":[]}`,
		"no success":         `{"result":[]}`,
		"no result":          `{"success":true}`,
		"null result":        `{"success":true,"result":null}`,
		"cased key":          `{"success":true,"result":[{"ID":"a"}]}`,
		"cased envelope":     `{"Success":true,"RESULT":[]}`,
		"number as string":   `{"success":true,"result":[{"raw":{"status_code":"200"}}]}`,
		"fraction":           `{"success":true,"result":[{"raw":{"status_code":200.5}}]}`,
		"bad time":           `{"success":true,"result":[{"action":{"time":"yesterday"}}]}`,
		"null entry":         `{"success":true,"result":[null]}`,
		"newlines":           "{\"success\":true,\n\"result\":[\n{\"id\" : \"a\"}\n]\n}",
		"invalid UTF-8":      "{\"success\":true,\"result\":[{\"id\":\"\xff\"}]}",
		"raw control":        "{\"success\":true,\"result\":[{\"id\":\"a\x01\"}]}",
		"leading plus":       `{"success":true,"result":[{"resource":{"request":+1}}]}`,
		"leading zero":       `{"success":true,"result":[{"resource":{"request":01}}]}`,
		"bare fraction":      `{"success":true,"result":[{"resource":{"request":.5}}]}`,
		"trailing text":      `{"success":true,"result":[]} x`,
		"duplicate result":   `{"success":true,"result":[{"id":"a"}],"result":[]}`,
		"odd cursor":         `{"success":true,"result":[],"result_info":{"cursor":5}}`,
		"truncated":          `{"success":true,"result":[{"id":"a"`,
		"object for a value": `{"success":true,"result":[{"id":{}}]}`,
		"lone surrogate":     `{"success":true,"result":[{"id":"\ud800x"}]}`,
		"number entry":       `{"success":true,"result":[1]}`,
		"array entry":        `{"success":true,"result":[[]]}`,
		"merged objects":     `{"success":true,"result":[{"action":{"type":"a"},"ACTION":{"result":"b"},"action":null}]}`,
		"null fields":        `{"success":true,"result":[{"id":"a","id":null,"resource":{"scope":null,"request":[1, 2]}}]}`,
		"big status":         `{"success":true,"result":[{"raw":{"status_code":99999999999999999999}}]}`,
		"status exponent":    `{"success":true,"result":[{"raw":{"status_code":2e2}}]}`,
		"Kelvin sign":        "{\"success\":true,\"result\":[{\"\u212Aey\":1,\"id\":\"x\"}]}",
	} {
		t.Run(name, func(t *testing.T) { comparePages(t, []byte(body)) })
	}
}

// FuzzAuditPage: on every body, valid or not, the parser and encoding/json
// agree: both refuse it, or both read the same entries and cursor, and
// each entry's own JSON reads back to it.
func FuzzAuditPage(f *testing.F) {
	f.Add([]byte(auditPageSample))
	f.Add([]byte(`{"success":true,"errors":null,"result":[],"result_info":null}`))
	f.Add([]byte(`{"result":[{"id":"\u0041\ud800\u0041"}],"success":true,"messages":[{"m":[1,2.5e-3,true,false,null]}]}`))
	f.Add([]byte(`{"success":true,"result":[{"action":{"time":"2026-11-20T10:00:00+01:00"},"raw":{"status_code":-0}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { comparePages(t, body) })
}

func comparePages(t *testing.T, body []byte) {
	t.Helper()
	got, gerr := parseAuditPage(body)
	want, werr := generalPage(body)
	if (gerr != nil) != (werr != nil) {
		t.Fatalf("the parser says %v, encoding/json %v\n%q", gerr, werr, body)
	}
	if gerr != nil {
		return
	}
	if got.Cursor != want.Cursor || got.HistoryStatus != want.HistoryStatus || len(got.Entries) != len(want.Entries) {
		t.Fatalf("cursor %q and %d entries, encoding/json %q and %d\n%s", got.Cursor, len(got.Entries), want.Cursor, len(want.Entries), body)
	}
	for i := range got.Entries {
		g := got.Entries[i]
		var back AuditEntry
		if g.Wire() != nil {
			if err := json.Unmarshal(g.Wire(), &back); err != nil {
				t.Fatalf("entry %d: its own JSON does not read: %v", i, err)
			}
		}
		g.wire = nil
		if !reflect.DeepEqual(g, want.Entries[i]) || !reflect.DeepEqual(back, want.Entries[i]) {
			t.Fatalf("entry %d:\n parsed %+v\n encoding/json %+v\n read back %+v\n%s", i, g, want.Entries[i], back, body)
		}
	}
}
