#!/usr/bin/env bash
# Starts gunicorn the way production does (DEBUG off, PostgreSQL, Redis, static
# files collected and served by WhiteNoise) and checks that /health/ says the
# database and the broker are fine and that the login page and a static file load.
# No worker runs here, so /health/ must answer 503 naming the worker (the worker
# itself is checked by .ci/production_install.sh).
# Run by .ci/run after `make test`, so .venv exists.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${SMOKE_DB_NAME:-kvalitetsplan_smoke}

work=$(mktemp -d)
gunicorn_pid=""
cleanup() {
    if [ -n "$gunicorn_pid" ]; then
        kill "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0
SECRET_KEY="ci-smoke-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=$PG_URL/$DB_NAME
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export STATIC_ROOT=$work/static
export VAR_DIR=$work/var

# A database of its own, new each time, so the migrations run from nothing.
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME"
createdb -h 127.0.0.1 -U postgres "$DB_NAME"

# The production defaults pass Django's deployment checks: a warning fails CI.
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py migrate --noinput --verbosity 0

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
.venv/bin/gunicorn qualityplan.wsgi:application --bind "127.0.0.1:$port" --workers 2 \
    --access-logfile - --log-level warning &
gunicorn_pid=$!

status=000
for _ in $(seq 60); do
    status=$(curl -s -o "$work/health.json" -w '%{http_code}' "$base/health/" || true)
    [ "$status" = 200 ] || [ "$status" = 503 ] && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn exited before answering" >&2; exit 1; }
    sleep 0.5
done
echo "GET /health/ -> $status $(cat "$work/health.json" 2>/dev/null)"
[ "$status" = 503 ] || { echo "/health/ did not answer 503 (no worker) within 30 seconds" >&2; exit 1; }

"$PY" - "$work/health.json" <<'PYTHON'
import json
import sys

body = json.load(open(sys.argv[1]))
expected = {"status": "error", "database": "ok", "broker": "ok", "worker": "error"}
if any(body.get(key) != value for key, value in expected.items()):
    sys.exit(f"/health/ answered {body}, expected {expected}")
PYTHON

expect() {
    local code size
    # As the TLS-ending reverse proxy would send it (plain HTTP is redirected to HTTPS).
    read -r code size < <(curl -s -o /dev/null -H 'X-Forwarded-Proto: https' \
        -w '%{http_code} %{size_download}\n' "$base$1")
    echo "GET $1 -> $code ($size bytes)"
    [ "$code" = "$2" ] || { echo "expected $2" >&2; exit 1; }
    [ "$size" -gt 0 ] || { echo "expected a body" >&2; exit 1; }
}
expect /login/ 200
expect /static/vendor/designsystemet/designsystemet.css 200
expect /no-such-page/ 404
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/login/")
echo "GET /login/ over plain HTTP -> $code"
[ "$code" = 301 ] || { echo "expected a redirect to HTTPS" >&2; exit 1; }
headers=$(curl -s -D - -o /dev/null -H 'X-Forwarded-Proto: https' "$base/login/")
for header in "content-security-policy: .*script-src 'self'" "strict-transport-security: max-age="; do
    grep -qi "^$header" <<<"$headers" || { echo "missing header: $header" >&2; exit 1; }
done
echo "gunicorn smoke check passed"
