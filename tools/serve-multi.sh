#!/bin/sh
# K Streamlit processes behind Debian's HAProxy (apt-get install haproxy), sticky by cookie.
#
#   tools/serve-multi.sh [K] [PORT]        (make serve K=2 PORT=8501)
#
# A Streamlit session lives in the process that holds its websocket, and so do its download files (/media/…):
# HAProxy sets a cookie (CARTE_SRV) on the first response, the browser sends it back, and every later request
# of that browser, the websocket included, goes to the same process. New browsers are spread by `leastconn`.
# Each process loads the data once (≈ 300 Mo each with the demo). BIND=0.0.0.0 to listen beyond this machine.
# Ctrl-C (or SIGTERM) stops HAProxy and the K processes. The config, logs and PIDs go to a temporary folder.
set -eu

K=${1:-$(nproc)}
PORT=${2:-${PORT:-8501}}
BIND=${BIND:-127.0.0.1}
HERE=$(cd "$(dirname "$0")/.." && pwd)
STREAMLIT="$HERE/.venv/bin/streamlit"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/carte-serve.XXXXXX")

command -v haproxy >/dev/null || { echo "HAProxy est requis : apt-get install haproxy" >&2; exit 1; }
[ -x "$STREAMLIT" ] || { echo "Environnement absent : lancez d'abord make venv" >&2; exit 1; }
case $K in ''|*[!0-9]*|0) echo "K doit être un entier positif (reçu : $K)" >&2; exit 2 ;; esac

PIDS=""
stop() {
    trap - EXIT INT TERM
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

cat > "$RUN/haproxy.cfg" <<EOF
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    # a websocket is a tunnel once upgraded: it stays open as long as the page is
    timeout tunnel 1h
    option forwardfor

frontend carte
    bind $BIND:$PORT
    default_backend streamlit

backend streamlit
    balance leastconn
    cookie CARTE_SRV insert indirect nocache httponly
    option httpchk GET /_stcore/health
EOF

i=1
while [ "$i" -le "$K" ]; do
    port=$((PORT + 10 + i))
    (cd "$HERE" && exec "$STREAMLIT" run server.py --server.address 127.0.0.1 --server.port "$port" \
        --server.headless true --server.fileWatcherType none) > "$RUN/streamlit-$i.log" 2>&1 &
    PIDS="$PIDS $!"
    echo "    server s$i 127.0.0.1:$port check cookie s$i" >> "$RUN/haproxy.cfg"
    i=$((i + 1))
done
echo "$PIDS" | tr ' ' '\n' | sed '/^$/d' > "$RUN/streamlit.pids"

for port in $(seq $((PORT + 11)) $((PORT + 10 + K))); do
    tries=0
    until "$HERE/.venv/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=1)" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt 120 ] || { echo "Le processus du port $port ne répond pas : voir $RUN" >&2; exit 1; }
        sleep 0.5
    done
done

haproxy -c -q -f "$RUN/haproxy.cfg"
echo "Carte des coopérations : http://$BIND:$PORT ($K processus Streamlit derrière HAProxy)"
echo "Configuration, journaux et PID des processus : $RUN"
haproxy -db -f "$RUN/haproxy.cfg" > "$RUN/haproxy.log" 2>&1 &
PIDS="$PIDS $!"
wait $!
