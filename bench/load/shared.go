// shared.go runs the load against several console instances, as processes
// of their own on one PostgreSQL, behind a loopback round-robin proxy that
// (as nginx's proxy_next_upstream does) sends a GET that finds an instance
// gone to the next one; and kills one instance mid-run.

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// instance is a console process.
type instance struct {
	url *url.URL
	cmd *exec.Cmd
}

// startInstances builds the console and starts n instances on database
// against the API at apiURL, all with one ORGBOARD_SECRET.
func startInstances(n int, database, apiURL, dir string) ([]*instance, error) {
	bin := filepath.Join(dir, "orgboard")
	if out, err := exec.Command("go", "build", "-o", bin, "orgboard").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the console: %v\n%s", err, out)
	}
	var out []*instance
	for i := range n {
		cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, fmt.Sprint("instance", i)), "--log-level", "error",
			"--api-url", apiURL, "--database-url", database, "--session-idle", "1h", "--session-max", "1h", "--login-rate", "100000")
		cmd.Env = append(os.Environ(), "ORGBOARD_SECRET=the load benchmark's shared secret")
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Orgboard console: "); ok {
				u, err := url.Parse(strings.Fields(rest)[0])
				if err != nil {
					return nil, err
				}
				out = append(out, &instance{url: u, cmd: cmd})
				go io.Copy(io.Discard, stdout)
				break
			}
		}
		if len(out) != i+1 {
			return nil, fmt.Errorf("instance %d did not start", i)
		}
	}
	return out, nil
}

// stop ends every instance still running.
func stopInstances(ins []*instance) {
	for _, in := range ins {
		in.cmd.Process.Signal(os.Interrupt)
	}
	for _, in := range ins {
		in.cmd.Wait()
	}
}

// balancer sends requests to the instances in turn; a GET whose instance
// does not answer goes to the next, and that instance is left out for a
// few seconds.
type balancer struct {
	backends  []*instance
	down      []atomic.Int64 // until when (Unix nanoseconds) an instance is left out
	next      atomic.Uint64
	transport *http.Transport
	retried   atomic.Int64
}

func newBalancer(ins []*instance) (*httptest.Server, *balancer) {
	b := &balancer{backends: ins, down: make([]atomic.Int64, len(ins)),
		transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}}
	return httptest.NewServer(b), b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for range 2 * len(b.backends) {
		i := int(b.next.Add(1) % uint64(len(b.backends)))
		if time.Now().UnixNano() < b.down[i].Load() {
			continue
		}
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.RequestURI = "http", b.backends[i].url.Host, ""
		out.Header.Set("X-Forwarded-For", r.RemoteAddr)
		resp, err := b.transport.RoundTrip(out)
		if err != nil {
			b.down[i].Store(time.Now().Add(5 * time.Second).UnixNano())
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				b.retried.Add(1)
				continue // nothing was changed: the next instance answers
			}
			http.Error(w, "the instance went away", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no instance answers", http.StatusBadGateway)
}
