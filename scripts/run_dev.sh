#!/usr/bin/env bash
# Runs the development server and a Celery worker (with beat) side by side,
# for `make run`. Ctrl-C (or SIGTERM) stops both; if either one exits on its
# own, the other is stopped too, so nothing is left running behind the prompt.
set -u
cd "$(dirname "$0")/.." || exit 1

PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
pids=()

# Each child gets a session of its own so that stopping it also stops what it
# started (the autoreloader's server process, the worker's pool and beat).
start() {
    if command -v setsid >/dev/null 2>&1; then
        setsid "$@" &
    else
        "$@" &
    fi
    pids+=($!)
}

# The signal goes to each child itself, which stops what it started; only
# KILL goes to the whole process group, for anything left behind.
signal_all() {
    local pid
    for pid in "${pids[@]}"; do
        if [ "$1" = KILL ]; then
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        else
            kill "-$1" "$pid" 2>/dev/null
        fi
    done
}

alive() {
    local pid
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && return 0
    done
    return 1
}

stop() {
    trap - INT TERM
    echo
    echo "Stopping the web server and the worker ..."
    signal_all TERM
    # A worker finishing a report gets ten seconds; then it is killed.
    for _ in $(seq 100); do
        alive || break
        sleep 0.1
    done
    alive && signal_all KILL
    wait 2>/dev/null
}

trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

echo
echo "Kvalitetsplan runs at http://$HOST:$PORT/ (Ctrl-C stops the server and the worker)."
echo

start "$PY" -m celery -A qualityplan worker --beat --loglevel info --concurrency 1 \
    --queues celery,reports --schedule-filename "${VAR_DIR:-var}/celerybeat-schedule"
start "$PY" manage.py runserver "$HOST:$PORT"

# Whichever stops first, for whatever reason, takes the other one with it.
wait -n
status=$?
stop
exit "$status"
