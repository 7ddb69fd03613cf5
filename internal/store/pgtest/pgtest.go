// Package pgtest gives tests PostgreSQL: a throwaway cluster from the
// machine's PostgreSQL binaries (Debian's postgresql package, which `make
// test` installs), started on first use and removed when the test binary
// ends, with a fresh database for each test.
//
// ORGBOARD_TEST_POSTGRES=off skips the tests that need PostgreSQL (and says
// so); ORGBOARD_TEST_POSTGRES=postgres://… uses that server instead of a
// cluster of the tests' own. Without either, a missing PostgreSQL fails the
// test: it is never skipped silently.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that turns the PostgreSQL tests off or names a server.
const Env = "ORGBOARD_TEST_POSTGRES"

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Main runs the tests of a package that uses PostgreSQL, then removes the
// cluster they started: call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
		shared.Remove()
	}
	return code
}

// Database returns the URL of a new, empty database, dropped when the test
// ends.
func Database(t testing.TB) string {
	t.Helper()
	admin := serverURL(t)
	name := "t_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL for the tests: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("create the test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, admin); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return withDatabase(admin, name)
}

// serverURL is the server the tests use: the one ORGBOARD_TEST_POSTGRES
// names, or the package's own cluster.
func serverURL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("PostgreSQL test: skipped under -short (make test runs it)")
	}
	switch v := os.Getenv(Env); {
	case v == "off":
		t.Skipf("%s=off: this test needs PostgreSQL", Env)
	case v != "":
		return v
	}
	sharedOnce.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		t.Fatalf("PostgreSQL for the tests: %v\n(run `make test`, which installs Debian's postgresql; name a server with %s=postgres://…; or skip these tests with %s=off)", sharedErr, Env, Env)
	}
	return shared.URL("postgres")
}

// Cluster is a PostgreSQL server of the tests' own, in a temporary folder.
type Cluster struct {
	dir, bin, user string
	port           int
}

// Start starts a cluster outside a test (for benchmarks); the caller stops
// and removes it.
func Start() (*Cluster, error) { return start() }

// NewCluster starts a cluster for one test, which may stop and start it;
// it is removed when the test ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("PostgreSQL test: skipped under -short (make test runs it)")
	}
	if os.Getenv(Env) == "off" {
		t.Skipf("%s=off: this test needs PostgreSQL", Env)
	}
	c, err := start()
	if err != nil {
		t.Fatalf("PostgreSQL for the tests: %v", err)
	}
	t.Cleanup(func() { c.Stop(); c.Remove() })
	return c
}

// URL is a database of the cluster, through its Unix socket in the
// cluster's own folder: no TCP port, which another test's cluster could
// take while this one is stopped and a client would then reach instead.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://orgboard@/%s?host=%s&port=%d&sslmode=disable", url.PathEscape(database), url.QueryEscape(c.dir), c.port)
}

// Database creates a database in the cluster and returns its URL.
func (c *Cluster) Database(t testing.TB, name string) string {
	t.Helper()
	u, err := c.CreateDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// CreateDatabase creates a database in the cluster and returns its URL.
func (c *Cluster) CreateDatabase(name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", err
	}
	return c.URL(name), nil
}

// Stop stops the server at once (as a crash would); Start starts it again
// on the same socket.
func (c *Cluster) Stop() error {
	return c.ctl("-m", "immediate", "stop")
}

// Start starts the (stopped) server again. Without fsync a commit still
// writes its log to the operating system before it answers
// (synchronous_commit stays on), so a crash of the server (Stop) keeps
// every commit, as a production server's would: with it off, a session
// stored just before the crash was lost and the restart test failed now
// and then.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-c listen_addresses='' -p %d -k %s -c fsync=off -c full_page_writes=off -c max_connections=300",
		c.port, c.dir)
	return c.ctl("-l", filepath.Join(c.dir, "server.log"), "-o", opts, "-t", "60", "start")
}

// Remove deletes the cluster's folder.
func (c *Cluster) Remove() { os.RemoveAll(c.dir) }

func (c *Cluster) ctl(args ...string) error {
	full := append([]string{"-D", filepath.Join(c.dir, "data"), "-w"}, args...)
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), full...)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("pg_ctl %s: %v\n%s\n%s", args[len(args)-1], err, out, tail(log, 2000))
	}
	return nil
}

// run runs a PostgreSQL program as the cluster's user: PostgreSQL refuses
// to run as root, so under root (as in CI) it runs as postgres.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(prog, args...)
	if c.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.user, "--", prog}, args...)...)
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd.CombinedOutput()
}

// start makes and starts a cluster in a new temporary folder.
func start() (*Cluster, error) {
	bin, err := binaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if c.user, err = unprivileged(); err != nil {
			return nil, err
		}
	}
	if c.dir, err = os.MkdirTemp("", "orgboard-pg-"); err != nil {
		return nil, err
	}
	if c.user != "" {
		u, _ := user.Lookup(c.user)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			c.Remove()
			return nil, err
		}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", filepath.Join(c.dir, "data"), "-U", "orgboard", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		c.Remove()
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err == nil {
			if err = c.Start(); err == nil {
				return c, nil
			}
		}
		if attempt == 3 {
			c.Remove()
			return nil, err
		}
	}
}

// binaries finds initdb and pg_ctl: Debian keeps them out of the PATH.
func binaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- { // the newest version
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
}

// unprivileged is the user a root process runs PostgreSQL as.
func unprivileged() (string, error) {
	for _, name := range []string{"postgres", "nobody"} {
		if _, err := user.Lookup(name); err == nil {
			return name, nil
		}
	}
	return "", errors.New("running as root, and no postgres or nobody user to run PostgreSQL as")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) string {
	s := string(b)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}
