#!/usr/bin/env bash
# Starts (or stops) the PostgreSQL the benchmarks measure: Debian's
# PostgreSQL from its own folder, as an unprivileged user when run as root,
# on 127.0.0.1:54329, tuned as a small production server would be (the
# tests' throwaway clusters run with fsync off; this one does not).
#
#   bench/postgres.sh start    # prints the database URL
#   bench/postgres.sh stop
set -euo pipefail
dir=${ORGBOARD_BENCH_PG:-/tmp/orgboard-bench-pg}
port=54329
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
case "${1:-}" in
start)
	if [ ! -d "$dir/data" ]; then
		mkdir -p "$dir" && { [ ${#as[@]} -eq 0 ] || chown postgres "$dir"; }
		"${as[@]}" "$bin/initdb" -D "$dir/data" -U orgboard -A trust -E UTF8 --no-locale >/dev/null
	fi
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir \
		-c shared_buffers=2GB -c effective_cache_size=12GB -c work_mem=64MB -c maintenance_work_mem=512MB \
		-c max_wal_size=8GB -c synchronous_commit=off -c max_connections=200" start >/dev/null
	"$bin/psql" -h 127.0.0.1 -p $port -U orgboard -d postgres -qtc "SELECT 1 FROM pg_database WHERE datname = 'orgboard'" | grep -q 1 ||
		"$bin/psql" -h 127.0.0.1 -p $port -U orgboard -d postgres -qc "CREATE DATABASE orgboard"
	echo "postgres://orgboard@127.0.0.1:$port/orgboard?sslmode=disable"
	;;
stop)
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
