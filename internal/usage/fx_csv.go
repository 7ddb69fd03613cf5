// fx_csv.go reads and writes exchange rates as CSV, one rate per line:
// the date, the currency, and its units for one euro.

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

// FXColumns are an exchange-rate table's CSV columns, in order.
var FXColumns = []string{"date", "currency", "per_eur"}

// MaxFXRates bounds an imported table (ten years of daily rates of ten currencies).
const MaxFXRates = 40000

// WriteFXCSV writes rates as CSV.
func WriteFXCSV(w io.Writer, rates []FXRate) error {
	cw := csvsafe.NewWriter(w)
	cw.Write(FXColumns)
	for _, r := range rates {
		cw.Write([]string{r.Day.Format(time.DateOnly), r.Currency, strconv.FormatFloat(r.PerEUR, 'f', -1, 64)})
	}
	return cw.Flush()
}

// ReadFXCSV reads an exchange-rate table (as WriteFXCSV writes it, or as
// the European Central Bank's daily CSV: a Date column and one column per
// currency) and checks every line; the first mistake is returned with its
// line.
func ReadFXCSV(r io.Reader) ([]FXRate, error) {
	cr := csv.NewReader(io.LimitReader(r, 8<<20))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: it needs a header line (date,currency,per_eur) and one line per rate")
	}
	if err != nil {
		return nil, fmt.Errorf("the file is not CSV the console can read: %s", csvMessage(err))
	}
	for i := range head {
		head[i] = strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff"))
	}
	wide := len(head) > 1 && strings.EqualFold(head[0], "Date") && ValidCurrency(head[1]) // the ECB's layout
	if !wide && (len(head) < 3 || !strings.EqualFold(head[0], "date") || !strings.EqualFold(head[1], "currency") || !strings.EqualFold(head[2], "per_eur")) {
		return nil, errors.New("the header line must be date,currency,per_eur (or the European Central Bank's Date,USD,JPY,…)")
	}
	var out []FXRate
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s", line, csvMessage(err))
		}
		day, err := time.Parse(time.DateOnly, strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("line %d: the date must be written YYYY-MM-DD", line)
		}
		pairs := [][2]string{}
		if wide {
			for i := 1; i < len(rec) && i < len(head); i++ {
				if v := strings.TrimSpace(rec[i]); v != "" && v != "N/A" && ValidCurrency(head[i]) {
					pairs = append(pairs, [2]string{head[i], v})
				}
			}
		} else if len(rec) >= 3 {
			pairs = append(pairs, [2]string{strings.ToUpper(strings.TrimSpace(rec[1])), strings.TrimSpace(rec[2])})
		} else {
			return nil, fmt.Errorf("line %d: a rate needs a date, a currency and its units for one euro", line)
		}
		for _, p := range pairs {
			if !ValidCurrency(p[0]) || p[0] == "EUR" {
				return nil, fmt.Errorf("line %d: %q is not a currency code other than EUR (three capital letters, such as USD)", line, p[0])
			}
			v, bad := number(unguard(p[1]))
			if bad || v <= 0 || v > 1e9 {
				return nil, fmt.Errorf("line %d: %s's rate %q is not a number above zero (units of %s for one euro, such as 1.0815)", line, p[0], p[1], p[0])
			}
			out = append(out, FXRate{Day: day, Currency: p[0], PerEUR: v})
		}
		if len(out) > MaxFXRates {
			return nil, fmt.Errorf("a table holds at most %d rates", MaxFXRates)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the file has a header line but no rates")
	}
	return out, nil
}
