from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityPlanConfig(AppConfig):
    name = "qualityplan"
    verbose_name = _("Quality plan")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_started

        user_logged_in.connect(session_started, dispatch_uid="qualityplan.session_started")
