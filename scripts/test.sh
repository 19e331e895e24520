#!/usr/bin/env bash
# The whole test suite, on SQLite and PostgreSQL, with the browser tests.
# Sets up what the tests need on a Debian machine (as root, or with sudo):
# Chromium and its driver, poppler-utils (the report tests read PDFs back with pdftotext),
# LibreOffice Calc without its GUI (the plan's workbook is opened and recalculated in it),
# PostgreSQL started with a role that may create test databases.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
# The package lists are fetched once, and only if something is missing.
apt_ready=
apt_install() {
  [ -n "$apt_ready" ] || { as_root apt-get update -qq; apt_ready=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
if ! command -v soffice >/dev/null; then
  echo "== installing libreoffice-calc-nogui"
  apt_install --no-install-recommends libreoffice-calc-nogui
fi

# The estimation tests make the benchmark's synthetic household file, which needs numpy.
python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q "numpy==2.4.6" 2>/dev/null || python3 -m pip install -q --break-system-packages "numpy==2.4.6"
# The workbook tests fill the template as Excel would leave it, with openpyxl.
python3 -c "import openpyxl" 2>/dev/null || python3 -m pip install -q "openpyxl==3.1.5" 2>/dev/null || python3 -m pip install -q --break-system-packages "openpyxl==3.1.5"
# The kit's forms are converted with pyxform, the XLSForm reference.
python3 -c "import pyxform" 2>/dev/null || python3 -m pip install -q "pyxform==4.0.0" 2>/dev/null || python3 -m pip install -q --break-system-packages "pyxform==4.0.0"

echo "== PostgreSQL"
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  echo "no PostgreSQL cluster found (pg_lsclusters)"; exit 1
fi
as_root pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
pg_isready -h 127.0.0.1
pg() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qAtc \"$1\""; }
[ "$(pg "SELECT 1 FROM pg_roles WHERE rolname = 'sigida'")" = 1 ] \
  || pg "CREATE ROLE sigida LOGIN PASSWORD 'sigida' CREATEDB"
[ "$(pg "SELECT 1 FROM pg_database WHERE datname = 'sigida_ci'")" = 1 ] \
  || pg "CREATE DATABASE sigida_ci OWNER sigida"
# Each store test makes a database of its own; remove those of earlier runs.
for db in $(pg "SELECT datname FROM pg_database WHERE datname LIKE 'sigida_test_%'"); do
  pg "DROP DATABASE IF EXISTS $db" || true
done
export SIGIDA_TEST_POSTGRES_URL="postgres://sigida:sigida@127.0.0.1:5432/sigida_ci"

echo "== cargo test (SQLite, PostgreSQL, headless Chromium)"
cargo test --workspace --all-targets
