// decode.go holds what the streaming decoders share with encoding/json's
// rules.

package api

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// The client reads its large responses (usage records by the million, audit
// pages by the thousand) with jsontext, the streaming tokenizer of Go's
// coming encoding/json/v2: it rejects everything JSON rejects (control
// characters in strings, +1, 01, .5, truncation), whatever the layout.
// These are the rules the decoders share with encoding/json, which their
// fuzz tests hold them to.

// decodeOptions read as encoding/json does: invalid UTF-8 is U+FFFD (rather
// than an error), and a repeated name's last value wins.
var decodeOptions = []jsontext.Options{jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)}

// errShape is a value of another JSON kind than its field takes.
var errShape = errors.New("a value of the wrong kind")

// unquote appends the text of a JSON string value to buf. The decoder has
// checked its syntax; invalid UTF-8 is U+FFFD, as in encoding/json.
func unquote(buf []byte, v jsontext.Value) []byte {
	out, _ := jsontext.AppendUnquote(buf, v)
	return out
}

// foldsTo names the one of names that key equals up to case, as
// encoding/json matches a struct's fields, or "".
func foldsTo(key []byte, names ...string) string {
	for _, n := range names {
		if len(key) == len(n) && string(key) == n {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(string(key), n) {
			return n
		}
	}
	return ""
}

// number reads a JSON number, or a string holding one, as a float64; it
// refuses one that overflows, as encoding/json does.
func number(buf []byte, v jsontext.Value) (float64, error) {
	text := []byte(v)
	if v.Kind() == '"' {
		text = unquote(buf, v)
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number that fits: %w", text, errShape)
	}
	return f, nil
}
