#!/usr/bin/env bash
# Import benchmark (not a test): the synthetic Kobo household export of ../shared/bench at
# 100 000 and 1 000 000 rows, imported, checked against its XLSForm and stored by the release
# binary into a fresh diagnostic. Prints wall time, rows per second and peak memory.
# Needs python3 with numpy and openpyxl for the generators (pip install numpy openpyxl).
# Usage: scripts/bench-import.sh [ROWS ...]      (default: 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=../shared/bench
WORK=${BENCH_WORK:-/tmp/sigida-bench}
mkdir -p "$WORK"
cargo build --release -q -p sigida
SIGIDA=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/sigida
[ -f "$WORK/form.xlsx" ] || python3 "$BENCH/gen_household_form.py" "$WORK/form.xlsx"
printf '%-10s %10s %9s %12s %12s %9s\n' rows "file MB" "wall s" "rows/s" "peak MB" "peak/file"
for rows in "${@:-100000 1000000}"; do
  for n in $rows; do
    data="$WORK/household_$n.csv"
    [ -f "$data" ] || python3 "$BENCH/gen_household.py" "$n" "$data" >/dev/null
    dir=$(mktemp -d "$WORK/diag.XXXXXX")
    "$SIGIDA" init "$dir" >/dev/null
    "$SIGIDA" import form "$WORK/form.xlsx" --instrument menage --dir "$dir" >/dev/null
    /usr/bin/time -f '%e %M' -o "$dir/time" \
      "$SIGIDA" import data "$data" --instrument menage --accept-warnings --dir "$dir" >"$dir/out" 2>&1
    read -r wall kb < "$dir/time"
    bytes=$(stat -L -c %s "$data")
    awk -v n="$n" -v b="$bytes" -v w="$wall" -v k="$kb" 'BEGIN {
      printf "%-10d %10.0f %9.2f %12.0f %12.0f %9.2f\n", n, b/1e6, w, n/w, k/1024, (k*1024)/b }'
    grep -E "nouvelles soumissions" "$dir/out" | sed 's/^/    /'
    rm -rf "$dir"
  done
done
