#!/usr/bin/env bash
# Loopback load on the demo: a service page, a JSON search with distance, a results page.
# usage: scripts/wrk-demo.sh [path/to/kapstok] [port]   (needs Debian's wrk; builds nothing)
set -euo pipefail
BIN="${1:-target/release/kapstok}"
PORT="${2:-18180}"
DATA="$(mktemp -d)"
"$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
ID="$(curl -fs "http://127.0.0.1:$PORT/api/services?search=dagbesteding&per_page=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["contents"][0]["id"])')"
for url in "/aanbod/$ID" "/api/services?search=dagbesteding+dementie&postcode=7891" "/zoeken?q=dagbesteding"; do
  printf '%-60s ' "$url"
  wrk -t2 -c32 -d8s "http://127.0.0.1:$PORT$url" | awk '/Requests\/sec/ {printf "%s req/s", $2} /Non-2xx/ {printf " (%s non-2xx)", $5} END {print ""}'
done
