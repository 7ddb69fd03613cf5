// words.go cuts free text into the words search matches, the same way
// for every store.

package audit

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Words cuts text into the words free-text search matches, as SQLite's
// FTS5 unicode61 tokenizer (with its default remove_diacritics=1) cuts
// them: runs of letters, digits, private-use characters and combining
// marks, in lower case, without combining marks, a Latin letter with one
// diacritic as its ASCII letter ("Déjà" is "deja"; "Straße" stays).
// SQLite's tables are Unicode 6.1's and take code points assigned later
// (newer emoji) as letters; here those separate words.
func Words(text string) []string {
	var out []string
	var b strings.Builder
	for _, r := range text {
		if !wordRune(r) {
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue // a combining mark joins a word and is dropped
		}
		b.WriteRune(withoutDiacritic(unicode.ToLower(r)))
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func wordRune(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Mn, r)
}

// withoutDiacritic maps a letter that decomposes into an ASCII letter and
// one combining mark to the ASCII letter.
func withoutDiacritic(r rune) rune {
	if r < 0x80 {
		return r
	}
	d := []rune(norm.NFD.String(string(r)))
	if len(d) == 2 && d[0] < 0x80 && unicode.Is(unicode.Mn, d[1]) {
		return d[0]
	}
	return r
}
