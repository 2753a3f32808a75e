"""Health endpoint for load balancers, docker compose and CI.

`/health/` answers 200 with `{"status": "ok", "database": "ok", "broker": "ok"}`
when the database answers a query and the Celery broker can take a job, and 503
otherwise, naming the part that failed. What went wrong in detail goes to the
log, never into the response: a connection error can carry a host or a password.
"""

import logging
import tempfile
from pathlib import Path

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


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


def check_broker() -> str | None:
    """Returns None when the Celery broker can take a job, else a sentence."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _check_redis(url)
    if url.startswith("filesystem://"):
        return _check_broker_folder(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return None


def _check_redis(url: str) -> str | None:
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except Exception:
        logger.warning("Health check: Redis did not answer.", exc_info=True)
        return "Redis did not answer."
    finally:
        client.close()
    return None


def _check_broker_folder(folder: str) -> str | None:
    # Writing a file is the real test: os.access() says yes to root regardless.
    try:
        with tempfile.NamedTemporaryFile(dir=Path(folder), prefix=".health-"):
            pass
    except OSError:
        logger.warning("Health check: cannot write to the broker folder.", exc_info=True)
        return "The job queue folder is missing or not writable."
    return None


@login_not_required
@never_cache
@require_safe
def health(request):
    errors = {
        name: error
        for name, error in (("database", check_database()), ("broker", check_broker()))
        if error
    }
    body = {
        "status": "error" if errors else "ok",
        "database": "error" if "database" in errors else "ok",
        "broker": "error" if "broker" in errors else "ok",
    }
    if errors:
        body["error"] = errors
    return JsonResponse(body, status=503 if errors else 200)
