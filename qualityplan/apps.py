from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityPlanConfig(AppConfig):
    name = "qualityplan"
    verbose_name = _("Quality plan")

    def ready(self):
        from . import (
            checks,  # noqa: F401 -- registers the system checks
            security,  # noqa: F401 -- connects the security log to auth signals
        )
