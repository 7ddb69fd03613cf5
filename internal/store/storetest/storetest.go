// Package storetest runs a test against every store backend: SQLite in a
// temporary folder and PostgreSQL in a database of the test's own (see
// pgtest), so that one suite proves both implementations.
package storetest

import (
	"context"
	"testing"

	"orgboard/internal/store"
	"orgboard/internal/store/pgtest"
)

// Backend is one backend under test, at one place: opening it again opens
// the same data, as a restarted console would.
type Backend struct {
	Name  string // "sqlite" or "postgres"
	Place string // a folder, or a database URL
}

// Run runs f once per backend, as subtests named sqlite and postgres.
func Run(t *testing.T, f func(t *testing.T, b Backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, Backend{Name: "sqlite", Place: t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { f(t, Backend{Name: "postgres", Place: pgtest.Database(t)}) })
}

// Config is the store.Config of the backend's place.
func (b Backend) Config() store.Config {
	if b.Name == "postgres" {
		return store.Config{DatabaseURL: b.Place}
	}
	return store.Config{DataDir: b.Place}
}

// Open opens the backend's stores, closed when the test ends (or earlier
// by the caller, to open them again).
func (b Backend) Open(t testing.TB) *store.Stores {
	t.Helper()
	return b.OpenWith(t, b.Config())
}

// OpenWith opens the stores with cfg (its place set to the backend's).
func (b Backend) OpenWith(t testing.TB, cfg store.Config) *store.Stores {
	t.Helper()
	cfg.DataDir, cfg.DatabaseURL = b.Config().DataDir, b.Config().DatabaseURL
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open the %s stores: %v", b.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
