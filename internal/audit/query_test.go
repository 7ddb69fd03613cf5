package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{`actor:alice@example.com action:update product:dns -result:failure "example.com" since:7d`, Query{
			Filters: []Filter{{"actor", "alice@example.com", false}, {"action", "update", false}, {"product", "dns", false}, {"result", "failure", true}},
			Terms:   []Term{{"example.com", false}}, Since: now.Add(-7 * 24 * time.Hour), SinceText: "7d"}},
		{`since:2026-11-01 before:2026-11-20T10:00:00Z ip:192.0.2.1 token:ci-deploy`, Query{
			Filters: []Filter{{"ip", "192.0.2.1", false}, {"token", "ci-deploy", false}},
			Since:   time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Before: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
			SinceText: "2026-11-01", BeforeText: "2026-11-20T10:00:00Z"}},
		{`method:put status:500 ray:abc-SJC resource:r1 type:dns_record`, Query{Filters: []Filter{
			{"method", "PUT", false}, {"status", "500", false}, {"ray", "abc-SJC", false}, {"resource", "r1", false}, {"type", "dns_record", false}}}},
		{`token:"terraform prod" -"say ""hi""" plain -word`, Query{Filters: []Filter{{"token", "terraform prod", false}},
			Terms: []Term{{`say "hi"`, true}, {"plain", false}, {"word", true}}}},
		{`ACTOR:Bob@x.example since:12h`, Query{Filters: []Filter{{"actor", "Bob@x.example", false}}, Since: now.Add(-12 * time.Hour), SinceText: "12h"}},
		{"", Query{}},
		{`   `, Query{}},
		{`- x`, Query{Terms: []Term{{"-", false}, {"x", false}}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			again, err := Parse(got.String(), now)
			if err != nil || !cmp.Equal(got, again) {
				t.Errorf("String() does not read back: %q -> %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseErrorsPointAtTheMistake(t *testing.T) {
	tests := []struct {
		in, wantMsg string
		wantPos     int
	}{
		{`actor:a colour:red`, `unknown filter "colour"`, 9},
		{`product:dns since:yesterday`, "since:yesterday is not a time", 19},
		{`"unclosed phrase`, "never closed", 1},
		{`action: update`, "action: needs a value", 1},
		{`status:teapot`, "not an HTTP status code", 8},
		{`-since:7d`, "cannot be negated", 1},
		{strings.Repeat("a ", 41), "at most 40 parts", 81},
		{strings.Repeat("x", 1001), "longer than 1000", 1000},
		{"dns\x00", "control character", 4},
		{"a \x07b", "control character", 3},
		{"since:20000w", "out of reach", 7},
		{"since:1000000w", "out of reach", 7},
		{"before:0001-01-01", "out of reach", 8},
		{"since:2999-01-01", "out of reach", 7},
		{"since:2026-11-20 before:2026-11-10", "not before before:", 1},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, now)
		se, ok := err.(*SyntaxError)
		if !ok || !strings.Contains(se.Msg, tt.wantMsg) || se.Pos != tt.wantPos {
			t.Errorf("%q: got %v, want column %d: %s", tt.in, err, tt.wantPos, tt.wantMsg)
		}
	}
}

// Repeating a word or a filter adds nothing to a search but its cost: the
// query keeps each once ("a" forty times ran 164 s).
func TestParseMergesRepeatedParts(t *testing.T) {
	q, err := Parse(strings.Repeat(`"a" `, 40), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Terms) != 1 {
		t.Errorf("%d terms, want 1", len(q.Terms))
	}
	q, _ = Parse(`actor:x actor:x -product:dns -product:dns b b -b`, now)
	if got := q.String(); got != "actor:x -product:dns b -b" {
		t.Errorf("got %q", got)
	}
}

func TestWithReplacesTheOpposite(t *testing.T) {
	q, _ := Parse(`actor:a product:dns`, now)
	q = With(q, Filter{"product", "dns", true})
	if got := q.String(); got != "actor:a -product:dns" {
		t.Errorf("got %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`actor:alice@example.com action:update product:dns -result:failure "example.com" since:7d`,
		`-"a ""b"" c" token:"x y" status:200`, `since:2026-01-01 before:2026-02-01T00:00:00Z`, `"`, `:`, `-:x`, `a:"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s, now)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		again, err := Parse(q.String(), now)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", q.String(), err)
		}
		if !cmp.Equal(q, again) {
			t.Fatalf("round trip changed the query: %q -> %q", q.String(), again.String())
		}
	})
}

func TestPushdownKeepsOnlyWhatTheAPICanExclude(t *testing.T) {
	q, err := Parse(`-result:failure -actor:bob@x.example -actor:u123 -product:dns product:waf -token:ci "text" -"other"`, now)
	if err != nil {
		t.Fatal(err)
	}
	x := Pushdown(q)
	if !cmp.Equal(x.ActionResult, []string{"failure"}) || !cmp.Equal(x.ActorEmail, []string{"bob@x.example"}) ||
		!cmp.Equal(x.ActorID, []string{"u123"}) || !cmp.Equal(x.ResourceProduct, []string{"dns"}) || len(x.ActorTokenName)+len(x.ActorTokenID) != 0 {
		t.Errorf("pushdown %+v", x)
	}
}
