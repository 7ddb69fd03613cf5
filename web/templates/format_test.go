package templates

import "testing"

func TestCountAndNumber(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 members"}, {1, "1 member"}, {2, "2 members"}, {999, "999 members"}, {1000, "1,000 members"},
		{49857, "49,857 members"}, {1234567, "1,234,567 members"}, {-1200, "-1,200 members"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, "member", "members"); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
