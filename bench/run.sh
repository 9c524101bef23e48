#!/usr/bin/env bash
# `make bench`: measure GardenHub against a plain reference app on PostgreSQL.
# Sets up what it needs (wrk, a running PostgreSQL and Redis, a throw-away
# database that is dropped at exit), migrates the schema, then bench/harness.py
# seeds, serves, measures and writes bench/RESULTS.md. BENCH_QUICK=1 runs only
# the 1x data set with short measurements (the two-instance part stays, short);
# BENCH_SCALES=1,10 picks the scales; BENCH_KEEP_DB=1 keeps the database.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect 15 main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# The two-instance part keeps both instances' rate limits in one Redis database.
if ! redis-cli ping >/dev/null 2>&1; then
  echo "== starting Redis"
  redis-server --daemonize yes >/dev/null
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

database="gardenhub_bench_$$"
workdir="$(mktemp -d)"
cleanup() {
  if [ "${BENCH_KEEP_DB:-0}" = 1 ]; then
    echo "kept database $database (drop it with: dropdb -h 127.0.0.1 -U postgres $database)"
  else
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
  fi
  echo "server logs and seed files: $workdir"
}
psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE $database"
trap cleanup EXIT

export GARDENHUB_SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:5432/$database"
export BENCH_PG_URL="postgresql://postgres@127.0.0.1:5432/$database"
export GARDENHUB_SECRET_KEY=bench
export GARDENHUB_BASE_URL=http://127.0.0.1:5000  # each server gets its own port
# The default window (60 days back, 365 ahead) would hold ~1,750 workdays at 1x,
# past the 1,000-event cap; 30 + 90 days holds ~500, the size issue 10 asks for.
export GARDENHUB_FEED_DAYS_BACK="${GARDENHUB_FEED_DAYS_BACK:-30}"
export GARDENHUB_FEED_DAYS_AHEAD="${GARDENHUB_FEED_DAYS_AHEAD:-90}"

echo "== schema: flask db upgrade ($database)"
.venv/bin/flask --app gardenhub db upgrade >"$workdir/migrate.log" 2>&1 || {
  cat "$workdir/migrate.log"
  exit 1
}

quick=()
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  quick=(--quick)
fi
if [ -n "${BENCH_SCALES:-}" ]; then  # e.g. BENCH_SCALES=1,10 with BENCH_QUICK=1
  quick+=(--scales "$BENCH_SCALES")
fi
.venv/bin/python bench/harness.py --log-dir "$workdir" "${quick[@]}"
