#!/usr/bin/env bash
# Stops and removes the throwaway PostgreSQL clusters the tests start
# (internal/store/pgtest), should a test binary have died before it could.
set -uo pipefail
shopt -s nullglob
for dir in "${TMPDIR:-/tmp}"/orgboard-pg-*; do
	if [ -f "$dir/data/postmaster.pid" ]; then
		pid=$(head -1 "$dir/data/postmaster.pid")
		kill -QUIT "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
done
