#!/usr/bin/env bash
# The reference XForms of issue 21: every XLSForm under ../shared/data that pyxform 4.5.0 (from
# PyPI) accepts, converted by pyxform, stored in crates/sigida-xlsform/tests/reference/xform/
# (named by its path, `/` written `__`); the forms it refuses are listed with its first line in
# refused.txt; index.txt names the form of each XForm. Sigida's own XForm of each is compared with these by the tests.
# Usage: scripts/reference/xform.sh    (needs python3 with venv and the PyPI registry)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(cd ../shared/data && pwd)
OUT=crates/sigida-xlsform/tests/reference/xform
VENV=${VENV:-/var/tmp/sigida-pyxform-4.5.0}
[ -x "$VENV/bin/xls2xform" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q pyxform==4.5.0; }
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/refused.txt"; : > "$OUT/index.txt"
cd "$DATA"
find . \( -iname '*.xlsx' -o -iname '*.xls' \) | sed 's|^\./||' | LC_ALL=C sort | while read -r form; do
  name=$(printf '%s' "$form" | sed 's|/|__|g').xml
  if message=$(timeout 120 "$VENV/bin/xls2xform" --skip_validate "$form" "$OLDPWD/$OUT/$name" 2>&1); then
    printf '%s\t%s\n' "$name" "$form" >> "$OLDPWD/$OUT/index.txt"
  else
    rm -f "$OLDPWD/$OUT/$name"
    printf '%s\t%s\n' "$form" "$(printf '%s' "$message" | grep -v '^\s*$' | tail -1 | cut -c1-300)" >> "$OLDPWD/$OUT/refused.txt"
  fi
done
cd "$OLDPWD"
echo "$(ls "$OUT"/*.xml | wc -l) XForms written by pyxform 4.5.0, $(wc -l < "$OUT/refused.txt") forms refused ($OUT)"
