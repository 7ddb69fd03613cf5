// Package backup copies the console's SQLite files while it runs and puts
// such a copy back: each database through SQLite's VACUUM INTO (one
// consistent snapshot, its write-ahead log included; copying a file that
// is being written is no backup), checked after it is written, and the
// key that seals sessions and rule tokens beside them.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"orgboard/internal/sqlitedb" // its Check, and the database/sql driver "sqlite"
)

// Databases are the data directory's SQLite files, in the order they are
// copied; a file that is absent is skipped.
var Databases = []string{"orgboard.db", "audit.db", "usage.db", "localapi.db"}

// Key is the file of the console's generated key (absent when
// ORGBOARD_SECRET gives it).
const Key = "session.key"

// Take writes a consistent copy of every database of dataDir, and its key,
// into target (created; it must not hold a copy already). It returns the
// files written.
func Take(ctx context.Context, dataDir, target string) ([]string, error) {
	if err := os.MkdirAll(target, 0o700); err != nil {
		return nil, err
	}
	var wrote []string
	for _, name := range Databases {
		src, dst := filepath.Join(dataDir, name), filepath.Join(target, name)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if _, err := os.Stat(dst); err == nil {
			return wrote, fmt.Errorf("%s already exists: back up into an empty folder", dst)
		}
		if err := vacuumInto(ctx, src, dst); err != nil {
			return wrote, fmt.Errorf("copy %s: %w", name, err)
		}
		if err := Check(ctx, dst); err != nil {
			return wrote, fmt.Errorf("the copy of %s: %w", name, err)
		}
		wrote = append(wrote, name)
	}
	if len(wrote) == 0 {
		return nil, fmt.Errorf("%s holds no Orgboard database (%s)", dataDir, strings.Join(Databases, ", "))
	}
	if err := copyFile(filepath.Join(dataDir, Key), filepath.Join(target, Key)); err == nil {
		wrote = append(wrote, Key)
	} else if !errors.Is(err, os.ErrNotExist) {
		return wrote, err
	}
	return wrote, nil
}

// Restore puts the copy in source back into dataDir, which no console may
// be using: the files it replaces are moved aside first (name.before-restore-TIME).
func Restore(ctx context.Context, source, dataDir string, now time.Time) ([]string, error) {
	var names []string
	for _, name := range append(append([]string{}, Databases...), Key) {
		if _, err := os.Stat(filepath.Join(source, name)); err == nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no backup of Orgboard (%s)", source, strings.Join(Databases, ", "))
	}
	for _, name := range names {
		if name != Key {
			if err := Check(ctx, filepath.Join(source, name)); err != nil {
				return nil, fmt.Errorf("the backup's %s: %w", name, err)
			}
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	stamp := ".before-restore-" + now.UTC().Format("20060102T150405Z")
	for _, name := range names {
		dst := filepath.Join(dataDir, name)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dst+suffix, dst+stamp+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		if err := copyFile(filepath.Join(source, name), dst); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// Check runs SQLite's whole integrity check on file.
func Check(ctx context.Context, file string) error { return sqlitedb.Check(ctx, file, false) }

func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: src}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, dst)
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
