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

var plainNumber = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?$`)

// Cell is v made safe to open in a spreadsheet: a value whose first
// character (after any spaces) starts a formula, = + - @ tab or carriage
// return or their full-width forms, gets a leading apostrophe, which
// spreadsheets show as text. A plain negative number (-12.5) stays a number;
// -Inf, -1+1 and the like do not.
func Cell(v string) string {
	first := strings.TrimLeftFunc(v, func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u3000' })
	if first == "" || plainNumber.MatchString(v) {
		return v
	}
	switch r := []rune(first)[0]; r {
	case '=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠', '﹦', '﹢', '﹣':
		return "'" + v
	default:
		if unicode.IsControl(r) {
			return "'" + v
		}
	}
	return v
}
