package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"orgboard/bench/benchutil"
	"orgboard/internal/backup"
	"orgboard/internal/localapi"
)

// start runs the whole program as `go run .` does, until ctx ends; it
// returns the console's base URL and a channel with run's result.
func start(t *testing.T, ctx context.Context, dir string, extra ...string) (string, chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"--listen", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error"}, extra...)
	go func() { done <- run(ctx, args, pw, io.Discard); pw.Close() }()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Orgboard console: "); ok {
			go io.Copy(io.Discard, pr)
			return strings.Fields(rest)[0], done
		}
	}
	t.Fatalf("the console did not start: %v", <-done)
	return "", nil
}

func signedIn(t *testing.T, base string) *http.Client {
	t.Helper()
	c, err := benchutil.SignIn(base, localapi.DemoAdminToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func syncCounts(t *testing.T, dir string) (stored, claimed int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "audit.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM audit_entries), (SELECT coalesce(sum(synced), 0) FROM audit_sync_state)`).Scan(&stored, &claimed); err != nil {
		t.Fatal(err)
	}
	return stored, claimed
}

// SIGTERM (the context ending) lets a request in flight finish, stops the
// audit sync with its state matching what it stored, closes the databases
// cleanly, and a restart carries on.
func TestGracefulShutdownAndRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, stop := context.WithCancel(context.Background())
	// each API call takes 600 ms: the page asked below is still in flight
	// when the shutdown comes 250 ms after it was sent
	base, done := start(t, ctx, dir, "--fault-latency", "600ms")
	c := signedIn(t, base)
	// the audit sync of every organization starts with a search
	if resp, err := c.Get(base + "/audit?q=since%3A7d"); err == nil {
		resp.Body.Close()
	}
	for i := 0; i < 200; i++ { // let the sync store some pages first
		if n, _ := syncCounts(t, dir); n > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// a request on a connection of its own (a kept-alive one may be closed
	// as idle by the shutdown before the server reads the request on it)
	inflight, written := make(chan int, 1), make(chan struct{})
	go func() {
		fresh := &http.Client{Jar: c.Jar, Transport: &http.Transport{DisableKeepAlives: true}}
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, base+"/orgs", nil) // needs the slow API
		resp, err := fresh.Do(req)
		if err != nil {
			t.Log(err)
			inflight <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		inflight <- resp.StatusCode
	}()
	select {
	case <-written:
	case code := <-inflight:
		t.Fatalf("the request was not sent: %d", code)
	}
	// the server accepts it: a connection still in the listener's queue
	// when the listener closes is reset, as on any server (50 ms was too
	// short on a loaded machine: the request ended in EOF)
	time.Sleep(250 * time.Millisecond)
	stop() // what SIGTERM does
	if code := <-inflight; code != 200 {
		t.Errorf("the request in flight at shutdown ended with %d", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(2 * time.Minute): // a hang, not a speed: the race detector on a busy machine took 30 s
		t.Fatal("shutdown did not end within two minutes")
	}
	stored, claimed := syncCounts(t, dir)
	if stored != claimed {
		t.Errorf("after shutdown the index holds %d entries and its state claims %d", stored, claimed)
	}
	for _, name := range []string{"audit.db-wal", "orgboard.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Size() > 0 {
			t.Errorf("%s left with %d bytes: not closed cleanly", name, fi.Size())
		}
	}
	// a restart continues the sync where it stopped, storing nothing twice
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	base2, done2 := start(t, ctx2, dir)
	c2 := signedIn(t, base2)
	if resp, err := c2.Get(base2 + "/audit?q=since%3A7d"); err == nil {
		resp.Body.Close()
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c2.Get(base2 + "/audit/status")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "Index up to date") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	stored2, claimed2 := syncCounts(t, dir)
	if stored2 != claimed2 || stored2 <= stored {
		t.Errorf("after the restart: %d stored, %d claimed (before: %d)", stored2, claimed2, stored)
	}
}

// A value that does not parse stops the start and names the variable and
// the value; it is never replaced by the default. Booleans take what
// strconv.ParseBool takes.
func TestConfigurationThatDoesNotParseStopsTheStart(t *testing.T) {
	tests := []struct {
		env, value string
		args       []string
		want       string // in the error; "" means it parses
	}{
		{"ORGBOARD_SESSION_IDLE", "30", nil, `ORGBOARD_SESSION_IDLE="30" is not a valid value for --session-idle`},
		{"ORGBOARD_SECURE_COOKIES", "yes", nil, `ORGBOARD_SECURE_COOKIES="yes"`},
		{"ORGBOARD_SECURE_COOKIES", "1", nil, ""},
		{"ORGBOARD_LOGIN_RATE", "ten", nil, "--login-rate"},
		{"ORGBOARD_LOG_LEVEL", "verbose", nil, "want one of debug, info, warn, error"},
		{"ORGBOARD_FAULT_500", "2", nil, "--fault-500 2: a share is between 0 and 1"},
		{"ORGBOARD_CACHE_TTL", "5m", nil, "--cache-ttl 5m0s"},
		{"ORGBOARD_SESSION_IDLE", "30", []string{"--session-idle", "45m"}, ""}, // the flag wins
		{"ORGBOARD_AUDIT_TIMEOUT", "-1s", nil, "--audit-timeout -1s: must be more than zero"},
		{"ORGBOARD_SMTP_HOST", "smtp.example.com", nil, "--smtp-from"},
		{"ORGBOARD_SMTP_HOST", "smtp.example.com", []string{"--smtp-from", "orgboard@example.com", "--smtp-user", "u", "--smtp-starttls=false"}, "in the clear"},
		{"ORGBOARD_SMTP_HOST", "smtp.example.com", []string{"--smtp-from", "orgboard@example.com", "--smtp-user", "u"}, ""},
		{"ORGBOARD_SMTP_PORT", "0", []string{"--smtp-host", "smtp.example.com", "--smtp-from", "orgboard@example.com"}, "--smtp-port 0"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			f, err := parseConsoleFlags(tt.args, io.Discard)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
			if tt.env == "ORGBOARD_SECURE_COOKIES" && tt.want == "" && !f.secureCookies {
				t.Error("ORGBOARD_SECURE_COOKIES=1 left cookies without Secure")
			}
		})
	}
	t.Setenv("ORGBOARD_SESSION_IDLE", "30")
	if err := run(context.Background(), []string{"--data-dir", t.TempDir()}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "ORGBOARD_SESSION_IDLE") {
		t.Errorf("the console started with a bad value: %v", err)
	}
}

// `orgboard backup` copies a running console's files; `orgboard restore`
// puts them back into a data directory, where they open with integrity ok.
func TestBackupAndRestoreCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the console with its local API; skipped under -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	base, done := start(t, ctx, dir)
	signedIn(t, base) // a session: something of the console's own to keep
	target := filepath.Join(t.TempDir(), "copy")
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"backup", "--data-dir", dir, target}, &out, &errs); err != nil {
		t.Fatalf("backup: %v %s", err, errs.String())
	}
	if !strings.Contains(out.String(), "orgboard.db, audit.db, usage.db, localapi.db") || !strings.Contains(out.String(), "integrity ok") {
		t.Errorf("backup said %q", out.String())
	}
	cancel()
	<-done
	restored := t.TempDir()
	out.Reset()
	if err := run(context.Background(), []string{"restore", "--data-dir", restored, target}, &out, &errs); err != nil {
		t.Fatalf("restore: %v %s", err, errs.String())
	}
	for _, name := range []string{"orgboard.db", "audit.db", "usage.db", "localapi.db"} {
		if err := backup.Check(context.Background(), filepath.Join(restored, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := run(context.Background(), []string{"backup", "--data-dir", dir}, &out, &errs); err == nil {
		t.Error("a backup without a target folder went ahead")
	}
}
