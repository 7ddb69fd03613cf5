package server_test

import (
	"regexp"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/testenv"
)

// patience bounds a wait for background work (a sync, a fetch) in a test:
// a limit of the wait, never a measure of speed; the tests run in parallel
// under the race detector on a two-core machine.
const patience = 3 * time.Minute

func profileOf(t *testing.T, e *testenv.Env, id string) api.Profile {
	t.Helper()
	p, err := e.Admin().GetProfile(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func orgOf(t *testing.T, e *testenv.Env, id string) api.Organization {
	t.Helper()
	o, err := e.Admin().GetOrganization(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func regexpValue(body, name string) string {
	return regexpAttr(body, `name="`+name+`" value="([^"]*)"`)
}

func regexpAttr(body, expr string) string {
	m := regexp.MustCompile(expr).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func regexpMatch(body, expr string) bool { return regexp.MustCompile(expr).MatchString(body) }

func regexpAll(body, expr string) []string {
	var out []string
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
