package localapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
)

// env is one test's local API: its own copy of the seeded data, served over HTTP.
type env struct {
	t     *testing.T
	dir   string
	store *Store
	srv   *Server
	http  *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	src, _, err := SeededFile(clocktest.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "localapi.db"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	st, err := Open(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store, e.srv = st, NewServer(st, nil, nil)
	e.srv.SetClock(clocktest.Now)
	e.http = httptest.NewServer(e.srv)
}

func (e *env) close() {
	if e.http != nil {
		e.http.Close()
		e.store.Close()
		e.http = nil
	}
}

// restart closes everything and opens the same directory again.
func (e *env) restart() {
	e.close()
	e.open()
}

func (e *env) client(token string) *api.Client {
	c, err := api.New(e.http.URL+BasePath, api.WithRetries(1, time.Millisecond))
	if err != nil {
		e.t.Fatal(err)
	}
	return c.WithToken(token)
}

// raw makes a request and returns the status and body.
func (e *env) raw(method, path, token string, body io.Reader) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+BasePath+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// org finds a seeded organization by name.
func (e *env) org(name string) api.Organization {
	e.t.Helper()
	for o, err := range e.client(DemoAdminToken).Organizations(context.Background(), api.ListOrganizationsParams{NameContains: name, PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			e.t.Fatal(err)
		}
		if o.Name == name {
			return o
		}
	}
	e.t.Fatalf("no organization named %q", name)
	return api.Organization{}
}
