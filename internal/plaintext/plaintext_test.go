package plaintext

import "testing"

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"Workers requests", true}, {"Zürich – Straße", true}, {"", true},
		{"a\x00b", false}, {"evil\u202Etxt.exe", false}, {"a\u2066b", false}, {"two\nlines", false},
		{"\u200Fmark", false}, {string([]byte{0xff}), false},
	} {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if !Text("two\nlines\tand a tab") || Text("bell\a") || Text("x\u202Dy") {
		t.Error("Text: line breaks and tabs are text, a bell and a bidi override are not")
	}
}
