package server_test

import (
	"os"
	"testing"

	"orgboard/internal/store/pgtest"
)

// TestMain removes the PostgreSQL cluster the tests on both backends
// started (testenv.Backends), once they are done.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
