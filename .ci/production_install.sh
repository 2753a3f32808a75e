#!/usr/bin/env bash
# The production install, proved end to end: a virtual environment built from
# requirements.txt alone (what the Dockerfile installs, no test tools), then with it
#   - migrate and `load_demo` with DEBUG off, before collectstatic has run;
#   - collectstatic, gunicorn, and a real Celery worker (both queues) and beat on Redis;
#   - /health/ answers 200 with the worker up;
#   - a real deviation email and a real PDF report job go through the worker: the email
#     lands in the file-based email backend's folder, the PDF in the report storage;
#   - with the worker stopped, /health/ answers 503 naming the worker.
# Its own PostgreSQL database and Redis database number; every process it starts is
# stopped and every file removed on the way out. Bounded: JOB_SECONDS for the jobs.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${PROD_DB_NAME:-kvalitetsplan_prodinstall}
REDIS_DB=${PROD_REDIS_DB:-3}
JOB_SECONDS=${JOB_SECONDS:-300}

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
elapsed() { printf '[%4ss]' "$SECONDS"; }

echo "$(elapsed) A virtual environment from requirements.txt alone"
"$(scripts/find_python.sh)" -m venv "$work/venv"
VENV=$work/venv/bin
"$VENV/python" -m pip install --disable-pip-version-check --quiet -r requirements.txt
if "$VENV/python" -c 'import pytest' 2>/dev/null; then
    echo "pytest came with requirements.txt: this is not the production install" >&2
    exit 1
fi

export DEBUG=0
SECRET_KEY="ci-prod-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=$PG_URL/$DB_NAME
export REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
export VAR_DIR=$work/var
export MEDIA_ROOT=$work/var/media
export STATIC_ROOT=$work/static
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH=$work/mail
export SITE_URL=http://127.0.0.1
unset CELERY_TASK_ALWAYS_EAGER

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME"
createdb -h 127.0.0.1 -U postgres "$DB_NAME"
redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null

echo "$(elapsed) migrate and load_demo (DEBUG off, static files not collected yet)"
"$VENV/python" manage.py migrate --noinput --verbosity 0
"$VENV/python" manage.py load_demo >"$work/load_demo.log" 2>&1 \
    || { cat "$work/load_demo.log" >&2; exit 1; }
grep -E "^(Quality report|Annual reports)" "$work/load_demo.log" || true
"$VENV/python" manage.py collectstatic --noinput --verbosity 0

echo "$(elapsed) gunicorn, a Celery worker and beat, from the production environment"
port=$("$VENV/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$VENV/gunicorn" qualityplan.wsgi:application --bind "127.0.0.1:$port" --workers 1 \
    --log-level warning >"$work/gunicorn.log" 2>&1 &
pids+=($!)
"$VENV/celery" -A qualityplan worker --loglevel info --queues celery,reports \
    --concurrency 1 --max-tasks-per-child 1 --hostname "prodinstall-$$@%h" \
    >"$work/worker.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")
"$VENV/celery" -A qualityplan beat --loglevel info --schedule "$work/beat-schedule" \
    >"$work/beat.log" 2>&1 &
beat_pid=$!
pids+=("$beat_pid")

health() {
    curl -s -o "$work/health.json" -w '%{http_code}' "$base/health/" || echo 000
}
status=000
for _ in $(seq 60); do
    status=$(health)
    [ "$status" = 200 ] && break
    kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log" >&2; echo "the worker exited" >&2; exit 1; }
    sleep 1
done
echo "GET /health/ -> $status $(cat "$work/health.json")"
[ "$status" = 200 ] || { tail -30 "$work/worker.log" "$work/gunicorn.log" >&2; exit 1; }
kill -0 "$beat_pid" 2>/dev/null || { cat "$work/beat.log" >&2; echo "beat exited" >&2; exit 1; }

echo "$(elapsed) A deviation email and a report job through the worker"
if ! timeout $((JOB_SECONDS + 30)) "$VENV/python" .ci/production_jobs.py "$JOB_SECONDS"; then
    echo "--- worker log" >&2
    tail -40 "$work/worker.log" >&2
    exit 1
fi
grep -q "Sending due task\|beat: Starting" "$work/beat.log" \
    || { cat "$work/beat.log" >&2; echo "beat did not start" >&2; exit 1; }

echo "$(elapsed) The worker stops; /health/ names it"
kill -TERM "$worker_pid"
wait "$worker_pid" 2>/dev/null || true
status=$(health)
echo "GET /health/ -> $status $(cat "$work/health.json")"
[ "$status" = 503 ] && grep -q '"worker": "error"' "$work/health.json" \
    || { echo "expected 503 naming the worker" >&2; exit 1; }
echo "$(elapsed) Production install check passed"
