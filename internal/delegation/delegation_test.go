package delegation

import (
	"strings"
	"testing"

	"orgboard/internal/access"
)

const root, payments, gateway, corp = "00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003", "00000000000000000000000000000004"

func TestGrantsGiveRightsDownTheirSubtree(t *testing.T) {
	p, err := Parse([]byte(`{"grants": [
  {"group": "payments-team", "org": "` + payments + `", "subtree": true, "may": ["view", "profile"]},
  {"email": "CFO@example.com", "org": "` + root + `", "subtree": true, "may": ["view", "approve"]},
  {"group": "corp", "org": "` + corp + `", "may": ["admin"]}
]}`))
	if err != nil {
		t.Fatal(err)
	}
	lead := Person{Email: "lead@example.com", Groups: []string{"payments-team"}}
	if r, approve := p.For(lead, []string{gateway, payments, root}); !r.Has(access.EditProfile) || r.Has(access.EditMembers) || approve {
		t.Errorf("the team lead under Payments: %b %v", r, approve)
	}
	if r, _ := p.For(lead, []string{corp, root}); r != 0 {
		t.Errorf("the team lead on Corporate: %b", r)
	}
	cfo := Person{Email: "cfo@example.com"}
	if r, approve := p.For(cfo, []string{gateway, payments, root}); !r.Has(access.View) || r.Has(access.EditProfile) || !approve {
		t.Errorf("the CFO: %b %v", r, approve)
	}
	admin := Person{Email: "a@example.com", Groups: []string{"corp"}}
	if r, approve := p.For(admin, []string{corp, root}); !r.Has(access.EditMembers) || approve {
		t.Errorf("an admin may do everything but approve: %b %v", r, approve)
	}
	if r, _ := p.For(admin, []string{"00000000000000000000000000000005", corp, root}); r != 0 {
		t.Errorf("a grant without subtree reaches below its organization: %b", r)
	}
	if !p.Any(lead) || p.Any(Person{Email: "nobody@example.com"}) {
		t.Error("Any")
	}
}

func TestMistakesNameTheirLine(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{`{"grants": [` + "\n" + `{"group": "g", "org": "` + root + `", "may": ["view"]},` + "\n" + `{"group": "g", "org": "` + root + `", "may": ["approve", "fly"]}]}`, `line 3: "fly" is not a right`},
		{`{"grants": [` + "\n\n" + `{"group": "g", "email": "a@b.c", "org": "` + root + `", "may": ["view"]}]}`, "line 3: a grant names either"},
		{`{"grants": [{"group": "g", "org": "the root", "may": ["view"]}]}`, `line 1: "org" must be an organization's ID`},
		{`{"grants": [{"group": "g", "org": "` + root + `", "may": []}]}`, `"may" lists no right`},
		{`{"grants": [` + "\n" + `{"group": "g", "org": "` + root + `", "may": ["view"], "role": "x"}]}`, `line 2: "role" is not a field of a grant`},
		{"{\n\"grants\": [\n{\"group\": \"g\",,}]}", "line 3: not valid JSON"},
		{`{"grants": [{"group": "g", "org": "` + root + `", "subtree": "yes", "may": ["view"]}]}`, "true or false"},
		{`{}`, `no "grants" list`},
	} {
		_, err := Parse([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n→ %v, want %q", c.file, err, c.want)
		}
	}
	p, _ := Parse([]byte(`{"grants": [` + "\n" + `{"group": "g", "org": "` + corp + `", "may": ["view"]}]}`))
	if err := p.Check(func(o string) bool { return o == root }); err == nil || !strings.Contains(err.Error(), "line 2: organization "+corp) {
		t.Errorf("an unknown organization: %v", err)
	}
}
