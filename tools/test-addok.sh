#!/usr/bin/env bash
# Run a command against a throw-away BAN geocoder (addok + addok-csv under gunicorn, on Redis), then stop and delete
# it, like tools/test-postgres.sh:
#   tools/test-addok.sh .venv/bin/python -m pytest tests/geo/test_geocode.py
# Installs nothing: `make addok-venv` builds .venv-addok (requirements-addok.txt; ADDOK_VENV names another) and
# tools/system_deps.py installs Debian's redis-server. Redis listens only on a unix socket in a temporary directory
# (no TCP port), gunicorn only on 127.0.0.1 at a free port. The index holds tests/fixtures/ban_addok_extrait.ndjson
# (or ADDOK_FIXTURE); the command finds the service in CARTE_TEST_ADDOK_URL. As root, redis runs as the `redis`
# user of the Debian package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${ADDOK_VENV:-$root/.venv-addok}
fixture=${ADDOK_FIXTURE:-$root/tests/fixtures/ban_addok_extrait.ndjson}
redis=$(command -v redis-server || true)
if [ -z "$redis" ]; then
  echo "redis-server introuvable : installez le paquet redis-server (apt-get install redis-server)." >&2
  exit 2
fi
if [ ! -x "$venv/bin/addok" ] || [ ! -x "$venv/bin/gunicorn" ]; then
  echo "addok introuvable ($venv) : préparez-le avec « make addok-venv »." >&2
  exit 2
fi
dir=$(mktemp -d /tmp/carte-addok.XXXXXX)
as_redis() {
  if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then runuser -u redis -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then chown redis "$dir"; fi
children=()
cleanup() {
  if [ -s "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done  # reaped here, before the files go
  rm -rf "$dir"
}
trap cleanup EXIT
# Both servers are children of this script (not daemons), so that it stops and reaps them itself.
as_redis "$redis" --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --dir "$dir" --save "" \
  --appendonly no --daemonize no --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" &
children+=($!)
for _ in $(seq 100); do [ -S "$dir/redis.sock" ] && break; sleep 0.05; done
export ADDOK_CONFIG_MODULE="$root/tools/addok.conf" REDIS_SOCKET="$dir/redis.sock" ADDOK_LOG_DIR="$dir"
if ! { "$venv/bin/addok" batch "$fixture" && "$venv/bin/addok" ngrams; } >"$dir/import.log" 2>&1; then
  cat "$dir/import.log" >&2
  echo "addok n'a pas pu indexer $fixture." >&2
  exit 1
fi
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/gunicorn" --bind "127.0.0.1:$port" --workers 2 --no-control-socket --error-logfile "$dir/gunicorn.log" \
  addok.http.wsgi >"$dir/gunicorn.out" 2>&1 &
children+=($!)
url="http://127.0.0.1:$port"
# Ready when a search answers, at most 20 s after the start.
if ! "$venv/bin/python" - "$url" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 20
while True:
    try:
        with urllib.request.urlopen(sys.argv[1] + "/search/?q=rue&limit=1", timeout=2):
            break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"addok ne répond pas sur {sys.argv[1]}.")
        time.sleep(0.1)
EOF
then
  cat "$dir/gunicorn.out" "$dir/gunicorn.log" >&2
  exit 1
fi
export CARTE_TEST_ADDOK_URL="$url"
"$@"
