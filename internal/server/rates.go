// rates.go finds the rate card that prices an organization's usage, and
// the exchange rates that convert it into a reporting currency: each its
// own, or the nearest ancestor's, or the one shipped with the console.

package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// rateCard is the card that prices org's usage and the organization it
// belongs to (nil: the shipped default). Ancestors the user may not read
// are passed over: their cards are theirs.
func (s *Server) rateCard(c echo.Context, org string) (*usage.RateCard, *api.Organization, error) {
	var card *usage.RateCard
	owner, err := s.nearestOwn(c, org, func(ctx context.Context, id string) (bool, error) {
		rates, ok, err := s.usage.Rates.Rates(ctx, id)
		if ok {
			card = usage.NewRateCard(rates)
		}
		return ok, err
	})
	if err != nil || owner == nil {
		return usage.DefaultCard(), nil, err
	}
	return card, owner, nil
}

// fxTable is the exchange-rate table that converts org's usage and the
// organization it belongs to (nil: the shipped one).
func (s *Server) fxTable(c echo.Context, org string) (*usage.FX, *api.Organization, error) {
	var fx *usage.FX
	owner, err := s.nearestOwn(c, org, func(ctx context.Context, id string) (bool, error) {
		rates, source, ok, err := s.usage.FX.FXTable(ctx, id)
		if ok {
			fx = usage.NewFX(rates, source)
		}
		return ok, err
	})
	if err != nil || owner == nil {
		return usage.DefaultFX(), nil, err
	}
	return fx, owner, nil
}

// nearestOwn walks from org up its parents to the first that has its
// own setting (has), and returns it (nil: none has). Ancestors the user
// may not read are passed over: their settings are theirs.
func (s *Server) nearestOwn(c echo.Context, org string, has func(ctx context.Context, id string) (bool, error)) (*api.Organization, error) {
	ctx := c.Request().Context()
	for id, seen := org, 0; id != "" && seen < maxCrumbs; seen++ {
		o, err := s.getOrg(c, id)
		if err != nil && id == org {
			return nil, err
		}
		if err != nil {
			break
		}
		ok, err := has(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return &o, nil
		}
		if o.Parent == nil {
			break
		}
		id = o.Parent.ID
	}
	return nil, nil
}

// pricing is the rate card that prices org's usage, converting every
// cost into report with org's exchange rates when report is set; a
// currency the table lacks is refused in words.
func (s *Server) pricing(c echo.Context, org, report string) (*usage.RateCard, error) {
	card, _, err := s.rateCard(c, org)
	if err != nil || report == "" {
		return card, err
	}
	fx, _, err := s.fxTable(c, org)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(fx.Currencies(), report) {
		return nil, &userError{status: http.StatusBadRequest, title: "No rate for that currency",
			message: "The exchange-rate table has no rate for " + report + ": it converts " + strings.Join(fx.Currencies(), ", ") + ". Import rates for it on the Rate card tab."}
	}
	return card.Reporting(report, fx), nil
}
