#!/usr/bin/env bash
# Sync benchmark (not a test). A central copy (the demo) served over HTTP, field laptops
# registered and cloned from it, then: a sync with nothing to do; a laptop that imported the
# 100 000-row household export of ../shared/bench and a week of flow counts, syncing it; five
# laptops, each with a week of counts, syncing at once. Prints wall times and sizes.
# Needs python3 with numpy and openpyxl for the generator (pip install numpy openpyxl).
# Usage: scripts/bench-sync.sh [ROWS]    (default 100000; SIGIDA=path/to/sigida to skip the
# release build; POSTGRES=postgres://user:pass@host/db, a role that may create databases: the
# centre on PostgreSQL, made from the demo's sync file, instead of the demo's SQLite folder)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=../shared/bench
WORK=${BENCH_WORK:-/tmp/sigida-bench-sync}
ROWS=${1:-100000}
rm -rf "$WORK"; mkdir -p "$WORK"
if [ -z "${SIGIDA:-}" ]; then
  cargo build --release -q -p sigida
  SIGIDA=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/sigida
fi
python3 "$BENCH/gen_household_form.py" "$WORK/form.xlsx" >/dev/null
python3 "$BENCH/gen_household.py" "$ROWS" "$WORK/household.csv" >/dev/null
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

if [ -n "${POSTGRES:-}" ]; then
  psql "$POSTGRES" -qc "DROP DATABASE IF EXISTS sigida_bench_sync" 2>/dev/null
  psql "$POSTGRES" -qc "CREATE DATABASE sigida_bench_sync"
  "$SIGIDA" demo --dir "$WORK/seed" >/dev/null
  "$SIGIDA" sync export --new-copy --out "$WORK/seed.sync" --dir "$WORK/seed" >/dev/null
  mkdir -p "$WORK/central"; cp "$WORK/seed.key" "$WORK/central.key"
  CENTRE=(--database "${POSTGRES%/*}/sigida_bench_sync" --key-file "$WORK/central.key" --dir "$WORK/central")
  t=$(now); "$SIGIDA" sync clone --file "$WORK/seed.sync" --name centre "${CENTRE[@]}" >/dev/null
  echo "centre: PostgreSQL, made from the demo's file in $(took "$t") s"
else
  "$SIGIDA" demo --dir "$WORK/central" >/dev/null
  CENTRE=(--dir "$WORK/central")
  echo "centre: the demo's SQLite folder"
fi
"$SIGIDA" import form "$WORK/form.xlsx" --instrument menage "${CENTRE[@]}" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$SIGIDA" serve --addr "127.0.0.1:$PORT" "${CENTRE[@]}" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 3
week() {  # a week of flow counts at one point: 7 days x 40 routes (week N of April)
  python3 - "$1" "${2:-0}" <<'PY'
import sys
w = int(sys.argv[2])
rows = ["Date,Flow type,From,To,Individuals,Unaccompanied,Means",
        "#date,#direction,#loc+origin,#loc+destination,#affected+total,#affected+children+unaccompanied,#meta+transport"]
for d in range(7):
    for r in range(40):
        rows.append(f"2026-{4 + w:02d}-{d+1:02d},outgoing,Kayes,Ville {r},{1 + (d * r) % 30},0,bus")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
}
clone() {
  local name=$1
  local token
  token=$("$SIGIDA" replica add "$name" "${CENTRE[@]}" | sed -n 's/.*une seule fois) : //p')
  cp "$WORK/central.key" "$WORK/$name.key"
  "$SIGIDA" sync clone --server "http://127.0.0.1:$PORT" --token "$token" --dir "$WORK/$name" >/dev/null
}

t=$(now); clone laptop; echo "clone of the demo over HTTP: $(took "$t") s"
for i in 1 2 3 4 5; do clone "laptop-$i"; done
"$SIGIDA" sync --dir "$WORK/laptop" >/dev/null   # the others' registrations, audited meanwhile
t=$(now); out=$("$SIGIDA" sync --dir "$WORK/laptop"); echo "sync with nothing to do: $(took "$t") s ($out)"
"$SIGIDA" import data "$WORK/household.csv" --instrument menage --accept-warnings --dir "$WORK/laptop" >/dev/null
week "$WORK/week.csv"
"$SIGIDA" import flows "$WORK/week.csv" --community diboli --dir "$WORK/laptop" >/dev/null
bytes=$(stat -c %s "$WORK/household.csv")
t=$(now); out=$("$SIGIDA" sync --dir "$WORK/laptop")
echo "laptop with a $ROWS-row export ($((bytes / 1000000)) MB) and a week of counts: $(took "$t") s ($out)"

for i in 1 2 3 4 5; do week "$WORK/week-$i.csv" "$i"
  "$SIGIDA" import flows "$WORK/week-$i.csv" --community gao-chateau --dir "$WORK/laptop-$i" >/dev/null; done
t=$(now)
for i in 1 2 3 4 5; do "$SIGIDA" sync --dir "$WORK/laptop-$i" >"$WORK/sync-$i.out" 2>&1 & done
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
echo "five laptops syncing at once: $(took "$t") s"
for i in 1 2 3 4 5; do sed "s/^/    laptop-$i: /" "$WORK/sync-$i.out"; done
