// summary_test.go holds the chart's buckets to a window drawn by hand.

package audit

import (
	"testing"
	"time"
)

func TestBucketsAreEveryDayWithPartialEndsMarked(t *testing.T) {
	day := 24 * time.Hour
	since := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) // since:7d at 09:00
	before := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(d, h int) int64 {
		return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC).UnixMicro() / day.Microseconds() * day.Microseconds()
	}
	counts := map[int64]int{at(24, 10): 3, at(27, 0): 5, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixMicro(): 2}
	got := dense(counts, since, before, day)
	if len(got) != 8 {
		t.Fatalf("%d buckets, want the 8 days 24 Nov – 1 Dec: %+v", len(got), got)
	}
	for i, b := range got {
		wantStart := time.Date(2026, 11, 24+i, 0, 0, 0, 0, time.UTC)
		if !b.Start.Equal(wantStart) {
			t.Errorf("bucket %d starts %s, want %s", i, b.Start, wantStart)
		}
		if partial := i == 0 || i == 7; b.Partial != partial {
			t.Errorf("bucket %d (%s) partial %v, want %v", i, b.Start.Format(time.DateOnly), b.Partial, partial)
		}
	}
	if got[0].N != 3 || got[3].N != 5 || got[7].N != 2 || got[1].N != 0 {
		t.Errorf("counts %+v", got)
	}

	// a window on whole days has no partial bucket; the year's end is crossed
	since, before = time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	got = dense(nil, since, before, day)
	if len(got) != 3 || got[0].Partial || got[2].Partial || !got[2].Start.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("whole days: %+v", got)
	}
}
