// paging.go writes and reads the lists' opaque page tokens and cursors.

package localapi

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
)

// cursor is the position after the last row of a page. Lists page by keys,
// not offsets, so a token stays right while rows are inserted.
type cursor struct {
	Mode string `json:"m"`           // sort order the token belongs to
	Key  string `json:"k,omitempty"` // sort key of the last row
	ID   string `json:"i,omitempty"` // tie-break of the last row
	N    int64  `json:"n,omitempty"` // numeric sort key of the last row
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a token; an empty token is the first page.
func decodeCursor(token, mode, what string) (*cursor, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var c cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.Mode != mode {
		return nil, badRequest("Invalid " + what + ": it does not belong to this list or its sort order")
	}
	return &c, nil
}

// pageSize reads page_size (or limit): default def, at most 1000.
func pageSize(q url.Values, key string, def int) (int, error) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest(key + " must be a whole number from 0 (the default) to 1000")
	}
	if n == 0 { // as in Google's API design (AIP-158), which these lists follow: 0 asks for the default
		return def, nil
	}
	return min(n, 1000), nil
}
