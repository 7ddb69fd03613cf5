// Command orgboard serves a web console for Cloudflare Organizations. With no
// API URL configured it runs against an embedded local implementation of the
// API, seeded with a demo organization.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"orgboard/internal/localapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "orgboard:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "localapi" {
		return runLocalAPI(ctx, args[1:], stdout, stderr)
	}
	return runConsole(ctx, args, stdout, stderr)
}

// envDefault returns ORGBOARD_<NAME> or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv("ORGBOARD_" + name); ok {
		return v
	}
	return def
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// localAPIFlags are the flags shared by the local API command and the
// console's local mode.
type localAPIFlags struct {
	dataDir   string
	seedScale string
	faults    faultFlags
}

type faultFlags struct {
	latency                  time.Duration
	rate429, rate500, malfmd float64
}

func (f *localAPIFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", envDefault("DATA_DIR", "data"), "directory for databases and the session key (ORGBOARD_DATA_DIR)")
	fs.StringVar(&f.seedScale, "seed-scale", envDefault("SEED_SCALE", "default"), "local API seed size on first start: default or large (ORGBOARD_SEED_SCALE)")
	fs.DurationVar(&f.faults.latency, "fault-latency", envDuration("FAULT_LATENCY"), "local API: added latency per request (ORGBOARD_FAULT_LATENCY)")
	fs.Float64Var(&f.faults.rate429, "fault-429", envFloat("FAULT_429"), "local API: share of requests answered 429 (ORGBOARD_FAULT_429)")
	fs.Float64Var(&f.faults.rate500, "fault-500", envFloat("FAULT_500"), "local API: share of requests answered 500 (ORGBOARD_FAULT_500)")
	fs.Float64Var(&f.faults.malfmd, "fault-malformed", envFloat("FAULT_MALFORMED"), "local API: share of requests answered with a malformed body (ORGBOARD_FAULT_MALFORMED)")
}

func envDuration(name string) time.Duration {
	d, _ := time.ParseDuration(envDefault(name, "0s"))
	return d
}

func envFloat(name string) float64 {
	var f float64
	fmt.Sscan(envDefault(name, "0"), &f)
	return f
}

// openLocalAPI opens, seeds and wraps the local API's store.
func openLocalAPI(ctx context.Context, f localAPIFlags, log *slog.Logger) (*localapi.Server, *localapi.Store, error) {
	store, err := localapi.Open(f.dataDir)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	seeded, err := store.Seed(ctx, localapi.Scale(f.seedScale), time.Now())
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	if seeded {
		log.Info("local API seeded", "scale", f.seedScale, "duration", time.Since(start).Round(time.Millisecond))
	}
	faults := &localapi.Faults{}
	faults.Set(localapi.FaultSettings{Latency: f.faults.latency, Rate429: f.faults.rate429, Rate500: f.faults.rate500, Malformed: f.faults.malfmd})
	return localapi.NewServer(store, faults, log), store, nil
}

func runLocalAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("orgboard localapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", envDefault("LOCALAPI_LISTEN", "127.0.0.1:8788"), "address to serve the local API on (ORGBOARD_LOCALAPI_LISTEN)")
	var lf localAPIFlags
	lf.register(fs)
	logFormat := fs.String("log-format", envDefault("LOG_FORMAT", "text"), "log format: text or json (ORGBOARD_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, *logFormat, "info")
	srv, store, err := openLocalAPI(ctx, lf, log)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	printLocalAPI(stdout, "http://"+ln.Addr().String()+localapi.BasePath)
	return localapi.Serve(ctx, ln, srv)
}

func printLocalAPI(w io.Writer, base string) {
	fmt.Fprintf(w, "Local Cloudflare Organizations API: %s\nDemo tokens:\n", base)
	for _, t := range localapi.DemoTokens() {
		fmt.Fprintf(w, "  %-24s %s\n", t.Token, t.Description)
	}
}

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("orgboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", envDefault("LISTEN", "localhost:8080"), "address to serve the console on (ORGBOARD_LISTEN)")
	apiURL := fs.String("api-url", envDefault("API_URL", ""), "Cloudflare API base URL; empty runs the embedded local API (ORGBOARD_API_URL)")
	var lf localAPIFlags
	lf.register(fs)
	logFormat := fs.String("log-format", envDefault("LOG_FORMAT", "text"), "log format: text or json (ORGBOARD_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, *logFormat, "info")
	if *apiURL == "" {
		srv, store, err := openLocalAPI(ctx, lf, log)
		if err != nil {
			return err
		}
		defer store.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		*apiURL = "http://" + ln.Addr().String() + localapi.BasePath
		printLocalAPI(stdout, *apiURL)
		go localapi.Serve(ctx, ln, srv)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Orgboard console: http://%s (API %s)\n", ln.Addr(), *apiURL)
	return localapi.Serve(ctx, ln, mux)
}
