// Package csvsafe writes CSV that spreadsheet programs open as data, never
// as formulas (OWASP's CSV injection rule), for every export of the console.
package csvsafe

import (
	"bufio"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// Writer writes CSV rows. Every cell goes through Cell, and a cell that
// holds a separator of any locale (comma, semicolon, tab), a quote or a
// line break is quoted, so that no part of it can start a cell of its own.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriterSize(w, 64<<10)} }

// Write writes one row.
func (w *Writer) Write(row []string) error {
	if w.err != nil {
		return w.err
	}
	for i, v := range row {
		if i > 0 {
			w.w.WriteByte(',')
		}
		v = Cell(v)
		if strings.ContainsAny(v, ",;\t\"\r\n") || strings.TrimSpace(v) != v {
			w.w.WriteByte('"')
			w.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
			w.w.WriteByte('"')
		} else {
			w.w.WriteString(v)
		}
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// Error is the first error of a write or a flush.
func (w *Writer) Error() error { return w.err }

var plainNumber = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?[\]})"]*$`)

// separators are the characters some spreadsheet splits a line on.
const separators = ",;\t|"

// Cell is v made safe to open in a spreadsheet: wherever a part of it could
// begin a cell (its start, or after a comma, semicolon, tab or bar, which
// one locale or another splits on), a formula's first character (= + - @,
// tab, carriage return, or their full-width forms, after any spaces) gets
// an apostrophe before it, which spreadsheets show as text. A plain
// negative number (-12.5, -2] in JSON) stays a number; -Inf and -1+1 do not.
func Cell(v string) string {
	var b strings.Builder
	start := 0
	for start <= len(v) {
		end := strings.IndexAny(v[start:], separators)
		if end < 0 {
			end = len(v)
		} else {
			end += start
		}
		b.WriteString(guard(v[start:end]))
		if end < len(v) {
			b.WriteByte(v[end])
		}
		start = end + 1
	}
	return b.String()
}

// guard neutralizes one part that a spreadsheet could read as a cell.
func guard(part string) string {
	lead := len(part) - len(strings.TrimLeftFunc(part, func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u3000' }))
	rest := part[lead:]
	if rest == "" || plainNumber.MatchString(rest) {
		return part
	}
	r := []rune(rest)[0]
	switch r {
	case '=', '+', '-', '@', '\r', '\n', '＝', '＋', '－', '＠', '﹦', '﹢', '﹣':
	default:
		if !unicode.IsControl(r) {
			return part
		}
	}
	return part[:lead] + "'" + rest
}
