from types import SimpleNamespace

import pytest

from .factories import make_framework, make_round


@pytest.fixture
def stair(org):
    version = make_framework()
    round_ = make_round(version=version, owner=org.department)
    areas = list(version.areas.order_by("position"))
    return SimpleNamespace(version=version, round=round_, areas=areas)


@pytest.fixture(autouse=True)
def _celery_runs_tasks_at_once():
    """Emails are Celery jobs queued on commit; tests run them in place."""
    from qualityplan.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
