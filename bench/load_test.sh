#!/usr/bin/env bash
# Load test: 100 simulated people (unit leaders saving status rows, the quality office
# opening dashboards, employees reporting deviations) against the production shape on
# 127.0.0.1: gunicorn with DEBUG off, PostgreSQL and Redis (cache and broker).
#
#   bash bench/load_test.sh            # 5 minutes, 100 people at the deadline-day pace
#   LOAD_SECONDS=60 LOAD_PACE=stress bash bench/load_test.sh
#
# LOAD_PACE: "deadline" (people's own pace) or "stress" (1-4 s between actions), see
# bench/load/locustfile.py. LOAD_WORKERS and LOAD_THREADS set gunicorn's processes and
# threads (gunicorn.conf.py otherwise, as in production).
# It builds its own database with seed_bench-shaped data (LOAD_UNITS units,
# LOAD_MEASURES measures), starts gunicorn (LOAD_WORKERS processes), runs Locust headless,
# bounded in time (LOAD_SECONDS) and in requests (LOAD_MAX_REQUESTS), prints requests
# per second, p50/p95/p99 and errors per page, and stops and removes everything.
# Needs the dev requirements (locust) in .venv, PostgreSQL and Redis on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv/bin}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${LOAD_DB_NAME:-kvalitetsplan_load}
REDIS_DB=${LOAD_REDIS_DB:-5}
USERS=${LOAD_USERS:-100}
SECONDS_TO_RUN=${LOAD_SECONDS:-300}
MAX_REQUESTS=${LOAD_MAX_REQUESTS:-60000}
WORKERS=${LOAD_WORKERS:-4}
THREADS=${LOAD_THREADS:-1}
PACE=${LOAD_PACE:-deadline}
# People arriving: one a second at the deadline-day pace (a hundred in the first 100 s),
# five a second under stress. Each login costs about 0.2 s of CPU (PBKDF2).
if [ "$PACE" = stress ]; then SPAWN_RATE=${LOAD_SPAWN_RATE:-5}; else SPAWN_RATE=${LOAD_SPAWN_RATE:-1}; fi
UNITS=${LOAD_UNITS:-300}
MEASURES=${LOAD_MEASURES:-100}
KEEP_DB=${LOAD_KEEP_DB:-0}

work=$(mktemp -d)
gunicorn_pid=""
cleanup() {
    if [ -n "$gunicorn_pid" ]; then
        kill "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
    [ "$KEEP_DB" = 1 ] || dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0
SECRET_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
# Plain HTTP on 127.0.0.1: no TLS proxy in front, so no HTTPS redirect or secure cookies.
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export DATABASE_URL=$PG_URL/$DB_NAME
export REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
export STATIC_ROOT=$work/static VAR_DIR=$work/var
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export LOG_LEVEL=WARNING

if ! psql "$PG_URL/postgres" -Atqc "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
    createdb -h 127.0.0.1 -U postgres "$DB_NAME"
fi
redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null
echo "== Database $DB_NAME: migrate and seed ($UNITS units, $MEASURES measures)"
"$VENV/python" manage.py migrate --noinput --verbosity 0
"$VENV/python" bench/load/setup_data.py "$work/load.json" --units "$UNITS" --measures "$MEASURES"
"$VENV/python" manage.py collectstatic --noinput --verbosity 0

port=$("$VENV/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# gunicorn.conf.py as in production; only the address, the processes and the threads differ.
GUNICORN_BIND="127.0.0.1:$port" WEB_CONCURRENCY=$WORKERS GUNICORN_THREADS=$THREADS \
    GUNICORN_ACCESS_LOG="" "$VENV/gunicorn" qualityplan.wsgi:application --log-level warning \
    >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/login/" && break
    sleep 0.5
done

echo "== Locust: $USERS users ($PACE pace, $SPAWN_RATE arriving a second) for at most ${SECONDS_TO_RUN}s or $MAX_REQUESTS requests, gunicorn $WORKERS workers × $THREADS threads"
# CPU seconds of a set of processes, from /proc (utime + stime, in clock ticks).
cpu_seconds() {
    local total=0 pid fields
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        read -r -a fields <"/proc/$pid/stat" || continue
        total=$((total + fields[13] + fields[14]))
    done
    echo "scale=1; $total / $(getconf CLK_TCK)" | bc
}
web_pids() { echo "$gunicorn_pid" $(pgrep -P "$gunicorn_pid"); }
postgres_before=$(cpu_seconds $(pgrep -x postgres))
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$work/locust.time")
LOAD_PACE=$PACE LOAD_DATA=$work/load.json LOAD_MAX_REQUESTS=$MAX_REQUESTS timeout $((SECONDS_TO_RUN + 120)) \
    "${timer[@]}" "$VENV/locust" -f bench/load/locustfile.py --headless --host "http://127.0.0.1:$port" \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "${SECONDS_TO_RUN}s" --stop-timeout 10 \
    --csv "$work/load" --only-summary --loglevel WARNING >"$work/locust.log" 2>&1 || true

web_cpu=$(cpu_seconds $(web_pids))
postgres_after=$(cpu_seconds $(pgrep -x postgres))
locust_user=0 locust_system=0
[ -s "$work/locust.time" ] && read -r locust_user locust_system < <(tail -n 1 "$work/locust.time")
echo "CPU seconds over the run: gunicorn ${web_cpu}, PostgreSQL (all its processes)" \
    "$(echo "$postgres_after - $postgres_before" | bc), Locust $(echo "${locust_user:-0} + ${locust_system:-0}" | bc)"

"$VENV/python" - "$work/load_stats.csv" "$work/load_failures.csv" <<'PYTHON'
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'page':<30} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
for row in rows:
    name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
    print(
        f"{name:<30} {row['Request Count']:>8} {row['Failure Count']:>6} "
        f"{float(row['Requests/s']):>6.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
    )
failures = list(csv.DictReader(open(sys.argv[2])))
for failure in failures:
    print(f"  error: {failure['Name']}: {failure['Error']} ({failure['Occurrences']}x)")
PYTHON
echo "gunicorn's log:"; tail -5 "$work/gunicorn.log"
