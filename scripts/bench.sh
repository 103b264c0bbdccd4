#!/usr/bin/env bash
# Kapstok's benchmarks (not run in CI): in-process search at 1k/10k/100k services, the same data
# and queries in PostgreSQL full-text search (`dutch`), and HTTP load with wrk at 100k services.
# Installs postgresql and wrk from Debian when missing. Prints a markdown report; results are
# copied into docs/benchmarks.md. Usage: scripts/bench.sh [--quick|--inbox]   (--quick: 5 s per
# wrk run; --inbox: only the team inbox benchmark, 100,000 referrals over 1,000 teams, both backends;
# --publish: only the publish benchmark, a redacteur's change until search finds it, both backends;
# --dashboard: only the dashboard benchmark, 1,000,000 referrals and log rows, both backends)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kapstok-target}"
OUT="$PWD/target/bench"
PC4="$PWD/../shared/geo/nl-pc4.csv"
DURATION=30s
[ "${1:-}" = "--quick" ] && DURATION=5s
INBOX_ONLY=; [ "${1:-}" = "--inbox" ] && INBOX_ONLY=1
PUBLISH_ONLY=; [ "${1:-}" = "--publish" ] && PUBLISH_ONLY=1
DASHBOARD_ONLY=; [ "${1:-}" = "--dashboard" ] && DASHBOARD_ONLY=1
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need bc bc
need curl curl
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

cargo build --release -p kapstok -p kapstok-bench
BENCH="$CARGO_TARGET_DIR/release/kapstok-bench"
KAPSTOK="$CARGO_TARGET_DIR/release/kapstok"

echo "# Kapstok benchmark run, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
if [ -z "$INBOX_ONLY$PUBLISH_ONLY$DASHBOARD_ONLY" ]; then
  echo "## In-process search (kapstok-bench search)"
  echo
  "$BENCH" --pc4 "$PC4" search --sizes 1000,10000,100000 | tee "$OUT/search.md"
fi

echo "## PostgreSQL full-text search, same data and query mix"
echo
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=/tmp/kapstok-bench-pg
pkill -u postgres -f "$PGDIR" 2>/dev/null || true
rm -rf "$PGDIR"
mkdir -p "$PGDIR"
chown postgres "$PGDIR"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U bench --auth=trust >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p 55432 -k $PGDIR -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c work_mem=64MB -c jit=off" start >/dev/null
trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true' EXIT
PSQL=(psql -h 127.0.0.1 -p 55432 -U bench -d postgres -X -q -v ON_ERROR_STOP=1)
echo "PostgreSQL: $("${PSQL[@]}" -tAc 'select version()' | cut -d, -f1)"
echo

# Runs kapstok-bench with the arguments after the first on $backend: on PostgreSQL in a fresh
# database named by the first.
bench_on() {
  local db=$1
  shift
  if [ "$backend" = postgres ]; then
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    "$BENCH" "$@" --database "postgres://bench@127.0.0.1:55432/$db" 2>/dev/null
  else
    "$BENCH" "$@" 2>/dev/null
  fi
}

if [ -n "$DASHBOARD_ONLY" ]; then
  echo "## The municipality's dashboard, 1,000,000 referrals and log rows (kapstok-bench dashboard)"
  echo
  for backend in sqlite postgres; do
    echo "### $backend"
    echo
    bench_on kapstok_dashboard dashboard --runs 100
    echo
  done | tee "$OUT/dashboard.md"
  exit 0
fi

echo "## A published change until search finds it (kapstok-bench publish)"
echo
for backend in sqlite postgres; do
  for n in 1000 10000; do
    echo "### $backend, $n services"
    echo
    bench_on kapstok_publish --pc4 "$PC4" publish --services "$n"
    echo
  done
done | tee "$OUT/publish.md"
[ -n "$PUBLISH_ONLY" ] && exit 0

echo "## Team inbox, 100,000 referrals over 1,000 teams (kapstok-bench inbox)"
echo
for backend in sqlite postgres; do
  echo "### $backend"
  echo
  bench_on kapstok_inbox inbox
  echo
done | tee "$OUT/inbox.md"
[ -n "$INBOX_ONLY" ] && exit 0

echo "Server: PostgreSQL's own execution time (EXPLAIN ANALYZE). Client: psql's \\timing of the same"
echo "queries on one connection (query, protocol and 20 rows, as a client sees it)."
echo
echo "| query type | size | server p50 µs | server p99 µs | client p50 µs | client p99 µs |"
echo "|---|---:|---:|---:|---:|---:|"
for n in 1000 10000 100000; do
  dir="$PGDIR/n$n"
  mkdir -p "$dir"
  repeat=300; [ "$n" -ge 100000 ] && repeat=100
  "$BENCH" --pc4 "$PC4" pg-sql --services "$n" --out-dir "$dir" --repeat "$repeat" > "$dir/types.tsv"
  chmod -R a+rX "$PGDIR"
  "${PSQL[@]}" -f "$dir/load.sql" >/dev/null
  while IFS=$'\t' read -r i name; do
    "${PSQL[@]}" -f "$dir/query-$i.sql" > /dev/null # warm-up
    read -r p50 p99 < <("${PSQL[@]}" -f "$dir/query-$i.sql" | "$BENCH" pg-percentiles)
    read -r c50 c99 < <("${PSQL[@]}" -f "$dir/client-$i.sql" | "$BENCH" pg-percentiles --client)
    echo "| $name | $n | $p50 | $p99 | $c50 | $c99 |"
  done < "$dir/types.tsv"
done | tee "$OUT/pg.md"
echo

echo "## HTTP at 100,000 services, both backends (wrk, 64 connections, $DURATION each, load generator on the same machine)"
echo
"$BENCH" --pc4 "$PC4" generate --services 100000 --out "$OUT/nl-100k.json" --areas-out "$OUT/nl-areas.csv" 2>/dev/null
"${PSQL[@]}" -c 'DROP DATABASE IF EXISTS kapstok' -c 'CREATE DATABASE kapstok' >/dev/null
PORT=18199
PID=
trap 'kill $PID 2>/dev/null || true; runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true' EXIT
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$1/status"; }
# Starts a server and waits for its first answer; sets PID and READY (the seconds it took).
serve() {
  local start
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
    echo "port $PORT is taken by another server; stop it first" >&2
    exit 1
  fi
  start=$(date +%s.%N)
  RUST_LOG=warn "$KAPSTOK" "${DB[@]}" serve --listen "127.0.0.1:$PORT" --no-demo > "$OUT/serve.log" 2>&1 &
  PID=$!
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/api/services?search=zorg&per_page=1"; do sleep 0.02; done
  READY=$(printf %.2f "$(echo "$(date +%s.%N) - $start" | bc)")
}
for backend in sqlite postgres; do
  DATA="$OUT/http-data-$backend"
  rm -rf "$DATA"
  DB=(--data-dir "$DATA")
  [ "$backend" = postgres ] && DB+=(--database "postgres://bench@127.0.0.1:55432/kapstok")
  echo "### $backend"
  echo
  "$KAPSTOK" "${DB[@]}" import postcodes "$PC4" >/dev/null
  "$KAPSTOK" "${DB[@]}" import areas "$OUT/nl-areas.csv" >/dev/null
  /usr/bin/time -f "%e s, peak RSS %M kB" -o "$OUT/import-time.txt" \
    "$KAPSTOK" "${DB[@]}" import hsds "$OUT/nl-100k.json" > "$OUT/import.log" 2>&1
  echo "- HSDS import of 100,000 services: $(cat "$OUT/import-time.txt") ($(tail -1 "$OUT/import.log"))"
  serve
  echo "- First start, read model built from the database (no snapshot yet): $READY s to the first answer, RSS $(rss $PID)"
  kill $PID; wait $PID 2>/dev/null || true
  serve
  echo "- Restart with its snapshot: $READY s to the first answer, RSS after start $(rss $PID)"
  DETAIL=$(curl -s "http://127.0.0.1:$PORT/api/services?search=dagbesteding&per_page=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  for entry in "JSON search|/api/services?search=dagbesteding&postcode=3511&per_page=20" \
               "search page|/zoeken?q=dagbesteding&postcode=3511" \
               "detail page|/aanbod/$DETAIL"; do
    name=${entry%%|*}
    path=${entry#*|}
    wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$PORT$path" > "$OUT/wrk.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/wrk.txt" | tr '\n' ' ')
    echo "- $name: $rps req/s, p50 $p50, p99 $p99${errors:+, $errors}"
  done
  echo "- RSS of the server after the runs: $(rss $PID)"
  echo
  echo "Single requests, one at a time (client-side, kept-alive connection, 500 per class):"
  echo
  "$BENCH" --pc4 "$PC4" http --addr "127.0.0.1:$PORT" --runs 500
  echo
  kill $PID; wait $PID 2>/dev/null || true
done
