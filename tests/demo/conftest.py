import pytest

from qualityplan.celery import app as celery_app


@pytest.fixture(autouse=True)
def _celery_runs_tasks_at_once():
    """The demo queues report jobs and emails on commit; tests run them in place."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
