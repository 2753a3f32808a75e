from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaircaseConfig(AppConfig):
    name = "staircase"
    verbose_name = _("Quality staircase")
