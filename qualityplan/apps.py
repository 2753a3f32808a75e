from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityPlanConfig(AppConfig):
    name = "qualityplan"
    verbose_name = _("Quality plan")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import (
            checks,  # noqa: F401 -- registers the system checks
            security,  # noqa: F401 -- connects the security log to auth signals
        )
        from .lookups import register
        from .sessions import session_started

        register()  # `__any_of` on ids (qualityplan/lookups.py)
        user_logged_in.connect(session_started, dispatch_uid="qualityplan.session_started")
