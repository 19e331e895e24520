#!/usr/bin/env bash
# Fuzzes every importer of untrusted files and the expression parser, MINUTES each (default 5),
# with cargo-fuzz (libFuzzer) on the nightly toolchain; the product itself builds on stable.
#   bash scripts/fuzz.sh [MINUTES] [TARGET…]
# The corpus lives in fuzz/corpus/<target> (seeded from the kit's forms, a demo export and a
# sealed file, grown by each run, minimised before it is kept); a crash is written to
# fuzz/artifacts/<target>/ and stops the script with its path (leak detection is off: safe Rust
# leaks only what a target keeps for all its runs, such as the form it checks against), to replay with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-5}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tables xlsform export registers xpath kobo sealed)
command -v cargo-fuzz >/dev/null || cargo +nightly install cargo-fuzz --locked --quiet

seed() { mkdir -p "fuzz/corpus/$1"; [ -e "fuzz/corpus/$1/$2" ] || cp "$3" "fuzz/corpus/$1/$2"; }
# A byte before the file chooses the name it is read under (CSV, XLSX, ZIP).
prefixed() { mkdir -p "fuzz/corpus/$1"; [ -e "fuzz/corpus/$1/$2" ] || { printf "\\x$3"; cat "$4"; } > "fuzz/corpus/$1/$2"; }
for form in kit/*.xlsx; do
  name=$(basename "$form" .xlsx)
  prefixed tables "$name.xlsx" 01 "$form"
  prefixed xlsform "$name.xlsx" 00 "$form"
done
export_csv=$(mktemp)
printf 'start;end;_uuid;_submission_time;consent;locality;cluster_id;weight;resp_sex\n2026-02-01;2026-02-01;uuid:1;2026-02-01T10:00:00;yes;diboli;1;1.5;female\n' > "$export_csv"
prefixed tables export.csv 00 "$export_csv"
prefixed export export.csv 00 "$export_csv"
printf 'admin1Pcode,admin1Name_fr,admin2Pcode,admin2Name_fr\nML01,Kayes,ML0101,Kayes\n' > "$export_csv"
seed registers cod.csv "$export_csv"
printf 'indicateur;date;valeur;note\nActes;2026-09-30;210;\n' > "$export_csv"
seed registers progress.csv "$export_csv"
mkdir -p fuzz/corpus/xpath
printf "selected(\${protection_concerns}, 'gbv') and \${hh_size} >= 10" > fuzz/corpus/xpath/selected
printf 'if(count-selected(${a}) > 1, concat(${b}, "x"), 0)' > fuzz/corpus/xpath/if
mkdir -p fuzz/corpus/kobo
printf '{"content":{"survey":[{"type":"text","name":"a"}],"choices":[]},"results":[{"_uuid":"u","a":"x"}]}' > fuzz/corpus/kobo/asset.json
rm -f "$export_csv"

for target in "${targets[@]}"; do
  echo "== fuzz $target: $minutes min"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time=$((minutes * 60)) -max_len=262144 -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 \
    -artifact_prefix="fuzz/artifacts/$target/" -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::|==[0-9]+==|SUMMARY|Done|artifact)" || true
  if ls "fuzz/artifacts/$target"/* >/dev/null 2>&1; then
    echo "!! $target: a crash, kept in fuzz/artifacts/$target/"; ls "fuzz/artifacts/$target"; exit 1
  fi
  cargo +nightly fuzz cmin "$target" "fuzz/corpus/$target" >/dev/null 2>&1 || true
done
echo "fuzzing done: ${#targets[@]} targets, $minutes min each, no crash"
