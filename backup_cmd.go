package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"orgboard/internal/backup"
)

// runBackup is `orgboard backup [--data-dir DIR] TARGET_DIR` and
// `orgboard restore [--data-dir DIR] BACKUP_DIR`: a consistent copy of the
// console's SQLite files taken while it runs, and that copy put back
// (with the console stopped).
func runBackup(ctx context.Context, restore bool, args []string, stdout, stderr io.Writer) error {
	name := map[bool]string{false: "backup", true: "restore"}[restore]
	fs := flag.NewFlagSet("orgboard "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "data", "the console's data directory (ORGBOARD_DATA_DIR)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: orgboard %s [--data-dir DIR] %s\n", name, map[bool]string{false: "TARGET_DIR", true: "BACKUP_DIR"}[restore])
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return flag.ErrHelp
	}
	if os.Getenv("ORGBOARD_DATABASE_URL") != "" {
		return errors.New("ORGBOARD_DATABASE_URL is set: the console keeps its state in PostgreSQL, which pg_dump and pg_restore back up (README, \"Backups\")")
	}
	dir := fs.Arg(0)
	if !restore {
		files, err := backup.Take(ctx, *dataDir, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Backed up %s from %s into %s (each checked: integrity ok).\n", strings.Join(files, ", "), *dataDir, dir)
		return nil
	}
	files, err := backup.Restore(ctx, dir, *dataDir, now.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s from %s into %s; the files they replaced are kept beside them (*.before-restore-*).\n", strings.Join(files, ", "), dir, *dataDir)
	return nil
}
