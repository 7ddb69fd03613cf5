// rates.go finds the rate card that prices an organization's usage: its
// own, or the nearest ancestor's, or the one shipped with the console.

package server

import (
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// rateCard is the card that prices org's usage and the organization it
// belongs to (nil: the shipped default). Ancestors the user may not read
// are passed over: their cards are theirs.
func (s *Server) rateCard(c echo.Context, org string) (*usage.RateCard, *api.Organization, error) {
	ctx := c.Request().Context()
	for id, seen := org, 0; id != "" && seen < maxCrumbs; seen++ {
		o, err := s.getOrg(c, id)
		if err != nil && id == org {
			return nil, nil, err
		}
		if err != nil {
			break
		}
		rates, ok, err := s.usage.Rates.Rates(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return usage.NewRateCard(rates), &o, nil
		}
		if o.Parent == nil {
			break
		}
		id = o.Parent.ID
	}
	return usage.DefaultCard(), nil, nil
}
