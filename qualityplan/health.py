"""Health endpoint for load balancers, docker compose and CI.

`/health/` answers 200 with `{"status": "ok", "database": "ok", "broker": "ok",
"worker": "ok"}` when the database answers a query, Celery's own transport reaches
the broker, and a worker answers a ping within a second; and 503 otherwise, naming
the part that failed. The broker is reached through the same transport code that
queues the jobs, so a transport that cannot even be imported (a missing package)
shows here. A broker that is down leaves the worker "unknown": no ping can be sent.
What went wrong in detail goes to the log, never into the response: a connection
error can carry a host or a password.
"""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
WORKER_PING_SECONDS = 1.0


def check_database() -> str | None:
    """Returns None when the database answers, else a sentence for the response."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health check: the database did not answer.", exc_info=True)
        return "The database did not answer."
    return None


def check_broker_and_worker() -> tuple[str | None, str | None]:
    """(broker error, worker error): None where that part is fine.

    Connects with Celery's own transport, then pings the workers over it and takes
    the first answer.
    """
    from qualityplan.celery import app

    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if url.startswith("filesystem://") and not _broker_folder_writable(options["data_folder_in"]):
        return "The job queue folder is missing or not writable.", None
    try:
        conn = app.connection_for_write(
            url=url, transport_options=options, connect_timeout=BROKER_TIMEOUT_SECONDS
        )
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Health check: the Celery broker did not answer.", exc_info=True)
        return "The job queue (broker) did not answer.", None
    try:
        with conn:
            replies = ping_workers(app=app, connection=conn)
    except Exception:
        logger.warning("Health check: pinging the Celery workers failed.", exc_info=True)
        return None, "No worker answered."
    if not replies:
        logger.warning("Health check: no Celery worker answered within %ss.", WORKER_PING_SECONDS)
        return None, "No worker answered."
    return None, None


def ping_workers(*, app, connection) -> list:
    """The workers' answers to a ping, the first one only (no need to wait for all)."""
    return app.control.ping(timeout=WORKER_PING_SECONDS, limit=1, connection=connection)


def _broker_folder_writable(folder: str) -> bool:
    # Writing a file is the real test: os.access() says yes to root regardless.
    try:
        with tempfile.NamedTemporaryFile(dir=Path(folder), prefix=".health-"):
            pass
    except OSError:
        logger.warning("Health check: cannot write to the broker folder.", exc_info=True)
        return False
    return True


@login_not_required
@never_cache
@require_safe
def health(request):
    database_error = check_database()
    broker_error, worker_error = check_broker_and_worker()
    errors = {
        name: error
        for name, error in (
            ("database", database_error),
            ("broker", broker_error),
            ("worker", worker_error),
        )
        if error
    }
    body = {
        "status": "error" if errors else "ok",
        "database": "error" if database_error else "ok",
        "broker": "error" if broker_error else "ok",
        "worker": "unknown" if broker_error else ("error" if worker_error else "ok"),
    }
    if errors:
        body["error"] = errors
    return JsonResponse(body, status=503 if errors else 200)
