// Command pagecost measures what a cached organization page costs against
// a static file of the same server: the console (in front of the embedded
// local API, on loopback) serves both to -conns keep-alive connections of
// a Go client for -duration, in -rounds alternating rounds; the best round
// of each, and their ratio, are printed. The page is Payments Gateway's,
// viewed once first so that its reads are in the user's cache; the file
// is the console's stylesheet.
//
//	go run ./bench/pagecost -rounds 3 -duration 5s -conns 16
//	go run ./bench/pagecost -hold 2m   # then wrk -t2 -c20 -d10s -H "Cookie: $COOKIE" $PAGE (and $FILE)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"orgboard/bench/benchutil"
	"orgboard/internal/api"
	"orgboard/internal/localapi"
)

func main() {
	rounds := flag.Int("rounds", 3, "alternating rounds of each")
	duration := flag.Duration("duration", 5*time.Second, "how long a round lasts")
	conns := flag.Int("conns", 16, "keep-alive connections, each with a request in flight")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the page's rounds to this file")
	gzip := flag.Bool("gzip", false, "ask for gzip, as browsers do (wrk, the issue's tool, does not)")
	hold := flag.Duration("hold", 0, "instead of measuring, print the page, the file and the session's cookie and serve them this long (for wrk)")
	flag.Parse()
	ctx := context.Background()
	demo, err := benchutil.StartDemo(ctx, "orgboard-pagecost", -1)
	check(err)
	defer demo.Close()
	browser, err := benchutil.SignIn(demo.URL, localapi.DemoAdminToken)
	check(err)
	admin, err := api.New(demo.APIURL)
	check(err)
	found, err := admin.WithToken(localapi.DemoAdminToken).ListOrganizations(ctx, api.ListOrganizationsParams{NameContains: "Payments Gateway"})
	check(err)
	page := demo.URL + "/orgs/" + found.Items[0].ID
	body := get(browser, page) // its reads go into the cache
	css := regexp.MustCompile(`href="(/static/app\.[^"]+\.css)"`).FindStringSubmatch(body)
	if css == nil {
		log.Fatal("no stylesheet on the page")
	}
	file := demo.URL + css[1]
	// every connection of the same user: the session's cookie, kept-alive
	client := &http.Client{Jar: browser.Jar, Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: !*gzip},
		CheckRedirect: browser.CheckRedirect}
	if *hold > 0 {
		u, _ := url.Parse(demo.URL)
		var cookies []string
		for _, c := range browser.Jar.Cookies(u) {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		fmt.Printf("PAGE=%s FILE=%s COOKIE='%s'\n", page, file, strings.Join(cookies, "; "))
		time.Sleep(*hold)
		return
	}
	fmt.Printf("page %s (%d bytes), file %s, %d connections, rounds of %v, gzip %v\n", page, len(body), css[1], *conns, *duration, *gzip)
	var best [2]float64
	var prof *os.File
	if *profile != "" {
		prof, err = os.Create(*profile)
		check(err)
		defer prof.Close()
	}
	for r := range *rounds {
		for i, u := range []string{file, page} {
			if prof != nil && i == 1 {
				check(pprof.StartCPUProfile(prof))
			}
			rate := run(client, u, *conns, *duration)
			if prof != nil && i == 1 {
				pprof.StopCPUProfile()
				prof = nil // the first page round
			}
			best[i] = max(best[i], rate)
			fmt.Printf("round %d %-5s %8.0f req/s\n", r+1, []string{"file", "page"}[i], rate)
		}
	}
	fmt.Printf("best: file %.0f req/s, page %.0f req/s: the page costs %.2f× the file\n", best[0], best[1], best[0]/best[1])
}

// run is the requests per second conns connections get from u in d.
func run(c *http.Client, u string, conns int, d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				resp, err := c.Get(u)
				check(err)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					log.Fatalf("%s answered %d", u, resp.StatusCode)
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

func get(c *http.Client, u string) string {
	resp, err := c.Get(u)
	check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	check(err)
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("%s answered %d", u, resp.StatusCode)
	}
	return string(b)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
