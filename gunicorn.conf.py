"""gunicorn's settings (gunicorn reads ./gunicorn.conf.py by itself; flags override it).

Chosen by measurement with bench/load_test.sh on a 2-core machine (see the README,
"Load test"); each can be set by environment for a larger machine.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Worker processes. A request here waits on PostgreSQL for part of its time, so a few
# more processes than cores keep the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Threads per worker; above 1 gunicorn uses its threaded worker.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The app is loaded once, before the workers are forked: they share its memory, and
# qualityplan/wsgi.py freezes it out of the garbage collector's sight.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in {"0", "false", "no"}
# A worker is replaced now and then, so a slow leak in any library cannot grow forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
