"""The surveys entry in the main menu (called through settings.NAV_HOOKS)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from qualityplan.access import get_access


def nav_items(request) -> list[tuple[str, str, bool]]:
    access = get_access(request.user)
    if not (access.reads_follow_up or access.manages_any_plan):
        return []
    return [(_("Surveys"), reverse("survey_list"), request.path.startswith("/surveys/"))]
