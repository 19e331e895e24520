#!/usr/bin/env bash
# Attack benchmark (not a test), against the release binary on loopback only: the server's
# peak memory through an anonymous login flood (400 wrong logins, 50 at a time, from
# 127.0.0.2 … as phones on the Wi-Fi would), the time a real user's login takes during the
# flood, and the peak memory of `sigida geo import` on a decompression bomb (a 200 KB XLSX
# whose sheet inflates to 1 GiB). Prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p sigida
SIGIDA=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/sigida
WORK=$(mktemp -d /tmp/sigida-flood.XXXXXX)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$SIGIDA" init "$WORK/diag" >/dev/null
password=$("$SIGIDA" user add coord --role coordinator --generate-password --dir "$WORK/diag" | sed -n 's/^Mot de passe : //p')
port=$((20000 + RANDOM % 20000))
"$SIGIDA" serve --dir "$WORK/diag" --addr "127.0.0.1:$port" >"$WORK/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
python3 - "$port" "$server" "$password" <<'PY'
import sys, socket, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor
port, pid, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def post_login(user, pw, source):
    body = urllib.parse.urlencode({"username": user, "password": pw, "next": "/"}).encode()
    s = socket.socket()
    s.settimeout(60)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\n"
              + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    answer = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    s.close()
    return int(answer.split(b" ", 2)[1]) if answer else 0

peak, stop = rss_mb(), False
def watch():
    global peak
    while not stop:
        peak = max(peak, rss_mb())
        time.sleep(0.02)
w = threading.Thread(target=watch); w.start()
start_rss = rss_mb()
statuses = {}
real = {}
def attacker(i):
    code = post_login(f"nobody{i}", "wrong-password", f"127.0.{2 + i % 50}.{1 + i // 50}")
    statuses[code] = statuses.get(code, 0) + 1
def real_user():
    time.sleep(0.5)
    t = time.time()
    real["status"] = post_login("coord", password, "127.0.0.1")
    real["seconds"] = time.time() - t
t0 = time.time()
with ThreadPoolExecutor(51) as pool:
    pool.submit(real_user)
    list(pool.map(attacker, range(400)))
elapsed = time.time() - t0
stop = True; w.join()
print(f"login flood: 400 wrong logins, 50 at a time, in {elapsed:.1f} s; answers {dict(sorted(statuses.items()))}")
print(f"server memory: {start_rss:.0f} MB before, {peak:.0f} MB at its peak")
print(f"a real login during the flood: HTTP {real.get('status')} in {real.get('seconds', 0):.2f} s")
PY
python3 - "$WORK/bomb.xlsx" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        block = b"0" * (1 << 20)
        for _ in range(1024):
            f.write(block)
PY
bytes=$(stat -c %s "$WORK/bomb.xlsx")
/usr/bin/time -f '%e %M' -o "$WORK/time" "$SIGIDA" geo import "$WORK/bomb.xlsx" --dir "$WORK/diag" >"$WORK/out" 2>&1 || true
read -r wall kb < <(tail -1 "$WORK/time")
echo "decompression bomb ($((bytes / 1024)) KB, 1 GiB inflated) into geo import: refused in ${wall} s, peak ${kb} KB ($((kb / 1024)) MB): $(head -c 160 "$WORK/out")"
