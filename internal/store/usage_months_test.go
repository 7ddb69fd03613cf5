package store_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/store/sqlstore"
	"orgboard/internal/store/storetest"
	"orgboard/internal/usage"
)

// An organization's fine sums are a row per month however they were put
// (in windows, a day again, across a month's end, or as rows of single
// days an earlier layout wrote), and any range of days reads back exactly
// what was last put for each of its days.
func TestFineSumsAreARowAMonth(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t)
		u := st.Usage
		db := u.(*sqlstore.Usage).Database()
		want := map[string]map[string][]usage.Sum{} // org → day → sums
		at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		put := func(org, from, to string, qty float64) {
			t.Helper()
			var sums []usage.Sum
			if want[org] == nil {
				want[org] = map[string][]usage.Sum{}
			}
			for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
				var these []usage.Sum
				for i, acct := range []string{"a1", "a2", "a3"} {
					these = append(these, usage.Sum{Day: d, Account: acct, AccountName: "Account " + acct, Metric: "req", MetricName: "Requests",
						Family: "Workers", Zone: "z" + acct, Sub: "payg-" + acct, Currency: "USD", Unit: "Requests", Costs: 15, Records: 1,
						Qty: qty + float64(i), Cost: [4]float64{qty / 10, qty / 10, qty / 5, qty / 10}})
				}
				want[org][d.Format(time.DateOnly)] = these
				sums = append(sums, these...)
			}
			if err := u.Put(bg, org, day(from), day(to), at, sums); err != nil {
				t.Fatal(err)
			}
		}
		check := func(when, from, to string) {
			t.Helper()
			for _, org := range []string{"o1", "o2"} {
				var exp []usage.Sum
				for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
					exp = append(exp, want[org][d.Format(time.DateOnly)]...)
				}
				got := read(t, u, []string{org}, from, to, true)
				sortSums(exp)
				sortSums(got)
				if !reflect.DeepEqual(got, exp) && len(got)+len(exp) > 0 {
					t.Fatalf("%s, %s's %s..%s: read %d sums, want %d\n%+v", when, org, from, to, len(got), len(exp), got)
				}
			}
		}
		rowsOf := func() string {
			var out []string
			rows, err := db.Query(bg, `SELECT org_id, day FROM usage_fine ORDER BY org_id, day`)
			err = sqlstore.Rows(rows, err, func(r *sql.Rows) error {
				var org string
				var d int64
				err := r.Scan(&org, &d)
				out = append(out, fmt.Sprintf("%s %s", org, usage.FromDayNumber(d).Format(time.DateOnly)))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(out)
		}

		put("o1", "2026-11-01", "2026-11-03", 100)
		put("o1", "2026-11-04", "2026-11-06", 200)
		put("o1", "2026-11-02", "2026-11-02", 300) // fetched again
		put("o1", "2026-10-30", "2026-11-01", 400) // across the month's end
		put("o2", "2026-11-05", "2026-11-05", 500)
		if got := rowsOf(); got != "[o1 2026-10-01 o1 2026-11-01 o2 2026-11-01]" {
			t.Errorf("rows %s, want one per organization and month", got)
		}
		for _, r := range [][2]string{{"2026-10-01", "2026-11-30"}, {"2026-11-02", "2026-11-04"}, {"2026-10-31", "2026-11-01"}, {"2026-11-06", "2026-11-06"}, {"2026-11-07", "2026-11-30"}} {
			check("put in windows", r[0], r[1])
		}

		// rows of single days, as an earlier layout wrote them, read alike and are merged by the migration
		if _, err := db.Exec(bg, `DELETE FROM usage_fine WHERE org_id = 'o2'`); err != nil {
			t.Fatal(err)
		}
		want["o2"] = map[string][]usage.Sum{}
		for i, d := range []string{"2026-11-03", "2026-11-04", "2026-12-01"} {
			sums := []usage.Sum{{Day: day(d), Account: "b1", Metric: "gb", Family: "R2", Currency: "EUR", Costs: 1, Records: 2, Qty: float64(i), Cost: [4]float64{float64(i) / 3}}}
			want["o2"][d] = sums
			if _, err := db.Exec(bg, `INSERT INTO usage_fine(org_id, day, sums) VALUES (?, ?, ?)`, "o2", usage.DayNumber(day(d)), usage.EncodeSums(sums)); err != nil {
				t.Fatal(err)
			}
		}
		check("rows of single days", "2026-11-01", "2026-12-31")
		check("rows of single days", "2026-11-04", "2026-11-04")
		tx, err := db.W.BeginTx(bg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.MergeFineDays(db.D)(bg, tx); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := rowsOf(); got != "[o1 2026-10-01 o1 2026-11-01 o2 2026-11-01 o2 2026-12-01]" {
			t.Errorf("rows after the migration %s, want one per organization and month", got)
		}
		check("after the migration", "2026-10-01", "2026-12-31")
		check("after the migration", "2026-11-04", "2026-11-05")
		put("o2", "2026-11-04", "2026-11-04", 600)
		check("a merged month put again", "2026-11-01", "2026-11-30")
	})
}

func sortSums(s []usage.Sum) {
	slices.SortFunc(s, func(a, b usage.Sum) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return strings.Compare(a.Account+a.Metric, b.Account+b.Metric)
	})
}

// The days fetched long enough after them are counted, not listed: a
// plan of a tree's months reads a count an organization.
func TestStoredCountsSettledDays(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		u := b.Open(t).Usage
		late, early := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		if err := u.Put(bg, "o1", day("2026-11-01"), day("2026-11-03"), late, nil); err != nil {
			t.Fatal(err)
		}
		if err := u.Put(bg, "o1", day("2026-11-30"), day("2026-11-30"), early, nil); err != nil {
			t.Fatal(err)
		}
		// 11 days: 1 Nov fetched 7 Dec is late enough; 30 Nov fetched 1 Dec is not
		listed, counted, err := u.Stored(bg, []string{"o1", "o2"}, day("2026-11-01"), day("2026-11-30"), 11)
		if err != nil || len(listed) != 1 || !listed[0].Day.Equal(day("2026-11-30")) || !listed[0].Fetched.Equal(early) || counted["o1"] != 3 || counted["o2"] != 0 {
			t.Errorf("listed %+v, counted %v (%v)", listed, counted, err)
		}
		// 36 days: 1 Nov fetched 7 Dec at 09:00 is (7 Dec 00:00), 2 Nov is not (8 Dec)
		if listed, counted, err = u.Stored(bg, []string{"o1"}, day("2026-11-01"), day("2026-11-30"), 36); err != nil || len(listed) != 3 || counted["o1"] != 1 {
			t.Errorf("36 days: listed %+v, counted %v (%v)", listed, counted, err)
		}
		if listed, counted, err = u.Stored(bg, []string{"o1"}, day("2026-11-01"), day("2026-11-30"), 0); err != nil || len(listed) != 4 || len(counted) != 0 {
			t.Errorf("every day: listed %+v, counted %v (%v)", listed, counted, err)
		}
	})
}
