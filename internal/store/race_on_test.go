//go:build race

package store_test

// underRace: the race detector slows SQLite (pure Go) about thirty times.
const underRace = true
