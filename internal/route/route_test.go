package route

import "testing"

func TestPath(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Path(Home), "/orgs"},
		{Path(Org, "o1"), "/orgs/o1"},
		{Path(MemberRemove, "o1", "m 2"), "/orgs/o1/members/m%202/remove"},
		{Path(AccountMove, "o/1", "a?"), "/orgs/o%2F1/accounts/a%3F/move"},
		{Path(AuditEntry, "e1"), "/audit/entries/e1"},
	} {
		if c.got != c.want {
			t.Errorf("%s, want %s", c.got, c.want)
		}
	}
}
