#!/usr/bin/env bash
# Meeting benchmark (not a test), against the release binary on loopback: 300 phones vote on an
# open question of the demo's Gao Château (each joins with its code, then casts its ballot),
# first alone, then while ten report PDFs are downloaded over and over. Prints the ballots'
# median and 95th-percentile times in both rounds, and the bytes the flows page takes on the
# wire with and without gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p sigida
SIGIDA=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/sigida
WORK=$(mktemp -d /tmp/sigida-ballots.XXXXXX)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$SIGIDA" demo --dir "$WORK/demo" >/dev/null
password=$("$SIGIDA" user add bench --role coordinator --generate-password --dir "$WORK/demo" | sed -n 's/^Mot de passe : //p')
port=$((20000 + RANDOM % 20000))
"$SIGIDA" serve --dir "$WORK/demo" --addr "127.0.0.1:$port" >"$WORK/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
python3 - "$port" "$password" <<'PY'
import sys, re, time, threading, http.client, urllib.parse, gzip
from concurrent.futures import ThreadPoolExecutor
port, password = int(sys.argv[1]), sys.argv[2]

def request(method, path, body=None, cookie=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if body is not None:
        body = urllib.parse.urlencode(body).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheaders(), data

def header(headers, name):
    return next((v for k, v in headers if k.lower() == name), "")

status, headers, _ = request("POST", "/login", {"username": "bench", "password": password, "next": "/"})
assert status == 303, status
staff = header(headers, "set-cookie").split(";")[0]
_, _, page = request("GET", "/communities/gao-chateau", cookie=staff)
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
status, headers, _ = request("POST", "/communities/gao-chateau/meetings", {
    "csrf": csrf, "title": "Banc d'essai", "level": "local", "date": "2026-12-03",
    "place": "Salle", "facilitators": "", "agenda": ""}, cookie=staff)
meeting = header(headers, "location").split("?")[0]
assert meeting.startswith("/meetings/"), (status, meeting)
request("POST", meeting + "/questions", {"csrf": csrf, "prompt": "Priorité ?",
        "options": "Papiers\nSanté\nEmploi"}, cookie=staff)
_, _, page = request("GET", meeting, cookie=staff)
question = re.search(rb'/questions/([0-9a-f-]{36})/open', page).group(1).decode()
request("POST", f"{meeting}/questions/{question}/open", {"csrf": csrf}, cookie=staff)

codes = []
for i in range(300):
    _, headers, _ = request("POST", meeting + "/participants", {
        "csrf": csrf, "sex": "female" if i % 2 else "male", "age_group": "18_35",
        "consent": "yes"}, cookie=staff)
    codes.append(re.search(r"code=([A-Z0-9]+)", header(headers, "location")).group(1))

def phone(code, option):
    _, headers, _ = request("POST", "/v", {"code": code})
    voter = header(headers, "set-cookie").split(";")[0]
    t = time.perf_counter()
    status, headers, _ = request("POST", "/v/ballot", {"question": question, "option": option}, cookie=voter)
    took = time.perf_counter() - t
    assert status == 303 and "saved" in header(headers, "location"), (status, headers)
    return took

def round_of_votes(option):
    with ThreadPoolExecutor(100) as pool:
        times = sorted(pool.map(lambda c: phone(c, option), codes))
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1], times[-1]

def show(name, figures):
    p50, p95, worst = figures
    print(f"{name}: median {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, slowest {worst * 1000:.1f} ms")

round_of_votes("Papiers")  # warm-up: every phone joined once
alone = round_of_votes("Santé")
show("300 ballots alone", alone)

stop = False
pdfs = []
def download():
    while not stop:
        t = time.perf_counter()
        status, headers, body = request("GET", "/reports/gao-chateau/analyse-contextuelle.pdf", cookie=staff)
        assert status == 200 and body.startswith(b"%PDF"), status
        pdfs.append(time.perf_counter() - t)
threads = [threading.Thread(target=download) for _ in range(10)]
for t in threads:
    t.start()
time.sleep(1.0)  # the ten downloads are under way
loaded = round_of_votes("Emploi")
stop = True
for t in threads:
    t.join()
show("300 ballots during 10 PDF downloads", loaded)
print(f"  p95 with the downloads is {loaded[1] / alone[1] * 100:.0f} % of p95 without (goal: within 125 %); "
      f"{len(pdfs)} PDFs downloaded, each in {sum(pdfs) / len(pdfs):.2f} s on average")

_, _, plain = request("GET", "/communities/gao-chateau/flows", cookie=staff)
_, headers, packed = request("GET", "/communities/gao-chateau/flows", cookie=staff,
                             headers={"Accept-Encoding": "gzip, br"})
assert header(headers, "content-encoding") == "gzip" and gzip.decompress(packed) == plain
print(f"flows page: {len(plain) / 1024:.1f} KB as HTML, {len(packed) / 1024:.1f} KB on the wire with gzip (goal under 15 KB)")
PY
