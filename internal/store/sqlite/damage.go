// damage.go finds a damaged database file at start: the audit index and
// the usage store are copies of what Cloudflare holds, so a damaged one is
// moved aside and built again (by the sync, by the usage pages' fetches);
// the console's own state (sessions, rules, budgets, rate cards, saved
// searches) is not rebuilt: the start stops with the file named and the
// way to restore it.

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"orgboard/internal/sqlitedb"
)

// Damaged reports an error of a damaged database file: SQLITE_CORRUPT (11)
// or SQLITE_NOTADB (26), as modernc.org/sqlite reports them.
func Damaged(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 11, 26:
			return true
		}
	}
	return err != nil && (strings.Contains(err.Error(), "database disk image is malformed") || strings.Contains(err.Error(), "file is not a database"))
}

// quickCheck runs SQLite's quick check on file (nil when it is absent).
func quickCheck(ctx context.Context, file string) error {
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return sqlitedb.Check(ctx, file, true)
}

// moveAside renames a damaged file (with its WAL and shared memory) out of
// the way, and returns the new name.
func moveAside(file string, now time.Time) (string, error) {
	aside := file + ".damaged-" + now.UTC().Format("20060102T150405Z")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(file+suffix, aside+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return aside, nil
}

// damagedState is the error that stops the start on a damaged file of the
// console's own state.
func damagedState(file string, cause error) error {
	return fmt.Errorf("%s is damaged (%v). It holds the console's own state (sessions, alert rules, budgets, rate cards, saved searches), "+
		"which is not a copy of Cloudflare's and is not rebuilt. Stop the console and restore the file from a backup: "+
		"`orgboard restore --data-dir %s BACKUP_DIR` (README, \"Backups\")", filepath.Base(file), cause, filepath.Dir(file))
}
