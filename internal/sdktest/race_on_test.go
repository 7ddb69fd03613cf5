//go:build race

package sdktest

// raceEnabled: the SDK's tests are built as this package is, so that they
// reuse the SDK packages the race-checked build of the suite compiled.
const raceEnabled = true
