package localapi

import (
	"context"
	"io"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"orgboard/internal/clock/clocktest"
)

// benchGet measures requests/s of one GET over loopback HTTP, many clients at once.
func benchGet(b *testing.B, e *env, path string) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	url := e.http.URL + BasePath + path
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+DemoAdminToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func BenchmarkGetOrganization(b *testing.B) {
	e := newEnv(&testing.T{})
	defer e.close()
	benchGet(b, e, "/organizations/"+e.org("Payments Platform").ID)
}

func BenchmarkAuditPage1000(b *testing.B) {
	e := newEnv(&testing.T{})
	defer e.close()
	root := e.org("Northwind Holdings")
	since := clocktest.Now().AddDate(0, 0, -90).UTC().Format(time.DateOnly)
	before := clocktest.Now().AddDate(0, 0, 1).UTC().Format(time.DateOnly)
	benchGet(b, e, "/organizations/"+root.ID+"/logs/audit?limit=1000&since="+since+"&before="+before)
}

// BenchmarkAuditPage1000Latency is one client asking again and again: its
// ns/op is the latency of serving one page.
func BenchmarkAuditPage1000Latency(b *testing.B) {
	e := newEnv(&testing.T{})
	defer e.close()
	root := e.org("Northwind Holdings")
	url := e.http.URL + BasePath + "/organizations/" + root.ID + "/logs/audit?limit=1000&since=" +
		clocktest.Now().AddDate(0, 0, -90).UTC().Format(time.DateOnly) + "&before=" + clocktest.Now().AddDate(0, 0, 1).UTC().Format(time.DateOnly)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+DemoAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func benchSeed(b *testing.B, scale Scale) {
	var seeding time.Duration
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		st, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := st.Seed(context.Background(), scale, clocktest.Now()); err != nil {
			b.Fatal(err)
		}
		seeding += time.Since(start)
		st.Close()
	}
	b.ReportMetric(seeding.Seconds()/float64(b.N), "s/seed") // the mean, without opening and closing
}

func BenchmarkSeedDefault(b *testing.B) { benchSeed(b, ScaleDefault) }

// BenchmarkSeedLarge takes minutes and gigabytes: ORGBOARD_BENCH_LARGE=1 runs it.
func BenchmarkSeedLarge(b *testing.B) {
	if os.Getenv("ORGBOARD_BENCH_LARGE") == "" {
		b.Skip("set ORGBOARD_BENCH_LARGE=1 to seed the large data set")
	}
	benchSeed(b, ScaleLarge)
}
