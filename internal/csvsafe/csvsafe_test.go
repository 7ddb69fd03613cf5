package csvsafe

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestCellsNeverStartAFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"}, {"", ""}, {"-12.5", "-12.5"}, {"12", "12"}, {"alice@example.com", "alice@example.com"},
		{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1+1", "'-1+1"}, {"-Inf", "'-Inf"}, {"-NaN", "'-NaN"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "\t'=1"}, {"\r=1", "'\r=1"}, {"  =1+1", "  '=1+1"}, {"＝1+1", "'＝1+1"}, {"＋1", "'＋1"}, {"－1", "'－1"}, {"＠A1", "'＠A1"},
		{"\u00a0=1", "\u00a0'=1"}, {"-1e5", "'-1e5"},
		// wherever another locale's separator could start a cell
		{"x;=1+1;", "x;'=1+1;"}, {`{"name":"x;=1+1;"}`, `{"name":"x;'=1+1;"}`}, {"a,@b", "a,'@b"}, {"a|=b", "a|'=b"}, {"a; -1+1", "a; '-1+1"},
		{"[-1,-2]", "[-1,-2]"}, {`{"n":-5}`, `{"n":-5}`}, {"a;b", "a;b"},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A cell with a separator of another locale is quoted, and what follows
// such a separator cannot start a formula: opened with ';' as the
// separator, no part of "x;=1+1;" starts with "=".
func TestWriterQuotesEveryLocalesSeparators(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	w.Write([]string{"x;=1+1;", "a,b", `say "hi"`, "line\nbreak", "tab\there", " lead", "ok"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `"x;'=1+1;","a,b","say ""hi""","line` + "\n" + `break","tab` + "\t" + `here"," lead",ok` + "\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(rows) != 1 || rows[0][0] != "x;'=1+1;" || rows[0][3] != "line\nbreak" {
		t.Errorf("read back %q, %v", rows, err)
	}
	for _, sep := range []rune{';', '\t'} {
		r := csv.NewReader(strings.NewReader(b.String()))
		r.Comma, r.LazyQuotes = sep, true
		rows, _ := r.ReadAll()
		for _, row := range rows {
			for _, cell := range row {
				if strings.HasPrefix(strings.TrimSpace(cell), "=") {
					t.Errorf("with %q as the separator a cell starts a formula: %q", sep, cell)
				}
			}
		}
	}
}
