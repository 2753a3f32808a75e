"""The surveys link in the main menu (settings.NAV_LINK_HOOKS)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from qualityplan.access import get_access


def nav_links(request) -> list[dict]:
    access = get_access(request.user)
    if not (access.reads_follow_up or access.manages_any_plan):
        return []
    url = reverse("survey_list")
    return [{"label": _("Surveys"), "url": url, "current": request.path.startswith(url)}]
