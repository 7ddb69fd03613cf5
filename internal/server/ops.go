// ops.go answers operators: readiness, the metrics' gauges, the icon.

package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/metrics"
)

// Check is one thing /readyz needs to be true.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// ready answers 200 when every check passes, 503 naming those that fail.
func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	var failed []string
	if s.broken.Load() {
		failed = append(failed, "a database file is damaged (see the log)")
	}
	for _, ch := range s.cfg.Checks {
		if err := ch.Run(ctx); err != nil {
			failed = append(failed, ch.Name)
			s.log.Warn("not ready", "check", ch.Name, "error", err)
		}
	}
	if len(failed) > 0 {
		return c.String(http.StatusServiceUnavailable, "not ready: "+strings.Join(failed, ", ")+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

func (s *Server) registerGauges() {
	s.cfg.Metrics.AddGauge(metrics.Gauge{Name: "orgboard_cache_hits_total", Help: "Reads answered from the per-user cache.", Counter: true,
		Read: func() (float64, bool) { h, _ := s.cache.Stats(); return float64(h), true }},
		metrics.Gauge{Name: "orgboard_cache_misses_total", Help: "Reads that went upstream.", Counter: true,
			Read: func() (float64, bool) { _, m := s.cache.Stats(); return float64(m), true }})
}

// favicon answers the address browsers ask for by name.
func (s *Server) favicon(c echo.Context) error {
	s.assets.ServeFile(c.Response(), c.Request(), "favicon.svg", "image/svg+xml")
	return nil
}
