// cursor.go is a page of results and the cursor to the next.

package audit

import (
	"errors"
	"strconv"
	"strings"

	"orgboard/internal/api"
)

// Cursor is the position after a row, for the next page: its time (Unix
// microseconds) and its row's number in the store.
type Cursor struct {
	Time  int64
	RowID int64
}

func (c Cursor) String() string {
	return strconv.FormatInt(c.Time, 10) + "_" + strconv.FormatInt(c.RowID, 10)
}

// ParseCursor reads a cursor; "" is the first page.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "_")
	t, err1 := strconv.ParseInt(a, 10, 64)
	r, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, errors.New("not a cursor")
	}
	return &Cursor{t, r}, nil
}

// Row is one result.
type Row struct {
	RowID int64
	Entry api.AuditEntry
}

// Page is one page of results.
type Page struct {
	Rows []Row
	Next *Cursor
}

// After is the cursor after the page's last row.
func (p *Page) After() *Cursor {
	last := p.Rows[len(p.Rows)-1]
	return &Cursor{last.Entry.Action.Time.UnixMicro(), last.RowID}
}
