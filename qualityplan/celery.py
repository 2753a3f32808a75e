import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")

app = Celery("qualityplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
