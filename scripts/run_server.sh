#!/usr/bin/env bash
# `make run`: prepare the database and the demo data, then serve HTTP and WebSockets with
# uvicorn on the ASGI application (Django + Channels) at 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

# Fail at once, not after the migrations, when the port is taken (e.g. by another server).
if ! "$PY" -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
    echo "Port $PORT on 127.0.0.1 is in use; stop the other server or choose one: PORT=8001 make run" >&2
    exit 1
fi

# SQLite lives in the data folder (POOLPLAN_DATA_DIR, default var/), which a fresh clone lacks.
mkdir -p "${POOLPLAN_DATA_DIR:-var}"

"$PY" manage.py migrate --noinput
"$PY" manage.py demo
# Coordinators hear which children fell behind their approved support (daily in production).
"$PY" manage.py pace_alerts

# Compile translations when there are any; committed .mo files are used if msgfmt is missing.
if find poolplan -name '*.po' -print -quit | grep -q .; then
    if command -v msgfmt >/dev/null 2>&1; then
        "$PY" manage.py compilemessages --ignore .venv --ignore var >/dev/null
    else
        echo "warning: gettext's msgfmt is not installed; using the committed .mo files" >&2
    fi
fi

echo
echo "poolplan is serving at http://127.0.0.1:${PORT}/  (stop with Ctrl-C)"
echo "Demo logins are listed above; every demo password is \"demo\"."
echo
# The background worker runs the planner's solves (django-tasks-db queue in the database);
# it stops with the server, however the server ends. A solve left "running" by a worker that
# died (crash, Ctrl-C mid-solve) is marked failed first, so its page offers to retry it.
"$PY" manage.py sweep_solve_jobs --interrupted
"$PY" manage.py db_worker --no-reload &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$PY" -m uvicorn poolplan.asgi:application --host 127.0.0.1 --port "$PORT" --lifespan off
