from django.conf import settings
from django.utils.module_loading import import_string

from .access import get_access
from .municipality import municipality_name
from .sso import sso_enabled


def site(request):
    return {
        "municipality_name": municipality_name(),
        "password_reset_enabled": settings.PASSWORD_RESET_ENABLED,
        "sso_enabled": sso_enabled(),
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
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
