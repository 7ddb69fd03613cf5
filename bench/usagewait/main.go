// Command usagewait measures how long a usage view takes while its fetch
// waits for the token's upstream budget: a console with a small budget
// (-budget calls per five minutes, as --upstream-budget) starts the fetch of
// a 90-day range of the root, then -views views of the page are timed. On
// loopback only, against the embedded local API.
//
//	go run ./bench/usagewait -budget 40 -views 10
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"orgboard/bench/benchutil"
	"orgboard/internal/api"
	"orgboard/internal/localapi"
)

func main() {
	budget := flag.Int("budget", 40, "the console's upstream calls per token per five minutes (--upstream-budget)")
	views := flag.Int("views", 10, "views of the page timed after the fetch started")
	flag.Parse()
	ctx := context.Background()
	demo, err := benchutil.StartDemo(ctx, "orgboard-usagewait", *budget)
	check(err)
	defer demo.Close()
	browser, err := benchutil.SignIn(demo.URL, localapi.DemoAdminToken)
	check(err)
	admin, err := api.New(demo.APIURL)
	check(err)
	roots, err := admin.WithToken(localapi.DemoAdminToken).ListOrganizations(ctx, api.ListOrganizationsParams{ParentID: api.ParentNull})
	check(err)
	page := demo.URL + "/orgs/" + roots.Items[0].ID + "/usage?preset=last_90_days&scope=org"
	body := get(browser, page)
	if strings.Contains(body, `data-testid="usage-confirm"`) { // the fetch is asked for first
		csrf := between(body, `name="_csrf" value="`, `"`)
		resp, err := browser.PostForm(strings.Replace(page, "/usage?", "/usage/fetch?", 1), url.Values{"_csrf": {csrf}})
		check(err)
		resp.Body.Close()
	}
	var took []time.Duration
	progress := 0
	for range *views {
		start := time.Now()
		b := get(browser, page)
		took = append(took, time.Since(start))
		if strings.Contains(b, `data-testid="usage-progress"`) {
			progress++
		}
	}
	slices.Sort(took)
	fmt.Printf("budget %d calls per five minutes, %d views while the fetch runs: p50 %v, max %v; %d of them showed the progress\n",
		*budget, *views, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), progress)
}

func get(c *http.Client, u string) string {
	resp, err := c.Get(u)
	check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	check(err)
	return string(b)
}

func between(s, after, end string) string {
	_, rest, ok := strings.Cut(s, after)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
