#!/usr/bin/env bash
# Estimation benchmark (not a test): the job of ../shared/bench/JOB.md (every select_one,
# select_multiple option and integer question by locality × sex, stratified cluster design)
# on the synthetic household export at 100 000 and 1 000 000 rows, in paired runs beside the
# fastest peers (Polars, DuckDB) and the floor (counting records with the csv crate).
# Prints median wall seconds, peak memory and the ratios. Peers are set up by
# ../shared/bench/setup.sh under $BENCH_WORK (default /tmp/sigida-bench).
# Usage: scripts/bench-estimate.sh [SIZE ...] [REPS]      SIZE: 100k | 1m (default both), REPS 3
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=$(cd ../shared/bench && pwd)
export BENCH_WORK=${BENCH_WORK:-/tmp/sigida-bench}
REPS=3
SIZES=()
for a in "$@"; do case "$a" in 100k|1m|10k) SIZES+=("$a") ;; *) REPS=$a ;; esac; done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100k 1m)
bash "$BENCH/setup.sh" >/dev/null
cargo build --release -q -p sigida
SIGIDA=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/sigida
PY=$BENCH_WORK/.venv/bin/python
COUNT=$BENCH_WORK/csvcount-target/release/csvcount
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for size in "${SIZES[@]}"; do
  case "$size" in 10k) n=10000 ;; 100k) n=100000 ;; 1m) n=1000000 ;; esac
  data=$BENCH_WORK/data/hh_$size.csv
  mkdir -p "$BENCH_WORK/data" "$BENCH_WORK/out/$size"
  [ -s "$data" ] || (cd "$BENCH" && $PY gen_household.py "$n" "$data" >/dev/null)
  header=$(head -1 "$data" | tr -d '"')
  list() { echo "$header" | tr ';' '\n' | grep -E "$1" | paste -sd,; }
  so=$(list '^q_so_[0-9]+$'); sm=$(list '^q_sm_[0-9]+$'); ints=$(list '^q_int_[0-9]+$')
  declare -A cmd=(
    [sigida]="$SIGIDA estimate --data $data --strata locality --cluster cluster_id --weight weight --by locality,resp_sex --prop $so --multi $sm --mean $ints --out $BENCH_WORK/out/$size/sigida.csv"
    [polars]="$PY $BENCH/peers/polars_peer.py $data $BENCH_WORK/out/$size/polars.csv"
    [duckdb]="$PY $BENCH/peers/duckdb_peer.py $data $BENCH_WORK/out/$size/duckdb.csv"
    [csvcount]="$COUNT $data"
  )
  for peer in sigida polars duckdb csvcount; do ${cmd[$peer]} >/dev/null 2>&1; done   # warm-up
  declare -A wall=() mem=()
  for rep in $(seq "$REPS"); do
    for peer in sigida polars duckdb csvcount; do
      /usr/bin/time -f '%e %M' -o "$BENCH_WORK/time" ${cmd[$peer]} >/dev/null 2>&1
      read -r w m < "$BENCH_WORK/time"
      wall[$peer]+="$w "; mem[$peer]="$m"
    done
  done
  mb=$(awk -v b="$(stat -L -c %s "$data")" 'BEGIN {printf "%.0f", b/1e6}')
  echo "== $size rows ($mb MB), median of $REPS paired runs"
  printf '%-10s %9s %10s %10s\n' tool "wall s" "peak MB" "vs sigida"
  s=$(echo ${wall[sigida]} | tr ' ' '\n' | median)
  for peer in sigida polars duckdb csvcount; do
    w=$(echo ${wall[$peer]} | tr ' ' '\n' | median)
    awk -v p="$peer" -v w="$w" -v m="${mem[$peer]}" -v s="$s" 'BEGIN {printf "%-10s %9.2f %10.0f %9.2fx\n", p, w, m/1024, w/s}'
  done
done
