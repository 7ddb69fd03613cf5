package benchutil

import (
	"context"
	"net/http/httptest"
	"os"
	"time"

	"orgboard/internal/app"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
)

// Demo is a console in front of the local API on the demo data, both on
// loopback, in a folder of their own.
type Demo struct {
	URL, APIURL string // the console's, and the API's with its base path
	closers     []func()
}

// StartDemo seeds the demo data and starts the local API and a console
// with the given upstream budget (-1: none), its cache on.
func StartDemo(ctx context.Context, name string, budget int) (*Demo, error) {
	d := &Demo{}
	dir, err := os.MkdirTemp("", name)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, func() { os.RemoveAll(dir) })
	st, err := localapi.Open(dir)
	if err == nil {
		_, err = st.Seed(ctx, localapi.ScaleDefault, clock.System.Now())
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	api := httptest.NewServer(localapi.NewServer(st, nil, nil))
	d.closers = append(d.closers, api.Close)
	d.APIURL = api.URL + localapi.BasePath
	console, err := app.New(ctx, app.Config{APIURL: d.APIURL, Local: true, DataDir: dir, CacheTTL: app.DefaultCacheTTL,
		SessionIdle: time.Hour, SessionMax: time.Hour, LoginRate: 1000, UpstreamBudget: budget})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.closers = append(d.closers, func() { console.Close() })
	srv := httptest.NewServer(console.Handler)
	d.closers = append(d.closers, srv.Close)
	d.URL = srv.URL
	return d, nil
}

// Close stops the servers and removes the folder, last started first.
func (d *Demo) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}
