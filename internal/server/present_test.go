package server

import "testing"

// Currencies are listed as people write them.
func TestJoinAnd(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"USD"}, "USD"}, {[]string{"USD", "EUR"}, "USD and EUR"}, {[]string{"USD", "EUR", "GBP"}, "USD, EUR and GBP"}} {
		if got := joinAnd(c.in); got != c.want {
			t.Errorf("%v: %q, want %q", c.in, got, c.want)
		}
	}
}
