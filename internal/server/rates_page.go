// rates_page.go is the rate card tab: the card that prices an
// organization's usage, edited in place, imported and exported as CSV.

package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// blankRates are the empty rows the editor offers for new prices.
const blankRates = 3

func (s *Server) showRates(c echo.Context) error {
	return s.ratesPage(c, http.StatusOK, nil, nil, "")
}

// ratesPage renders the tab; rows, when given, are what the user typed
// (kept with their mistakes), else the card as it is.
func (s *Server) ratesPage(c echo.Context, status int, rows []templates.RateRow, errs []string, saved string) error {
	return s.showTab(c, status, "rates", func(org api.Organization) (templ.Component, error) {
		v, err := s.ratesView(c, org, rows)
		v.Errors, v.Saved = errs, saved
		return templates.Rates(v), err
	})
}

func (s *Server) ratesView(c echo.Context, org api.Organization, rows []templates.RateRow) (templates.RatesView, error) {
	card, owner, err := s.rateCard(c, org.ID)
	if err != nil {
		return templates.RatesView{}, err
	}
	caps := s.caps(c, org)
	v := templates.RatesView{CSRF: s.csrf(c), SaveURL: route.Path(route.Rates, org.ID), ImportURL: route.Path(route.RatesImport, org.ID),
		ExportURL: route.Path(route.RatesExport, org.ID), ResetURL: route.Path(route.RatesReset, org.ID), UsageURL: usageURL(org.ID, "", nil),
		ReadOnly: !caps.May(access.Settings), ReadOnlyNote: caps.Why(access.Settings)}
	switch {
	case owner == nil:
		v.Origin = "The default card shipped with Orgboard: Cloudflare's public list prices for the common metrics, each naming the page it comes from. Save or import a card to use this organization's own prices."
	case owner.ID == org.ID:
		v.Origin, v.Own = "This organization's own card. Its sub-organizations use it too, unless they have their own.", true
	default:
		v.Origin, v.InheritedURL = "The card of “"+owner.Name+"”, above this organization. Saving here gives this organization a card of its own.", route.Path(route.Rates, owner.ID)
	}
	if rows == nil {
		for _, r := range card.Rates {
			rows = append(rows, rateRow(r))
		}
		for range blankRates {
			rows = append(rows, templates.RateRow{})
		}
	}
	v.Rows = rows
	v.FX, err = s.fxView(c, org)
	return v, err
}

func rateRow(r usage.Rate) templates.RateRow {
	return templates.RateRow{Metric: r.Metric, Name: r.Name, Price: strconv.FormatFloat(r.Price, 'f', -1, 64), Currency: r.Currency,
		PricingUnit: r.PricingUnit, Per: strconv.FormatFloat(r.Per, 'f', -1, 64), From: r.From.Format(time.DateOnly), Source: r.Source}
}

// saveRates stores the card as edited: every row is checked, and on any
// mistake nothing is saved and the form comes back as typed.
func (s *Server) saveRates(c echo.Context) error {
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: "The form could not be read."}
	}
	col := func(name string, i int) string {
		if vs := form[name]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	n := len(form["metric_id"])
	if n > usage.MaxRates+blankRates {
		return &userError{status: http.StatusBadRequest, title: "Too many rows", message: "A rate card holds at most 2,000 prices."}
	}
	var rows []templates.RateRow
	var rates []usage.Rate
	var at []int // the row of each rate
	bad := false
	for i := range n {
		row := templates.RateRow{Metric: col("metric_id", i), Name: col("metric_name", i), Price: col("price", i), Currency: strings.ToUpper(col("currency", i)),
			PricingUnit: col("pricing_unit", i), Per: col("units_per_pricing_unit", i), From: col("effective_from", i), Source: col("source", i)}
		if row == (templates.RateRow{}) || row.Metric == "" && row.Price == "" {
			continue // an empty row, or one emptied to remove it
		}
		r, msg := parseRateRow(row)
		row.Error = msg
		bad = bad || msg != ""
		rows = append(rows, row)
		rates = append(rates, r)
		at = append(at, len(rows)-1)
	}
	if !bad {
		for _, e := range usage.Check(rates) {
			if e.Line >= 2 && e.Line-2 < len(at) {
				rows[at[e.Line-2]].Error = e.Field + ": " + e.Message
			}
			bad = true
		}
	}
	if len(rates) == 0 {
		return s.ratesPage(c, http.StatusUnprocessableEntity, append(rows, make([]templates.RateRow, blankRates)...),
			[]string{"A card needs at least one price. To price usage by the card above this organization (or the default), remove this organization's card instead."}, "")
	}
	if bad {
		return s.ratesPage(c, http.StatusUnprocessableEntity, append(rows, make([]templates.RateRow, blankRates)...),
			[]string{"Some rows have mistakes; they are marked below."}, "")
	}
	if err := s.usage.Rates.SetRates(c.Request().Context(), org, rates, s.now()); err != nil {
		return err
	}
	return s.ratesPage(c, http.StatusOK, nil, nil, "Rate card saved: "+templates.Count(int64(len(rates)), "price", "prices")+". Estimates use it from now on.")
}

// parseRateRow reads one typed row.
func parseRateRow(r templates.RateRow) (usage.Rate, string) {
	out := usage.Rate{Metric: r.Metric, Name: r.Name, Currency: r.Currency, PricingUnit: r.PricingUnit, Source: r.Source}
	var err error
	if out.Price, err = strconv.ParseFloat(r.Price, 64); err != nil {
		return out, "the price is a number such as 0.30 (a point for decimals, no currency sign or separators)"
	}
	if out.Per, err = strconv.ParseFloat(r.Per, 64); err != nil {
		return out, "units per pricing unit is a number such as 1000000"
	}
	if out.From, err = time.Parse(time.DateOnly, r.From); err != nil {
		return out, "give the day the price applies from"
	}
	if errs := usage.Check([]usage.Rate{out}); len(errs) > 0 {
		return out, errs[0].Message
	}
	return out, ""
}

// importRates replaces the card with an uploaded CSV file.
func (s *Server) importRates(c echo.Context) error {
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.ratesPage(c, http.StatusUnprocessableEntity, nil, []string{"Choose a CSV file to import."}, "")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rates, errs := usage.ReadRates(f)
	if len(errs) > 0 {
		msgs := make([]string, 0, min(len(errs), 20))
		for i, e := range errs {
			if i == 20 {
				msgs = append(msgs, "… and "+strconv.Itoa(len(errs)-20)+" more.")
				break
			}
			msgs = append(msgs, e.Error())
		}
		return s.ratesPage(c, http.StatusUnprocessableEntity, nil, msgs, "")
	}
	if err := s.usage.Rates.SetRates(c.Request().Context(), org, rates, s.now()); err != nil {
		return err
	}
	return s.ratesPage(c, http.StatusOK, nil, nil, "Imported "+templates.Count(int64(len(rates)), "price", "prices")+" from "+fh.Filename+".")
}

// exportRates is the card that prices the organization's usage, as CSV.
func (s *Server) exportRates(c echo.Context) error {
	card, _, err := s.rateCard(c, c.Param("id"))
	if err != nil {
		return err
	}
	attachment(c, "orgboard-rates-"+c.Param("id")[:min(8, len(c.Param("id")))]+".csv", "text/csv; charset=utf-8")
	return usage.WriteRates(c.Response(), card.Rates)
}

// resetRates removes the organization's own card.
func (s *Server) resetRates(c echo.Context) error {
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	if err := s.usage.Rates.ClearRates(c.Request().Context(), org); err != nil {
		return err
	}
	return s.ratesPage(c, http.StatusOK, nil, nil, "This organization's card was removed: its usage is priced by the card above it, or the default.")
}
