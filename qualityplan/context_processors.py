from django.conf import settings
from django.utils.module_loading import import_string

from .access import get_access


def site(request):
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "access": get_access(request.user) if hasattr(request, "user") else None,
        # Menu links of newer apps (settings.NAV_LINK_HOOKS), worked out only if drawn.
        "nav_links": lambda: _nav_links(request),
    }


def _nav_links(request) -> list[dict]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return []
    return [
        link
        for path in getattr(settings, "NAV_LINK_HOOKS", [])
        for link in import_string(path)(request)
    ]
