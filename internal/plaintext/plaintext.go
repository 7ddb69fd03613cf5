// Package plaintext tells whether a value a person typed is plain text that
// cannot change how a page or an export reads: valid UTF-8 without control
// characters or the bidirectional formatting characters that reorder what
// follows them (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line reports whether s is one line of plain text.
func Line(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || Bidi(r) }) < 0
}

// Text reports whether s is plain text of one or more lines (tabs and line
// breaks allowed).
func Text(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') || Bidi(r)
	}) < 0
}

// Bidi reports whether r is a bidirectional formatting character.
func Bidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
