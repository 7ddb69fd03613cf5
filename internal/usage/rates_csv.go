// rates_csv.go reads and writes a rate card as CSV, one price per line.

package usage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/csvsafe"
)

// RateColumns are a rate card's CSV columns, in order.
var RateColumns = []string{"metric_id", "metric_name", "price", "currency", "pricing_unit", "units_per_pricing_unit", "effective_from", "source"}

// WriteRates writes rates as CSV, every cell safe to open in a spreadsheet.
func WriteRates(w io.Writer, rates []Rate) error {
	cw := csvsafe.NewWriter(w)
	cw.Write(RateColumns)
	for _, r := range rates {
		cw.Write([]string{r.Metric, r.Name, strconv.FormatFloat(r.Price, 'f', -1, 64), r.Currency, r.PricingUnit,
			strconv.FormatFloat(r.Per, 'f', -1, 64), r.From.Format(time.DateOnly), r.Source})
	}
	return cw.Flush()
}

// ReadRates reads a rate card's CSV (as WriteRates writes it; the columns
// may come in any order, metric_name, pricing_unit and source may be
// left out) and checks it. Every mistake is reported, by line and column.
func ReadRates(r io.Reader) ([]Rate, []RateError) {
	cr := csv.NewReader(io.LimitReader(r, 4<<20))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []RateError{{Message: "The file is empty: it needs a header line and one line per price."}}
	}
	if err != nil {
		return nil, []RateError{{Message: "The file is not CSV the console can read: " + csvMessage(err)}}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"metric_id", "price", "currency", "units_per_pricing_unit", "effective_from"} {
		if _, ok := col[need]; !ok {
			return nil, []RateError{{Message: "The header line lacks the column " + need + ". The columns are: " + strings.Join(RateColumns, ", ") + "."}}
		}
	}
	var rates []Rate
	var errs []RateError
	seen := map[string]int{} // metric and day: the line that prices it
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, append(errs, RateError{Line: line, Field: "line", Message: csvMessage(err)})
		}
		if len(rates) >= MaxRates {
			return nil, []RateError{{Message: fmt.Sprintf("A rate card holds at most %d prices.", MaxRates)}}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return unguard(strings.TrimSpace(rec[i]))
			}
			return ""
		}
		rt := Rate{Metric: get("metric_id"), Name: get("metric_name"), Currency: strings.ToUpper(get("currency")),
			PricingUnit: get("pricing_unit"), Source: get("source")}
		var bad bool
		if rt.Price, bad = number(get("price")); bad {
			errs = append(errs, RateError{line, "price", "a price is a number of zero or more, for example 0.30"})
			continue
		}
		if rt.Per, bad = number(get("units_per_pricing_unit")); bad {
			errs = append(errs, RateError{line, "units_per_pricing_unit", "how many consumed units one price buys: a number above zero, for example 1000000"})
			continue
		}
		d, err := time.Parse(time.DateOnly, get("effective_from"))
		if err != nil {
			errs = append(errs, RateError{line, "effective_from", "the first day the price applies, written YYYY-MM-DD"})
			continue
		}
		rt.From = d
		for _, e := range Check([]Rate{rt}) {
			e.Line = line
			errs = append(errs, e)
		}
		k := rt.Metric + "|" + get("effective_from")
		if prev, dup := seen[k]; dup && rt.Metric != "" {
			errs = append(errs, RateError{line, "effective_from", fmt.Sprintf("line %d already prices %s from %s", prev, rt.Metric, get("effective_from"))})
		}
		seen[k] = line
		rates = append(rates, rt)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rates) == 0 {
		return nil, []RateError{{Message: "The file has a header line but no prices."}}
	}
	if errs := Check(rates); len(errs) > 0 {
		return nil, errs
	}
	return rates, nil
}

// number reads a decimal number ("1,000,000" and "$0.30" are not: a
// separator means different things in different locales).
func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err != nil || v != v || v > 1e15 || v < -1e15
}

// unguard undoes the apostrophe an export puts before a formula's first character.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
