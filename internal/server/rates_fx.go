// rates_fx.go is the exchange-rate part of the rate card tab: the table
// that converts an organization's usage into a reporting currency,
// imported and exported as CSV.

package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

func (s *Server) fxView(c echo.Context, org api.Organization) (templates.FXView, error) {
	fx, owner, err := s.fxTable(c, org.ID)
	if err != nil {
		return templates.FXView{}, err
	}
	v := templates.FXView{ImportURL: route.Path(route.FXImport, org.ID), ExportURL: route.Path(route.FXExport, org.ID),
		ResetURL: route.Path(route.FXReset, org.ID), Source: fx.Source}
	switch {
	case owner == nil:
		v.Origin = "The rates shipped with Orgboard."
	case owner.ID == org.ID:
		v.Origin, v.Own = "This organization's own exchange rates. Its sub-organizations use them too, unless they have their own.", true
	default:
		v.Origin, v.InheritedURL = "The exchange rates of “"+owner.Name+"”, above this organization.", route.Path(route.Rates, owner.ID)
	}
	curs := fx.Currencies()
	rates := fx.List()
	v.Summary = templates.Count(int64(len(rates)), "rate", "rates") + " of " + strings.Join(curs, ", ")
	if len(fx.Days) > 0 {
		v.Summary += ", from " + fx.Days[0].Format("2 January 2006") + " to " + fx.Last().Format("2 January 2006") + "."
		v.Last = fx.Last().Format("2 January 2006")
	}
	return v, nil
}

// importFX replaces the organization's exchange rates with an uploaded
// CSV file; a mistake keeps the table as it was and says which line.
func (s *Server) importFX(c echo.Context) error {
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.ratesPage(c, http.StatusUnprocessableEntity, nil, []string{"Choose a CSV file of exchange rates to import."}, "")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rates, err := usage.ReadFXCSV(f)
	if err != nil {
		return s.ratesPage(c, http.StatusUnprocessableEntity, nil, []string{"The exchange rates were not imported: " + err.Error() + "."}, "")
	}
	source := "imported from " + fh.Filename + " on " + s.now().UTC().Format("2 January 2006")
	if err := s.usage.FX.SetFXTable(c.Request().Context(), org, rates, source, s.now()); err != nil {
		return err
	}
	return s.ratesPage(c, http.StatusOK, nil, nil, "Imported "+templates.Count(int64(len(rates)), "exchange rate", "exchange rates")+" from "+fh.Filename+
		". Reports in a reporting currency use them from now on.")
}

// exportFX is the table that converts the organization's usage, as CSV.
func (s *Server) exportFX(c echo.Context) error {
	fx, _, err := s.fxTable(c, c.Param("id"))
	if err != nil {
		return err
	}
	attachment(c, "orgboard-exchange-rates-"+c.Param("id")[:min(8, len(c.Param("id")))]+"-"+fx.Last().Format(time.DateOnly)+".csv", "text/csv; charset=utf-8")
	return usage.WriteFXCSV(c.Response(), fx.List())
}

// resetFX removes the organization's own exchange rates.
func (s *Server) resetFX(c echo.Context) error {
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	if err := s.usage.FX.ClearFXTable(c.Request().Context(), org); err != nil {
		return err
	}
	return s.ratesPage(c, http.StatusOK, nil, nil, "This organization's exchange rates were removed: its usage is converted with the rates above it, or the shipped ones.")
}
