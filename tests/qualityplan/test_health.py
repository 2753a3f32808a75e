import socket

import pytest
from django.db import OperationalError, connection

from qualityplan import health

OK = {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


@pytest.fixture(autouse=True)
def worker_answers(monkeypatch):
    """A worker answers the ping unless a test says otherwise (the real ping over a
    real worker is checked by .ci/production_install.sh)."""
    replies = [{"celery@test": {"ok": "pong"}}]
    monkeypatch.setattr(health, "ping_workers", lambda **kwargs: replies)
    return replies


def _closed_port() -> int:
    """A local port nothing listens on: bound once, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_reports_ok_without_a_login(client, db):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == OK
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_naming_the_worker_when_none_answers(client, db, worker_answers):
    worker_answers.clear()

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "ok"
    assert body["worker"] == "error"
    assert set(body["error"]) == {"worker"}


def test_it_answers_503_naming_the_broker_when_the_transport_cannot_load(
    client, db, settings, monkeypatch
):
    # What a production install without the transport's packages did: every .delay()
    # failed while /health/ said "ok".
    from qualityplan.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    def missing_package(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'packaging'")

    # Where kombu resolves the transport class (cached once a process has used Redis,
    # so the test fails the connection itself, as the missing import did).
    monkeypatch.setattr(app, "connection_for_write", missing_package)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["worker"] == "unknown"


def test_it_answers_503_when_redis_does_not_answer(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://:s3cret-password@127.0.0.1:{_closed_port()}/0"

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"] == "error"
    assert body["worker"] == "unknown"
    assert set(body["error"]) == {"broker"}
    assert b"s3cret-password" not in response.content
    assert b"127.0.0.1" not in response.content


def test_it_answers_503_when_the_broker_folder_is_missing(client, db, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_it_accepts_a_writable_broker_folder(client, db, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    response = client.get("/health/")

    assert response.status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_it_answers_503_when_the_database_fails(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.1 failed: password=hunter2")

    # Only for the request: the test database's own teardown needs the cursor back.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error"
    assert set(body["error"]) == {"database"}
    assert b"hunter2" not in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_writes(client, db, method):
    response = getattr(client, method)("/health/")

    assert response.status_code == 405
