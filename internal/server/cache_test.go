package server

import (
	"orgboard/internal/clock/clocktest"
	"testing"
	"time"
)

func TestSweepDropsExpiredEntriesAndUsers(t *testing.T) {
	c := NewCache(time.Minute)
	now := clocktest.Now()
	c.now = func() time.Time { return now }
	c.put("u1", "a", 1, time.Minute)
	c.put("u2", "b", 2, time.Hour)
	now = now.Add(2 * time.Minute)
	c.Sweep()
	if _, ok := c.users["u1"]; ok {
		t.Error("a user with only expired entries was kept")
	}
	if v, ok := c.get("u2", "b"); !ok || v.(int) != 2 {
		t.Error("a live entry was dropped")
	}
}
