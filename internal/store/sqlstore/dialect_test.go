package sqlstore

import (
	"strings"
	"testing"
	"time"
)

func TestPlaceholders(t *testing.T) {
	for _, c := range []struct{ in, sqlite, postgres string }{
		{`SELECT 1`, `SELECT 1`, `SELECT 1`},
		{`a = ? AND b IN (?, ?)`, `a = ? AND b IN (?, ?)`, `a = $1 AND b IN ($2, $3)`},
		{`x = '?' AND y = ? AND z = 'it''s ?'`, `x = '?' AND y = ? AND z = 'it''s ?'`, `x = '?' AND y = $1 AND z = 'it''s ?'`},
	} {
		if got := SQLite.Q(c.in); got != c.sqlite {
			t.Errorf("SQLite %q: %q", c.in, got)
		}
		for range 2 { // the second time from the cache
			if got := Postgres.Q(c.in); got != c.postgres {
				t.Errorf("PostgreSQL %q: %q, want %q", c.in, got, c.postgres)
			}
		}
	}
}

// A time goes in as each database keeps it and comes back the same, in
// UTC; the zero time comes back as the zero time from both.
func TestTimesRoundTrip(t *testing.T) {
	at := time.Date(2028, 2, 29, 23, 59, 59, 123456000, time.FixedZone("x", 3600))
	for _, d := range []*Dialect{SQLite, Postgres} {
		for _, in := range []time.Time{at, {}} {
			var out time.Time
			if err := TimeOf(&out).Scan(d.Time(in)); err != nil || !out.Equal(in) || out.Location() != time.UTC {
				t.Errorf("%s: %v came back as %v (%v)", d.Name, in, out, err)
			}
		}
		var us int64
		if err := MicrosOf(&us).Scan(d.Micros(at.UnixMicro())); err != nil || us != at.UnixMicro() {
			t.Errorf("%s: %d µs came back as %d (%v)", d.Name, at.UnixMicro(), us, err)
		}
	}
	var us int64
	if err := MicrosOf(&us).Scan(nil); err != nil || us != 0 {
		t.Errorf("NULL as microseconds: %d %v", us, err)
	}
	if err := TimeOf(new(time.Time)).Scan("2026-01-01"); err == nil {
		t.Error("text scanned as a time")
	}
}

func TestLayoutsInEachDialect(t *testing.T) {
	for d, want := range map[*Dialect]string{SQLite: "fetched INTEGER NOT NULL", Postgres: "fetched timestamptz NOT NULL"} {
		if got := d.Layout(LayoutUsageDays); !strings.Contains(got, want) || strings.Contains(got, "{") {
			t.Errorf("%s: %s", d.Name, got)
		}
	}
}
