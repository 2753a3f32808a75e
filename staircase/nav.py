"""The staircase's link in the main menu (settings.NAV_LINK_HOOKS).

Members who read follow-up or run the plan see it from the access answer the page
already has (no query); a person with no membership sees it only while appointed as
an external reviewer (one query, for them alone)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityplan.access import get_access

from .models import ReviewerAssignment


def nav_links(request) -> list[dict]:
    user = request.user
    access = get_access(user)
    shown = access.reads_follow_up or access.manages_any_plan or access.reports_status
    if not shown and not access.member_org_unit_ids:
        shown = ReviewerAssignment.objects.filter(
            user_id=user.pk, access_until__gte=timezone.localdate()
        ).exists()
    if not shown:
        return []
    url = reverse("staircase:home")
    return [{"label": _("Quality staircase"), "url": url, "current": request.path.startswith(url)}]
