package delegation

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"orgboard/internal/access"
)

// The file is reloaded when it changes; a version that does not parse is
// not used, and the grants before it stay in force.
func TestTheFileIsReloadedWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "delegation.json")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"grants": [{"group": "team", "org": "` + payments + `", "may": ["view"]}]}`)
	f, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Watch(ctx, 10*time.Millisecond)
	member := Person{Groups: []string{"team"}}
	rights := func() access.Right { r, _ := f.Policy().For(member, []string{payments}); return r }
	if !rights().Has(access.View) || rights().Has(access.EditProfile) {
		t.Fatalf("at start: %b", rights())
	}
	write(`{"grants": [{"group": "team", "org": "` + payments + `", "may": ["profile"]}]}`)
	waitFor(t, func() bool { return rights().Has(access.EditProfile) })
	write(`{"grants": [{"group": "team", "org": "` + payments + `", "may": ["fly"]}]}`)
	time.Sleep(100 * time.Millisecond)
	if !rights().Has(access.EditProfile) {
		t.Error("a file that does not parse replaced the grants in force")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("the file was not reloaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
